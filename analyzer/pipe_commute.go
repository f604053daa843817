// Pipelined loops whose iterations are indexed, and whose eager parts
// commute (Pipeline.Indexed, Pipeline.Detached).

package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// indexed reports whether the loop ranges over a slice, an array, a pointer
// to an array or an integer (see Pipeline.Indexed).
func (p *pipe) indexed() bool {
	r, ok := p.loop.(*ast.RangeStmt)
	if !ok || r.Tok == token.ASSIGN {
		return false
	}
	switch t := under(p.s.p.TypesInfo.TypeOf(r.X)).(type) {
	case *types.Slice, *types.Array:
		return true
	case *types.Pointer:
		_, ok := under(t.Elem()).(*types.Array)
		return ok
	case *types.Basic:
		return t.Info()&types.IsInteger != 0
	}
	return false
}

// detached reports whether the loop's eager parts commute (see
// Pipeline.Detached). Every statement of the body that stays eager is one
// of these:
//   - an error idiom's if, whose return does not read the stores' slices;
//   - an if, or a block, around such statements;
//   - continue, unlabeled: it ends the iteration's eager part;
//   - an assignment that defines or sets variables of the body, or stores at
//     the range's key into the element of a slice that the function made,
//     that no other variable reaches and that the loop does not otherwise
//     touch.
//
// What the assignments and the ifs' conditions compute calls nothing but the
// delayed calls issued ahead, builtins that read, conversions and functions
// that touch nothing but their arguments (pureCall). Running such an eager
// part twice does what running it once does, which the runtime relies on
// when a producer gives an iteration back.
func (p *pipe) detached() bool {
	info := p.s.p.TypesInfo
	if p.key == nil || len(p.assigned[p.key]) > 0 {
		return false
	}
	stores := map[*types.Var]bool{}
	targets := map[*ast.Ident]bool{} // the slices' identifiers in the stores
	// store reports whether l is s[key], or a field of it held in place
	// (s[key].f.g, no pointer between), and notes s.
	store := func(l ast.Expr) bool {
		for {
			sel, ok := ast.Unparen(l).(*ast.SelectorExpr)
			if !ok {
				break
			}
			if x := info.Selections[sel]; x == nil || x.Kind() != types.FieldVal || x.Indirect() {
				return false
			}
			l = sel.X
		}
		ix, ok := ast.Unparen(l).(*ast.IndexExpr)
		if !ok || p.s.identVar(ix.Index) != p.key {
			return false
		}
		id, ok := ast.Unparen(ix.X).(*ast.Ident)
		if !ok {
			return false
		}
		v, _ := info.Uses[id].(*types.Var)
		if v == nil || p.inBody(v.Pos()) || len(p.assigned[v]) > 0 || !p.unshared(v) {
			return false
		}
		switch under(v.Type()).(type) {
		case *types.Slice, *types.Array:
		default:
			return false
		}
		stores[v] = true
		targets[id] = true
		return true
	}
	// computes reports whether e calls only what an eager part run in a
	// producer may call.
	computes := func(e ast.Node, c *cand) bool {
		ok := true
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				ok = false
			case *ast.UnaryExpr:
				ok = ok && n.Op != token.ARROW && n.Op != token.AND
			case *ast.CallExpr:
				if !slices.Contains(c.hoisted, n) && !p.pureCall(n) {
					ok = false
				}
			}
			return ok
		})
		return ok
	}
	// eager reports whether the statements of list that stay eager are
	// all of the kinds above, or ifs and blocks of them.
	var eager func(list []ast.Stmt) bool
	eager = func(list []ast.Stmt) bool {
		for _, st := range list {
			switch st := st.(type) {
			case *ast.BranchStmt:
				// continue ends the iteration's eager part; nothing
				// between eager and the loop can be another loop.
				if st.Tok != token.CONTINUE || st.Label != nil {
					return false
				}
				continue
			case *ast.BlockStmt:
				if !eager(st.List) {
					return false
				}
				continue
			case *ast.IfStmt:
				if p.s.idioms[st] {
					continue
				}
				c := p.byStmt[st]
				if c == nil || !computes(st.Cond, c) {
					return false
				}
				if st.Init != nil && !eager([]ast.Stmt{st.Init}) {
					return false
				}
				if !eager(st.Body.List) {
					return false
				}
				if st.Else != nil && !eager([]ast.Stmt{st.Else}) {
					return false
				}
				continue
			}
			c := p.byStmt[st]
			if c == nil {
				return false
			}
			if c.moved {
				continue
			}
			as, ok := st.(*ast.AssignStmt)
			if !ok || (as.Tok != token.DEFINE && as.Tok != token.ASSIGN) || !computes(as, c) {
				return false
			}
			for _, l := range as.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok {
					if v := p.s.identVar(id); id.Name == "_" || (v != nil && p.inBody(v.Pos())) {
						continue
					}
					return false
				}
				if as.Tok != token.ASSIGN || !store(l) {
					return false
				}
			}
		}
		return true
	}
	if !eager(p.body.List) || len(stores) == 0 {
		return false
	}
	// Nothing else in the loop, nor an idiom's return, reads the slices.
	clean := true
	check := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && !targets[id] {
				if v, _ := info.Uses[id].(*types.Var); v != nil && stores[v] {
					clean = false
				}
			}
			return clean
		})
	}
	check(p.loop)
	return clean
}

// rangeReads says why the header of range loop l cannot read its elements
// ahead of the body, or "". A range over a slice or a pointer to an array
// reads each element when its iteration starts: running ahead, the header
// would miss what the eager part writes there first, through the ranged
// variable (xs[i+1] = ...) or through another that may share its memory.
// The iteration's own element, written after it is read, is fine.
func (p *pipe) rangeReads(l *ast.RangeStmt) string {
	if p.s.identVar(l.Value) == nil {
		return "" // the header reads no element
	}
	info := p.s.p.TypesInfo
	var elem types.Type
	switch t := under(info.TypeOf(l.X)).(type) {
	case *types.Slice:
		elem = t.Elem()
	case *types.Pointer:
		if a, ok := under(t.Elem()).(*types.Array); ok {
			elem = a.Elem()
		}
	}
	if elem == nil {
		return "" // an array is copied when the loop starts; a string cannot change
	}
	v := rootVar(info, l.X)
	if v == nil {
		return ""
	}
	key := l.Key
	if key == nil {
		key = ast.NewIdent("_")
	}
	read := &ast.IndexExpr{X: l.X, Index: key}
	what := types.ExprString(l.X) + "[" + types.ExprString(key) + "]"
	if why := p.sameRoot(v, read, l.Body.Pos()); why != "" {
		return "the range " + strings.Replace(why, types.ExprString(read), what, 1) + ", ahead of the body"
	}
	if why := p.sharedWith(v, elem, elem, nil, what); why != "" {
		return "the range " + why + ", ahead of the body"
	}
	return ""
}
