package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/daskgen/daskgen/analyzer"
)

// exprAt is the hook for eager expressions: a lifted variable is read after
// a barrier, and a delayed call used by eager code becomes a task that the
// barrier computes.
func (t *twin) exprAt(e ast.Expr) (string, bool) {
	if fl, ok := e.(*ast.FuncLit); ok {
		// A closure is eager code, and its returns are its own.
		saved, savedHook := t.cur, t.stmtHook
		t.cur, t.stmtHook = nil, nil
		s := "func" + t.signature(fl.Type) + " " + t.block(fl.Body)
		t.cur, t.stmtHook = saved, savedHook
		return s, true
	}
	if id, ok := e.(*ast.Ident); ok {
		if v := t.useVar(id); v != nil && t.renamed[v] != "" {
			return t.renamed[v], true
		}
	}
	if t.cur == nil {
		return "", false
	}
	switch e := e.(type) {
	case *ast.Ident:
		v := t.useVar(e)
		if v == nil {
			return "", false
		}
		if w := t.work[v]; w != nil {
			return w.name + ".Items()", true
		}
		if name, ok := t.lifted[v]; ok {
			t.planned(e.Pos(), v.Name())
			t.need(name)
			return name + ".Must()", true
		}
	case *ast.CallExpr:
		if t.calls[e] != nil {
			tmp := t.fresh("d")
			t.pre = append(t.pre, tmp+" := "+t.trackCall(e, false))
			t.planned(e.Pos(), "the result of "+types.ExprString(e))
			t.need(tmp)
			return tmp + ".Must()", true
		}
	}
	return "", false
}

// planned checks that the plan lists the wait the twin is about to write
// for what, read by eager code at pos: the analysis decides every wait, and
// the rewriter only prints it. A wait the plan does not list is a bug in
// the plan, refused as an internal error rather than written unexplained.
func (t *twin) planned(pos token.Pos, what string) {
	if !slices.ContainsFunc(t.cur.Barriers, func(b *analyzer.Barrier) bool { return b.Pos == pos }) {
		t.internal(pos, "the twin would wait for %s here, which the plan does not list", what)
	}
}

func (t *twin) track(s string) string {
	if t.pipe != nil && t.pipe.producer {
		return t.rt("Issue") + "(" + t.pipe.st + ", " + s + ")"
	}
	if t.pipe != nil && t.pipe.adopted[s] {
		return s // Adopt tracked it
	}
	if t.pipe != nil && t.pipe.detach && strings.HasPrefix(s, t.rt("Value")+"[") {
		// A producer runs this for an iteration with no task: a result
		// taken out of a known value (assignResults) makes no task.
		return s
	}
	return t.rt("Track") + "(" + t.tw + ", " + s + ")"
}

// lazy reports whether e reads a delayed value.
func (t *twin) lazy(e ast.Node) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.Ident:
			if v := t.useVar(n); v != nil && t.info.Uses[n] != nil {
				if _, ok := t.lifted[v]; ok && t.work[v] == nil {
					found = true
				}
			}
		case *ast.CallExpr:
			if t.calls[n] != nil {
				found = true
			}
		}
		return true
	})
	return found
}

// binaryNode writes the task x op y of type typ, for x op= y and x++. The
// right operand of a shift keeps its own type; the others have x's.
func (t *twin) binaryNode(x ast.Expr, op token.Token, y ast.Expr, typ types.Type) string {
	yType := typ
	if op == token.SHL || op == token.SHR {
		yType = t.typeOf(y)
	}
	ty, yt := t.typ(typ), t.typ(yType)
	return fmt.Sprintf("%s(func(%s %s, %s %s) %s {\nreturn %s %s %s\n}, %s, %s)", t.rt("Call2"), t.px, ty, t.py, yt, ty, t.px, op, t.py, t.lift(x, typ), t.lift(y, yType))
}

// lift writes e as a Delayed value of type want (e's own type when nil).
func (t *twin) lift(e ast.Expr, want types.Type) string {
	typ := t.typeOf(e)
	if want == nil {
		want = typ
	}
	if !t.lazy(e) {
		return t.rt("Value") + "[" + t.typ(want) + "](" + t.expr(e) + ")"
	}
	var s string
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		s = t.lifted[t.useVar(x)]
	case *ast.CallExpr:
		if t.calls[x] != nil {
			s = t.liftCall(x, false)
			break
		}
		s = t.node(e)
	default:
		s = t.node(e)
	}
	if !types.Identical(typ, want) {
		s = fmt.Sprintf("%s(func(%s %s) %s {\nreturn %s\n}, %s)", t.rt("Project"), t.px, t.typ(typ), t.typ(want), t.px, s)
	}
	return s
}

// hole is an input of a small task: a delayed value, or an eager value taken
// when the task is added.
type hole struct {
	name, typ, arg string
}

// node writes a small task for an expression on delayed values: operators,
// conversions, field, index and slice expressions, composite literals. What
// it cannot make a task of, it computes at a barrier.
func (t *twin) node(e ast.Expr) string {
	typ := t.typeOf(e)
	if ok, eager := t.nodeParts(e); ok {
		var holes []hole
		sub := &printer{pkg: t.pkg, info: t.info, fset: t.fset}
		sub.hook = func(x ast.Expr) (string, bool) {
			if eager[x] {
				h := hole{name: t.fresh("x"), typ: t.typ(t.typeOf(x))}
				h.arg = t.rt("Value") + "[" + h.typ + "](" + t.expr(x) + ")"
				holes = append(holes, h)
				return h.name, true
			}
			if t.isLeaf(x) || !t.lazy(x) {
				if !t.lazy(x) && t.inline(x) {
					return "", false
				}
				h := hole{name: t.fresh("x"), typ: t.typ(t.typeOf(x))}
				if t.lazy(x) {
					h.arg = t.lift(x, nil)
				} else {
					h.arg = t.rt("Value") + "[" + h.typ + "](" + t.expr(x) + ")"
				}
				holes = append(holes, h)
				return h.name, true
			}
			return "", false
		}
		body := sub.expr(e)
		if len(holes) <= 6 {
			var params, args []string
			for _, h := range holes {
				params = append(params, h.name+" "+h.typ)
				args = append(args, h.arg)
			}
			return fmt.Sprintf("%s(func(%s) %s {\nreturn %s\n}, %s)", t.rt("Call"+strconv.Itoa(len(holes))),
				strings.Join(params, ", "), t.typ(typ), body, strings.Join(args, ", "))
		}
	}
	// A barrier: compute what e reads, then take its value.
	return t.rt("Value") + "[" + t.typ(typ) + "](" + t.expr(e) + ")"
}

// isLeaf reports whether e is a delayed value itself: a lifted variable or a
// delayed call.
func (t *twin) isLeaf(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		v := t.useVar(x)
		return v != nil && t.lifted[v] != "" && t.work[v] == nil
	case *ast.CallExpr:
		return t.calls[x] != nil
	}
	return false
}

// inline reports whether an eager expression is written into a task as it
// is: a constant, a type, nil, or a builtin.
func (t *twin) inline(e ast.Expr) bool {
	tv, ok := t.info.Types[e]
	if !ok {
		return true
	}
	return tv.Value != nil || tv.IsType() || tv.IsNil() || tv.IsBuiltin()
}

// nodeable reports whether every expression on the way from e down to its
// delayed values can be part of a task.
func (t *twin) nodeable(e ast.Expr) bool {
	ok, _ := t.nodeParts(e)
	return ok
}

// nodeParts reports whether e, an expression on delayed values, can be a
// small task, and which of its parts cannot: those are computed by eager
// code when the task is added, waiting only for what they read (the plan
// lists those waits), not for the rest of e.
func (t *twin) nodeParts(e ast.Expr) (bool, map[ast.Expr]bool) {
	ok := true
	eager := map[ast.Expr]bool{}
	var walk func(x ast.Expr)
	walk = func(x ast.Expr) {
		if !ok || !t.lazy(x) || t.isLeaf(x) {
			return
		}
		if x != e {
			saved := ok
			if !t.nodeable1(x) {
				eager[x] = true
				ok = saved
				return
			}
		}
		switch x := x.(type) {
		case *ast.ParenExpr:
			walk(x.X)
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				ok = false
				return
			}
			walk(x.X)
			walk(x.Y)
		case *ast.UnaryExpr:
			if x.Op == token.AND || x.Op == token.ARROW {
				ok = false
				return
			}
			walk(x.X)
		case *ast.StarExpr:
			walk(x.X)
		case *ast.IndexExpr:
			walk(x.X)
			walk(x.Index)
		case *ast.SliceExpr:
			walk(x.X)
			for _, y := range []ast.Expr{x.Low, x.High, x.Max} {
				if y != nil {
					walk(y)
				}
			}
		case *ast.SelectorExpr:
			if sel := t.info.Selections[x]; sel == nil || sel.Kind() != types.FieldVal {
				ok = false
				return
			}
			walk(x.X)
		case *ast.TypeAssertExpr:
			walk(x.X)
		case *ast.CompositeLit:
			for _, el := range x.Elts {
				if kv, isKV := el.(*ast.KeyValueExpr); isKV {
					walk(kv.Key)
					walk(kv.Value)
					continue
				}
				walk(el)
			}
		case *ast.CallExpr:
			tv := t.info.Types[x.Fun]
			switch {
			case tv.IsType() && len(x.Args) == 1:
				walk(x.Args[0])
			case tv.IsBuiltin() && isBuiltin(t.info, x, "append"):
				for _, a := range x.Args {
					walk(a)
				}
			default:
				ok = false
			}
		default:
			ok = false
		}
	}
	walk(e)
	return ok, eager
}

// nodeable1 reports whether the operation at the top of x can be part of a
// small task (its operands aside).
func (t *twin) nodeable1(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.ParenExpr, *ast.StarExpr, *ast.IndexExpr, *ast.SliceExpr, *ast.TypeAssertExpr, *ast.CompositeLit:
		return true
	case *ast.BinaryExpr:
		return x.Op != token.LAND && x.Op != token.LOR
	case *ast.UnaryExpr:
		return x.Op != token.AND && x.Op != token.ARROW
	case *ast.SelectorExpr:
		sel := t.info.Selections[x]
		return sel != nil && sel.Kind() == types.FieldVal
	case *ast.CallExpr:
		tv := t.info.Types[x.Fun]
		return (tv.IsType() && len(x.Args) == 1) || (tv.IsBuiltin() && isBuiltin(t.info, x, "append"))
	}
	return false
}

func isBuiltin(info *types.Info, c *ast.CallExpr, name string) bool {
	id, ok := ast.Unparen(c.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}
