// Memory in pipelined loops: where an access's memory is, what a type
// reaches, and whether the issue part could read memory that the eager
// part writes.

package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// lentAddr reports whether &x, an argument of delayed call c, only lends x
// to the task: x is a variable declared before the loop (so every
// iteration passes the same address, and the issue part computes it as F
// does), and nothing the task returns can point into x's memory, so the
// eager part cannot write x through a result. Delayed functions write
// nothing through their arguments (checkDelayed), so the call is then a
// read of x: wholeValue and readable decide whether the issue part may
// make it ahead, and the region's mutation check that nothing changes x
// before the graph runs.
func (p *pipe) lentAddr(c *Call, u *ast.UnaryExpr) bool {
	if u.Op != token.AND {
		return false
	}
	id, ok := ast.Unparen(u.X).(*ast.Ident)
	if !ok {
		return false
	}
	v, _ := p.s.p.TypesInfo.Uses[id].(*types.Var)
	if v == nil || v.IsField() || isGlobal(v) || (p.loop.Pos() <= v.Pos() && v.Pos() < p.loop.End()) {
		return false
	}
	parts := map[types.Type]bool{}
	reachable(v.Type(), parts)
	sig := c.Func.Type().(*types.Signature)
	if inst, ok := c.Instance.Type.(*types.Signature); ok {
		sig = inst // a generic function's results as instantiated
	}
	for i := 0; i < sig.Results().Len(); i++ {
		if mayPointInto(sig.Results().At(i).Type(), parts, map[types.Type]bool{}) {
			p.aliased[u] = c.Func.Name()
			return false
		}
	}
	return true
}

// reachable adds to parts every type whose values may be part of the
// memory reached from a value of t.
func reachable(t types.Type, parts map[types.Type]bool) {
	if parts[t] {
		return
	}
	parts[t] = true
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		reachable(u.Elem(), parts)
	case *types.Slice:
		reachable(u.Elem(), parts)
	case *types.Array:
		reachable(u.Elem(), parts)
	case *types.Chan:
		reachable(u.Elem(), parts)
	case *types.Map:
		reachable(u.Key(), parts)
		reachable(u.Elem(), parts)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			reachable(u.Field(i).Type(), parts)
		}
	}
}

// mayPointInto reports whether a value of t may hold a reference to memory
// of one of the types in parts: a pointer, slice, map or channel of such
// an element, or anything daskgen cannot see through (an interface, a
// function, an unsafe.Pointer, a type parameter).
func mayPointInto(t types.Type, parts map[types.Type]bool, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	in := func(e types.Type) bool {
		for p := range parts {
			if types.Identical(p, e) {
				return true
			}
		}
		return mayPointInto(e, parts, seen)
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Pointer:
		return in(u.Elem())
	case *types.Slice:
		return in(u.Elem())
	case *types.Chan:
		return in(u.Elem())
	case *types.Map:
		return in(u.Key()) || in(u.Elem())
	case *types.Array:
		return mayPointInto(u.Elem(), parts, seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if mayPointInto(u.Field(i).Type(), parts, seen) {
				return true
			}
		}
		return false
	default: // interfaces, functions, type parameters
		return true
	}
}

// path describes what e reaches from its root variable: "[]" for an
// index, ".f" for a field, "*" for a dereference. keyed reports whether the
// first index is the loop's range key.
func (p *pipe) path(e ast.Expr) (string, bool) {
	info := p.s.p.TypesInfo
	var parts []string
	keyed := false
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if qualifiedVar(info, x) != nil {
				return strings.Join(parts, ""), keyed
			}
			parts = append([]string{"." + x.Sel.Name}, parts...)
			e = x.X
		case *ast.IndexExpr:
			parts = append([]string{"[]"}, parts...)
			keyed = p.key != nil && p.s.identVar(x.Index) == p.key
			e = x.X
		case *ast.SliceExpr:
			parts = append([]string{"[]"}, parts...)
			keyed = false
			e = x.X
		case *ast.StarExpr:
			parts = append([]string{"*"}, parts...)
			e = x.X
		default:
			return strings.Join(parts, ""), keyed
		}
	}
}

// hazard says why reading e (an index, field or dereference) in the issue
// part, where F reads it at at, could see memory other than F does, or "".
func (p *pipe) hazard(e ast.Expr, at token.Pos) string {
	info := p.s.p.TypesInfo
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if s := info.Selections[sel]; s == nil || s.Kind() != types.FieldVal {
			return "" // a package name or a method value
		}
	}
	v := rootVar(info, e)
	if v == nil {
		return ""
	}
	if why := p.sameRoot(v, e, at); why != "" {
		return why
	}
	if at := p.location(e); at.ref {
		return p.sharedWith(v, info.TypeOf(e), at.elem, at.inMap, types.ExprString(e))
	}
	return ""
}

// location is where the memory of an access such as xs[i].f or p.n is.
type location struct {
	// ref: it is reached through a reference (a slice's or a map's
	// element, a pointer's target), which other variables may hold too.
	ref bool
	// elem is the type of the elements of the array, or of the pointer's
	// target, that the memory is in: the first reference from the outside
	// in. Another variable reaches it only through a pointer to that type
	// or a part of it, or a slice of that type. Nil when not known.
	elem types.Type
	// inMap is the type of the map whose storage the memory is in, which
	// nothing but a map of that type can reach.
	inMap types.Type
}

// location finds where e's memory is.
func (p *pipe) location(e ast.Expr) location {
	info := p.s.p.TypesInfo
	arrayElem := func(t types.Type) types.Type { // of a slice or a pointer to an array
		switch t := under(t).(type) {
		case *types.Slice:
			return t.Elem()
		case *types.Pointer:
			if a, ok := under(t.Elem()).(*types.Array); ok {
				return a.Elem()
			}
		}
		return nil
	}
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.IndexExpr:
			t := info.TypeOf(x.X)
			switch under(t).(type) {
			case *types.Map:
				return location{ref: true, inMap: t}
			case *types.Slice, *types.Pointer:
				return location{ref: true, elem: arrayElem(t)}
			case *types.Array:
				e = x.X
				continue
			}
			return location{ref: p.location(x.X).ref} // a byte of a string
		case *ast.SliceExpr:
			t := info.TypeOf(x.X)
			if _, ok := under(t).(*types.Array); ok {
				e = x.X
				continue
			}
			return location{ref: true, elem: arrayElem(t)}
		case *ast.StarExpr:
			return location{ref: true, elem: info.TypeOf(x)}
		case *ast.SelectorExpr:
			if pt, ok := under(info.TypeOf(x.X)).(*types.Pointer); ok {
				return location{ref: true, elem: pt.Elem()}
			}
			sel := info.Selections[x]
			if sel == nil {
				return location{} // a package's variable
			}
			if sel.Indirect() {
				return location{ref: true} // through an embedded pointer
			}
			e = x.X
		default:
			return location{}
		}
	}
}

// reaches reports whether a value of type t can lead to memory of type
// cell: t itself, or what its pointers, slices, maps, channels, fields and
// elements lead to. Interfaces and functions are taken to lead nowhere: a
// function given an error or an io.Writer (fmt.Println(err)) is assumed not
// to reach through it into the caller's slices (docs/analyzer.md).
func reaches(t, cell types.Type) bool {
	return anyReachable(t, func(x types.Type) bool { return mayOverlap(x, cell) })
}

// reachesRef reports whether a value of type t can lead to a pointer or a
// slice into memory whose elements are of type elem: a *X where X is elem
// or a part of it (a field, an array element), or a []elem. Interfaces and
// functions lead nowhere, as in reaches.
func reachesRef(t, elem types.Type) bool {
	into := func(x types.Type) bool { return types.Identical(x, elem) || holds(elem, x, 0) }
	return anyReachable(t, func(x types.Type) bool {
		switch u := x.Underlying().(type) {
		case *types.Pointer:
			a, isArray := under(u.Elem()).(*types.Array)
			return into(u.Elem()) || isArray && into(a.Elem())
		case *types.Slice:
			// A slice points into an array of its own element type only.
			return types.Identical(u.Elem(), elem)
		}
		return false
	})
}

// anyReachable reports whether f holds for t or for a type that a value of
// type t leads to through its pointers, slices, arrays, channels, maps and
// fields.
func anyReachable(t types.Type, f func(types.Type) bool) bool {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) bool
	walk = func(t types.Type) bool {
		if seen[t] {
			return false
		}
		seen[t] = true
		if f(t) {
			return true
		}
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			return walk(u.Elem())
		case *types.Slice:
			return walk(u.Elem())
		case *types.Array:
			return walk(u.Elem())
		case *types.Chan:
			return walk(u.Elem())
		case *types.Map:
			return walk(u.Key()) || walk(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				if walk(u.Field(i).Type()) {
					return true
				}
			}
		}
		return false
	}
	return walk(t)
}

// sameRoot says why reading e, rooted at v, where F reads it at at, could
// see a write of the eager part through v, or "".
func (p *pipe) sameRoot(v *types.Var, e ast.Expr, at token.Pos) string {
	path, keyed := p.path(e)
	for _, w := range p.writes[v] {
		switch {
		case p.fresh[v] && at <= w.at && !p.nested(at):
			continue // the iteration's own variable, written after the read
		case w.path == "":
		case keyed && w.keyed && at <= w.at:
			continue // the iteration's own element, written after the read
		case !strings.HasPrefix(w.path, path) && !strings.HasPrefix(path, w.path):
			continue // other memory
		}
		return fmt.Sprintf("reads %s, which the loop's eager code changes at line %d", types.ExprString(e), p.s.line(w.pos))
	}
	return ""
}

// sharedWith says why a read through a reference rooted at v, of a value
// of type cell, could see a write of the eager part through another
// variable that may reach the same memory (two slices of one array, two
// pointers to one struct), or "". A variable whose memory no other
// variable can reach (unshared) neither sees nor makes such writes.
func (p *pipe) sharedWith(v *types.Var, cell, elem, inMap types.Type, what string) string {
	if p.unshared(v) {
		return ""
	}
	var hit *memWrite
	var by *types.Var
	for w, ws := range p.writes {
		if w == v || p.unshared(w) {
			continue
		}
		for k := range ws {
			wr := &ws[k]
			switch {
			case !wr.ref || cell == nil:
				continue
			case wr.cell != nil && (wr.inMap != nil || inMap != nil):
				// A map's storage: only another map of the same type.
				if wr.inMap == nil || inMap == nil || !types.Identical(wr.inMap, inMap) {
					continue
				}
			case wr.cell != nil && !mayOverlap(wr.cell, cell):
				continue
			case wr.cell == nil && wr.reach != nil && inMap != nil && !reaches(wr.reach, inMap):
				continue
			case wr.cell == nil && wr.reach != nil && inMap == nil && elem != nil && !reachesRef(wr.reach, elem):
				continue
			case wr.cell == nil && wr.reach != nil && inMap == nil && elem == nil && !reaches(wr.reach, cell):
				continue
			}
			if hit == nil || wr.pos < hit.pos {
				hit, by = wr, w
			}
		}
	}
	if hit == nil {
		return ""
	}
	return fmt.Sprintf("reads %s, which may be the memory that the loop's eager code changes through %s at line %d (daskgen cannot tell that %s and %s do not share it; a slice the function makes itself, with make, does not)", what, by.Name(), p.s.line(hit.pos), v.Name(), by.Name())
}

// mayOverlap reports whether a value of type a and one of type b can be,
// or contain, the same memory: identical types, or one holding the other
// in a field or an array element.
func mayOverlap(a, b types.Type) bool {
	return types.Identical(a, b) || holds(a, b, 0) || holds(b, a, 0)
}

// holds reports whether a value of type outer contains, in place, one of
// type inner.
func holds(outer, inner types.Type, depth int) bool {
	if depth > 8 {
		return true // deep nesting: assume it does
	}
	switch t := outer.Underlying().(type) {
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i).Type()
			if types.Identical(f, inner) || holds(f, inner, depth+1) {
				return true
			}
		}
	case *types.Array:
		return types.Identical(t.Elem(), inner) || holds(t.Elem(), inner, depth+1)
	}
	return false
}

// unshared reports whether no variable but v can reach v's memory: v is
// a local variable of the function, made by make, new, a composite literal
// or nil, and only ever indexed, measured, ranged over, returned (also
// converted as it is returned: return Names(v)), or grown by v = append(v,
// ...), never copied, sliced or passed anywhere else.
func (p *pipe) unshared(v *types.Var) bool {
	if p.unsharedMemo == nil {
		p.unsharedMemo = map[*types.Var]bool{}
	}
	if ok, seen := p.unsharedMemo[v]; seen {
		return ok
	}
	ok := p.s.unshared(v, p.loop)
	p.unsharedMemo[v] = ok
	return ok
}

// unshared reports whether no variable but v can reach v's memory while
// loop runs (see pipe.unshared), looking at every use of v in the function.
// Passing v to a function after the loop (return slices.MinFunc(v, less))
// cannot make another variable share it during the loop, unless the loop
// runs again afterwards, inside another loop.
func (s *rs) unshared(v *types.Var, loop ast.Stmt) bool {
	body := s.r.Func.Body
	if v.IsField() || isGlobal(v) || !(body.Pos() <= v.Pos() && v.Pos() < body.End()) {
		return false // a parameter, a result, a field or a package variable
	}
	info := s.p.TypesInfo
	made := func(e ast.Expr) bool {
		switch x := ast.Unparen(e).(type) {
		case *ast.CompositeLit:
			return true
		case *ast.UnaryExpr:
			_, lit := ast.Unparen(x.X).(*ast.CompositeLit)
			return x.Op == token.AND && lit
		case *ast.Ident:
			return x.Name == "nil" && info.Uses[x] == types.Universe.Lookup("nil")
		case *ast.CallExpr:
			if s.isBuiltin(x, "make") || s.isBuiltin(x, "new") {
				return true
			}
			return s.isBuiltin(x, "append") && len(x.Args) > 0 && s.identVar(x.Args[0]) == v
		}
		return false
	}
	ok := true
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if !ok {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		defer func() { stack = append(stack, n) }()
		id, isID := n.(*ast.Ident)
		if !isID || (info.Uses[id] != v && info.Defs[id] != v) {
			return true
		}
		if len(stack) == 0 {
			ok = false
			return false
		}
		switch par := stack[len(stack)-1].(type) {
		case *ast.IndexExpr:
			ok = par.X == id // v[i]; v as an index would be odd, but harmless
		case *ast.RangeStmt:
			ok = par.X == id
		case *ast.ReturnStmt:
		case *ast.CallExpr:
			switch {
			case s.isBuiltin(par, "len"), s.isBuiltin(par, "cap"):
			case len(par.Args) == 1 && info.Types[par.Fun].IsType() && len(stack) >= 2:
				// return T(v): returned, as the type the function returns.
				_, ok = stack[len(stack)-2].(*ast.ReturnStmt)
			case s.isBuiltin(par, "append") && len(par.Args) > 0 && par.Args[0] == id:
				// v = append(v, ...): checked with the assignment below.
				if len(stack) < 2 {
					ok = false
					break
				}
				as, isAs := stack[len(stack)-2].(*ast.AssignStmt)
				ok = isAs && len(as.Lhs) == 1 && s.identVar(as.Lhs[0]) == v
			default:
				ok = loop != nil && id.Pos() >= loop.End() && !s.enclosed(loop)
			}
		case *ast.AssignStmt:
			k := slices.IndexFunc(par.Lhs, func(e ast.Expr) bool { return e == ast.Expr(id) })
			ok = k >= 0 && len(par.Lhs) == len(par.Rhs) && made(par.Rhs[k])
		case *ast.ValueSpec:
			k := slices.IndexFunc(par.Names, func(e *ast.Ident) bool { return e == id })
			ok = k >= 0 && (len(par.Values) == 0 || (len(par.Values) == len(par.Names) && made(par.Values[k])))
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// enclosed reports whether loop is inside another loop of the function.
func (s *rs) enclosed(loop ast.Stmt) bool {
	found := false
	ast.Inspect(s.r.Func.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			if n != loop && n.Pos() <= loop.Pos() && loop.End() <= n.End() {
				found = true
			}
		}
		return !found
	})
	return found
}
