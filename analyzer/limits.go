package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// limits reports the constructs that a twin cannot be written for, although
// nothing in them is wrong: the rewriter follows the plan, so every refusal
// is decided here, and daskgen vet reports exactly what daskgen refuses.
func (s *rs) limits() {
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if c := s.calls[n]; c != nil {
				s.callLimits(c)
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if v := s.identVar(e); v != nil && (s.lifted[v] || s.acc[v] != nil) {
					s.diag(e.Pos(), CatUnsupported, "%s is a range variable that the loop assigns a delayed value; assign the delayed value to another variable", v.Name())
				}
			}
		case *ast.ForStmt:
			if n.Post != nil && s.reads(n.Post) {
				s.diag(n.Post.Pos(), CatUnsupported, "the post statement %s of this for reads a delayed value in every iteration; do it at the end of the body instead", nodeString(s.p.Fset, n.Post))
			}
		case *ast.AssignStmt:
			s.assignLimits(n)
		}
		return true
	})
}

// reads reports whether n reads a delayed value.
func (s *rs) reads(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if e, ok := m.(ast.Expr); ok && !found && s.lazy(e) {
			if id, isID := e.(*ast.Ident); isID {
				// Assigned, not read: the post statement x = ... of a lifted x.
				if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && as.Lhs[0] == ast.Expr(id) && as.Tok == token.ASSIGN {
					return true
				}
			}
			found = true
		}
		return !found
	})
	return found
}

// callLimits reports a delayed call that the rewriter cannot write.
func (s *rs) callLimits(c *Call) {
	info := s.p.TypesInfo
	sig := c.Func.Type().(*types.Signature)
	if sig.Recv() != nil {
		sel, ok := ast.Unparen(c.Expr.Fun).(*ast.SelectorExpr)
		if !ok || info.Selections[sel] == nil || info.Selections[sel].Kind() != types.MethodVal {
			s.diag(c.Expr.Pos(), CatUnsupported, "delayed method %s is called through a method expression; call it as x.%s(...)", c.Func.Name(), c.Func.Name())
			return
		}
		recvT, xt := sig.Recv().Type(), info.TypeOf(sel.X)
		switch {
		case types.Identical(xt, recvT):
		case (isPointerTo(recvT, xt) || isPointerTo(xt, recvT)) && !s.lazy(sel.X):
		default:
			s.diag(sel.X.Pos(), CatUnsupported, "the receiver of delayed method %s is a delayed value of type %s, not %s; call the method on a variable of type %s",
				c.Func.Name(), types.TypeString(xt, types.RelativeTo(s.p.Pkg)), types.TypeString(recvT, types.RelativeTo(s.p.Pkg)), types.TypeString(recvT, types.RelativeTo(s.p.Pkg)))
		}
	}
	if len(c.Expr.Args) == 1 && sig.Params().Len() > 1 {
		if tup, ok := info.TypeOf(c.Expr.Args[0]).(*types.Tuple); ok && tup.Len() > 1 {
			s.diag(c.Expr.Args[0].Pos(), CatUnsupported, "delayed call %s takes the %d results of %s as its arguments; assign them to variables first and pass those", types.ExprString(c.Expr.Fun), tup.Len(), types.ExprString(c.Expr.Args[0]))
			return
		}
	}
	if sig.TypeParams().Len() > 0 {
		if inst := c.Instance; inst.TypeArgs != nil {
			for i := range inst.TypeArgs.Len() {
				if ta := inst.TypeArgs.At(i); mentionsTypeParam(ta) {
					s.diag(c.Expr.Pos(), CatUnsupported, "delayed call %s is instantiated with %s, a type parameter of %s; daskgen writes a wrapper per instantiation, so call it with concrete types",
						types.ExprString(c.Expr.Fun), types.TypeString(ta, types.RelativeTo(s.p.Pkg)), s.r.Func.Name.Name)
					break
				}
			}
		}
	}
}

// assignLimits reports assignments the rewriter cannot write.
func (s *rs) assignLimits(as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) && len(as.Rhs) == 1 {
		call, isCall := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		delayed := isCall && s.calls[call] != nil
		for _, l := range as.Lhs {
			if v := s.identVar(l); v != nil && !delayed && (s.lifted[v] || s.acc[v] != nil) {
				s.diag(l.Pos(), CatUnsupported, "%s is assigned a delayed value by a statement with several results of an expression that is not a delayed call; assign them one at a time", v.Name())
				return
			}
			if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok && delayed {
				if m := s.identVar(ix.X); m != nil && s.acc[m] != nil {
					s.diag(l.Pos(), CatUnsupported, "%s is assigned one of several results of delayed call %s; assign it to a variable first", types.ExprString(l), types.ExprString(call.Fun))
					return
				}
			}
		}
	}
	if isOpAssign(as.Tok) && len(as.Lhs) == 1 {
		if m := s.mapWrite(as.Lhs[0]); m != nil && s.acc[m] != nil && s.acc[m].Acc == MapWrite {
			l := types.ExprString(as.Lhs[0])
			s.diag(as.Lhs[0].Pos(), CatUnsupported, "%s %s on accumulator %s is not supported; write %s = %s %s ...", l, as.Tok, m.Name(), l, l, strings.TrimSuffix(as.Tok.String(), "="))
		}
	}
}

// calleeIdent returns the identifier that names the function a call calls.
func calleeIdent(c *ast.CallExpr) *ast.Ident {
	fun := ast.Unparen(c.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		return sel.Sel
	}
	id, _ := fun.(*ast.Ident)
	return id
}

func isPointerTo(p, elem types.Type) bool {
	ptr, ok := p.(*types.Pointer)
	return ok && types.Identical(ptr.Elem(), elem)
}

// mentionsTypeParam reports whether t mentions a type parameter.
func mentionsTypeParam(t types.Type) bool {
	switch x := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Pointer:
		return mentionsTypeParam(x.Elem())
	case *types.Slice:
		return mentionsTypeParam(x.Elem())
	case *types.Array:
		return mentionsTypeParam(x.Elem())
	case *types.Map:
		return mentionsTypeParam(x.Key()) || mentionsTypeParam(x.Elem())
	case *types.Chan:
		return mentionsTypeParam(x.Elem())
	case *types.Named:
		for i := range x.TypeArgs().Len() {
			if mentionsTypeParam(x.TypeArgs().At(i)) {
				return true
			}
		}
	case *types.Signature:
		for i := range x.Params().Len() {
			if mentionsTypeParam(x.Params().At(i).Type()) {
				return true
			}
		}
		for i := range x.Results().Len() {
			if mentionsTypeParam(x.Results().At(i).Type()) {
				return true
			}
		}
	case *types.Struct:
		for i := range x.NumFields() {
			if mentionsTypeParam(x.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}
