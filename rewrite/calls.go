package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/daskgen/daskgen/analyzer"
)

// liftCall writes a call of a delayed function as a task. In expression
// context the task's value is all of the function's results (a tuple when
// there are several) and it does not fail when the function returns an
// error; with idiom, the value leaves the error out and the task fails with it.
func (t *twin) liftCall(c *ast.CallExpr, idiom bool) string {
	if t.pipe != nil && !t.pipe.producer && t.pipe.calls[c] != nil {
		return t.slotCall(t.pipe, c, idiom)
	}
	fn, args := t.callParts(c, idiom)
	if t.calls[c].Now {
		// The plan says the eager code waits for it before it issues
		// another call: it runs at once when its arguments are known.
		return t.rt("Now"+strconv.Itoa(len(args))) + "(" + strings.Join(append([]string{t.tw, fn}, args...), ", ") + ")"
	}
	return fn + ".Call(" + strings.Join(args, ", ") + ")"
}

// issueCall writes delayed call c as the issue part of a pipelined loop
// issues it: twinimpl.IssueN(st, fn, args), which records the task in the
// iteration's step, or runs the call at once when it is cheaper than a task.
func (t *twin) issueCall(c *ast.CallExpr, idiom bool) string {
	fn, args := t.callParts(c, idiom)
	return t.rt("Issue"+strconv.Itoa(len(args))) + "(" + strings.Join(append([]string{t.pipe.st, fn}, args...), ", ") + ")"
}

// issueInto writes delayed call c as a statement of the issue part that
// issues it into dst, the iteration's field: twinimpl.IssueIntoN(&dst, st,
// fn, args), which writes a call run at once straight into the field.
func (t *twin) issueInto(c *ast.CallExpr, idiom bool, dst string) string {
	fn, args := t.callParts(c, idiom)
	return t.rt("IssueInto"+strconv.Itoa(len(args))) + "(" + strings.Join(append([]string{"&" + dst, t.pipe.st, fn}, args...), ", ") + ")"
}

// callParts returns the delayed function that call c calls, as an
// expression of the twin, and its lifted arguments.
func (t *twin) callParts(c *ast.CallExpr, idiom bool) (fnRef string, args []string) {
	ac := t.calls[c]
	fn := ac.Func
	sig := t.sigOf(c)
	variant := ""
	if !idiom && hasErrResult(sig) {
		variant = "Err"
	}
	if sig.Recv() != nil {
		sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
		if !ok {
			t.internal(c.Pos(), "delayed method %s called through a method expression", fn.Name())
			return "", nil
		}
		recvT := sig.Recv().Type()
		xt := t.typeOf(sel.X)
		switch {
		case types.Identical(xt, recvT):
			args = append(args, t.lift(sel.X, recvT))
		case isPointerTo(recvT, xt) && !t.lazy(sel.X):
			args = append(args, t.rt("Value")+"["+t.typ(recvT)+"](&"+t.expr(sel.X)+")")
		case isPointerTo(xt, recvT) && !t.lazy(sel.X):
			args = append(args, t.rt("Value")+"["+t.typ(recvT)+"](*"+t.expr(sel.X)+")")
		default:
			t.internal(sel.X.Pos(), "the receiver of delayed method %s has type %s, not %s", fn.Name(), xt, recvT)
			return "", nil
		}
	}
	params := sig.Params()
	first := 0
	if params.Len() > 0 && isContext(params.At(0).Type()) {
		first = 1 // the task gets the compute's context instead
	}
	for i := first; i < params.Len(); i++ {
		pt := params.At(i).Type()
		if sig.Variadic() && i == params.Len()-1 && !c.Ellipsis.IsValid() {
			elem := pt.(*types.Slice).Elem()
			var parts []string
			lazy := false
			for _, a := range c.Args[i:] {
				parts = append(parts, t.lift(a, elem))
				lazy = lazy || t.lazy(a)
			}
			switch {
			case len(parts) == 0:
				args = append(args, t.rt("Value")+"["+t.typ(pt)+"](nil)")
			case !lazy:
				args = append(args, t.rt("Value")+"["+t.typ(pt)+"]("+t.typ(pt)+"{"+t.exprs(c.Args[i:])+"})")
			default:
				args = append(args, t.rt("Collect")+"([]"+t.rt("Delayed")+"["+t.typ(elem)+"]{"+strings.Join(parts, ", ")+"})")
			}
			break
		}
		args = append(args, t.lift(c.Args[i], pt))
	}
	if fn.Type().(*types.Signature).TypeParams().Len() > 0 {
		// The analyzer refuses instantiations with a type parameter.
		fnRef = t.g.instance(fn, ac.Instance, ac.Fact, t.fd.Pos()) + variant
	} else {
		fnRef = t.g.wrapperRef(fn, ac.Fact, variant, t.fd.Pos())
	}
	if variant != "" {
		t.g.useErr(fnRef)
	}
	return fnRef, args
}

// sigOf returns the signature a delayed call calls: its function's, or for
// a generic function, its instantiation's.
func (t *twin) sigOf(c *ast.CallExpr) *types.Signature {
	sig := t.calls[c].Func.Type().(*types.Signature)
	if sig.TypeParams().Len() > 0 {
		if inst := t.calls[c].Instance; inst.Type != nil {
			return inst.Type.(*types.Signature)
		}
	}
	return sig
}

func isPointerTo(p, elem types.Type) bool {
	ptr, ok := p.(*types.Pointer)
	return ok && types.Identical(ptr.Elem(), elem)
}

func isContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

func hasErrResult(sig *types.Signature) bool {
	r := sig.Results()
	return r.Len() > 0 && isError(r.At(r.Len()-1).Type())
}

// valueTypes returns the types a delayed function's task holds: every result,
// or every result but the error for the idiom's form.
func valueTypes(sig *types.Signature, idiom bool) []types.Type {
	r := sig.Results()
	n := r.Len()
	if idiom && hasErrResult(sig) {
		n--
	}
	out := make([]types.Type, n)
	for i := range n {
		out[i] = r.At(i).Type()
	}
	return out
}

// tupleType writes the type of a task's value for the given result types.
func (t *twin) tupleType(ts []types.Type) string {
	switch len(ts) {
	case 0:
		return "struct{}"
	case 1:
		return t.typ(ts[0])
	}
	var parts []string
	for _, x := range ts {
		if isError(x) {
			// Errors in a tuple cross processes as twinimpl.Error.
			parts = append(parts, t.rt("Error"))
			continue
		}
		parts = append(parts, t.typ(x))
	}
	return t.rt("Tuple"+strconv.Itoa(len(ts))) + "[" + strings.Join(parts, ", ") + "]"
}

// assignCall writes lhs tok f(args) for a delayed f with several results, or
// with the error idiom after it.
func (t *twin) assignCall(lhs []ast.Expr, tok token.Token, c *ast.CallExpr) string {
	site := t.sites[c]
	var b strings.Builder
	switch {
	case t.pipe != nil && t.pipe.producer && t.pipe.idioms[c] != "":
		// The eager part registers the idiom with this task.
		tmp := t.pipe.idioms[c]
		fmt.Fprintf(&b, "%s = %s\n", tmp, t.trackCall(c, true))
		return t.assignResults(&b, lhs, tok, c, tmp)
	case t.pipe != nil && t.pipe.producer:
		tmp := t.fresh("d")
		fmt.Fprintf(&b, "%s := %s\n", tmp, t.trackCall(c, site != nil))
		return t.assignResults(&b, lhs, tok, c, tmp)
	}
	tmp := t.fresh("d")
	fmt.Fprintf(&b, "%s := %s\n", tmp, t.track(t.liftCall(c, site != nil)))
	if site != nil {
		if r := t.register(site, tmp); r != "" {
			b.WriteString(r + "\n")
		}
	}
	return t.assignResults(&b, lhs, tok, c, tmp)
}

// register writes the registration of an error idiom's task: with its
// handler's number when the handler captures nothing, or with a handler
// made now, holding the eager values it reads as they are now.
func (t *twin) register(site *analyzer.ErrorSite, task string) string {
	if t.pipe != nil && t.pipe.detach {
		return "" // an iteration with no task has not failed
	}
	if k, ok := t.staticSites[site]; ok {
		return fmt.Sprintf("%s.CheckAt(%s, %d)", t.tw, task, k)
	}
	// A value already known cannot fail: it needs no handler, which a loop
	// of cheap calls run at once would otherwise make for every iteration.
	return fmt.Sprintf("if !%s.Done() {\n%s.CheckAt(%s, len(%s))\n%s = append(%s, %s)\n}", task, t.tw, task, t.onErr, t.onErr, t.onErr, t.handler(site))
}

// trackCall writes delayed call c as a task the twin tracks, or, in the
// issue part of a pipelined loop, as one the iteration issues (issueCall).
func (t *twin) trackCall(c *ast.CallExpr, idiom bool) string {
	if t.pipe != nil && t.pipe.producer {
		return t.issueCall(c, idiom)
	}
	return t.track(t.liftCall(c, idiom))
}

// assignResults writes the assignments of a delayed call's results, held by
// the task tmp, to lhs.
func (t *twin) assignResults(b *strings.Builder, lhs []ast.Expr, tok token.Token, c *ast.CallExpr, tmp string) string {
	site := t.sites[c]
	sig := t.sigOf(c)
	vals := valueTypes(sig, site != nil)
	tuple := t.tupleType(vals)
	checked := false // the detached eager part has checked that tmp is known
	waited := false  // the eager targets' wait for tmp is written
	for i, l := range lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
			continue
		}
		if site != nil && i == len(lhs)-1 {
			// The error: nil once the idiom's if has passed.
			v := t.identVar(l)
			switch {
			case v != nil && t.dropped[v]:
			case t.liftedTarget(l):
				b.WriteString(t.defOrSet(l, tok) + t.rt("Value") + "[error](nil)\n")
			default:
				b.WriteString(t.eagerAssign(l, tok, "nil") + "\n")
			}
			continue
		}
		field := ".V" + strconv.Itoa(i)
		if isError(vals[i]) {
			field += ".Err"
		}
		proj := tmp
		switch {
		case len(vals) > 1 && t.pipe != nil && t.pipe.detach:
			// A producer runs this for an iteration with no task: the
			// value is known once tmp is.
			if !checked {
				checked = true
				fmt.Fprintf(b, "if !%s.Done() {\nreturn false\n}\n", tmp)
			}
			proj = fmt.Sprintf("%s[%s](%s.Must()%s)", t.rt("Value"), t.typ(vals[i]), tmp, field)
		case len(vals) > 1:
			proj = fmt.Sprintf("%s(func(%s %s) %s {\nreturn %s%s\n}, %s)", t.rt("Project"), t.px, tuple, t.typ(vals[i]), t.px, field, tmp)
		}
		switch {
		case t.liftedTarget(l):
			if _, isIndex := ast.Unparen(l).(*ast.IndexExpr); isIndex {
				t.internal(l.Pos(), "%s assigned one of several results of delayed call %s", types.ExprString(l), types.ExprString(c.Fun))
				continue
			}
			if len(vals) == 1 {
				b.WriteString(t.defOrSet(l, tok) + proj + "\n") // the task itself, tracked already
				continue
			}
			b.WriteString(t.defOrSet(l, tok) + t.track(proj) + "\n")
		default:
			// tmp is declared by this statement: the wait comes after it,
			// once, and not with the statement's other waits before it.
			if !waited {
				waited = true
				b.WriteString(t.waitText([]string{tmp}))
			}
			val := tmp + ".Must()"
			if len(vals) > 1 {
				val += field
			}
			b.WriteString(t.eagerAssign(l, tok, val) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// eagerAssign writes l tok val for an eager target.
func (t *twin) eagerAssign(l ast.Expr, tok token.Token, val string) string {
	if v := t.identVar(l); v != nil && t.renamed[v] != "" {
		return t.renamed[v] + " = " + val
	}
	if id, ok := l.(*ast.Ident); ok && tok == token.DEFINE && t.info.Defs[id] != nil {
		v := t.useVar(id)
		return "var " + id.Name + " " + t.typ(v.Type()) + " = " + val
	}
	return t.expr(l) + " = " + val
}

// handler writes the function an error idiom returns through: what the if
// statement returns, with the eager variables it reads as they are now.
func (t *twin) handler(site *analyzer.ErrorSite) string {
	ret := site.If.Body.List[0].(*ast.ReturnStmt)
	locals := t.handlerLocals(site)
	// A delayed value the return reads (a count so far, say) is known when
	// the handler runs: the twin has settled every task before the failing
	// one.
	lifted := map[*types.Var]bool{}
	for _, v := range locals {
		if _, ok := t.lifted[v]; ok {
			lifted[v] = true
		}
	}
	plain := &printer{pkg: t.pkg, info: t.info, fset: t.fset}
	plain.hook = func(e ast.Expr) (string, bool) {
		if id, ok := e.(*ast.Ident); ok {
			if v, ok := t.info.Uses[id].(*types.Var); ok && lifted[v] {
				return id.Name + ".Must()", true
			}
		}
		return "", false
	}
	res := plain.exprs(ret.Results)
	fn := fmt.Sprintf("func(%s error) %s {\nreturn %s\n}", site.Err.Name(), t.results, res)
	if len(locals) == 0 {
		return fn
	}
	var params, args []string
	for _, v := range locals {
		if lifted[v] {
			params = append(params, v.Name()+" "+t.rt("Delayed")+"["+t.typ(v.Type())+"]")
			args = append(args, t.lifted[v])
			continue
		}
		params = append(params, v.Name()+" "+t.typ(v.Type()))
		if name := t.renamed[v]; name != "" {
			args = append(args, name)
		} else {
			args = append(args, v.Name())
		}
	}
	return fmt.Sprintf("func(%s) func(error) %s {\nreturn %s\n}(%s)", strings.Join(params, ", "), t.results, fn, strings.Join(args, ", "))
}

// handlerLocals lists the local variables that an error idiom's return
// reads, besides the error.
func (t *twin) handlerLocals(site *analyzer.ErrorSite) []*types.Var {
	ret := site.If.Body.List[0].(*ast.ReturnStmt)
	var locals []*types.Var
	seen := map[*types.Var]bool{}
	for _, e := range ret.Results {
		ast.Inspect(e, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			v, ok := t.info.Uses[id].(*types.Var)
			if !ok || v == site.Err || v.IsField() || seen[v] || v.Parent() == t.pkg.Scope() || v.Parent() == nil {
				return true
			}
			if t.work[v] != nil {
				t.internal(id.Pos(), "the error return reads %s, the worklist of an unordered loop", v.Name())
				return true
			}
			seen[v] = true
			locals = append(locals, v)
			return true
		})
	}
	return locals
}

// worklist is the queue of an unordered loop in the twin.
type worklist struct {
	v    *types.Var
	name string
}

// worklistLoop writes an unordered loop whose condition reads its
// worklist: the condition waits for the next item to be ready.
func (t *twin) worklistLoop(s *ast.ForStmt) string {
	if s.Cond == nil || s.Init != nil || s.Post != nil {
		return ""
	}
	var w *worklist
	ast.Inspect(s.Cond, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v := t.useVar(id); v != nil && t.work[v] != nil {
				w = t.work[v]
			}
		}
		return true
	})
	if w == nil {
		return ""
	}
	cond := t.expr(s.Cond)
	condPre := t.flush()
	body := t.block(s.Body)
	return fmt.Sprintf("for {\nif %s, %s := %s.Fill(); %s != nil {\nreturn %s(%s, %s)\n}\n%sif !(%s) {\nbreak\n}\n%s", t.bi, t.be, w.name, t.be, t.fail, t.bi, t.be, condPre, cond, body[2:])
}

// worklistAssign writes an assignment to the worklist: pushes of delayed
// items, or a new queue of ready items.
func (t *twin) worklistAssign(w *worklist, rhs ast.Expr) string {
	if c, ok := ast.Unparen(rhs).(*ast.CallExpr); ok && isBuiltin(t.info, c, "append") && len(c.Args) > 1 && t.identVar(c.Args[0]) == w.v {
		elem := under(w.v.Type()).(*types.Slice).Elem()
		var b strings.Builder
		for i, a := range c.Args[1:] {
			if c.Ellipsis.IsValid() && i == len(c.Args)-2 {
				fmt.Fprintf(&b, "%s.PushAll(%s)\n", w.name, t.lift(a, w.v.Type()))
				continue
			}
			fmt.Fprintf(&b, "%s.Push(%s)\n", w.name, t.lift(a, elem))
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	return w.name + ".Set(" + t.expr(rhs) + ")"
}
