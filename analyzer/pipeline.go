package analyzer

import (
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"go/types"
	"go/version"
	"slices"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Pipelined loops (DESIGN.md, "Pipelined loops").
//
// A loop of a region whose body waits for a delayed value is split in two.
// The issue part is the loop's header and the statements of the body that
// compute the arguments of its delayed calls, and the calls: it runs ahead,
// in a goroutine of its own, up to a window of iterations. The eager part is
// the rest of the body: it runs one iteration at a time, in F's order, and
// waits only for its own iteration's values.
//
// A statement of the body moves to the issue part when it can run before the
// eager code of the iterations before it without changing what it computes:
// it assigns variables declared in the body (or is a delayed call whose
// result is dropped); it reads only the loop's own variables, variables
// the loop does not change, and variables that moved statements define; the
// functions it calls are delayed, or are known to touch nothing but their
// arguments; what it reads through pointers, slices and maps, the eager
// code does not change (or changes only in the iteration's own element,
// after the read); and it is not under a condition that waits for a delayed
// value. The analysis repeats until no statement changes side, since a
// statement that stays leaves its variables to the eager part.

// Pipeline is a loop of a region whose iterations run ahead of its eager
// part.
type Pipeline struct {
	Loop   ast.Stmt // *ast.ForStmt or *ast.RangeStmt
	Window int      // iterations issued ahead at most; 0 for the runtime's default
	// Steps are what the issue part does, in source order; step k (counted
	// from 1) is Steps[k-1].
	Steps []*Step
	// Vars are what the issue part hands the eager part: the variables the
	// loop's header defines and those the moved statements assign, by
	// position.
	Vars []*types.Var
	// Indexed says that the loop ranges over a slice, an array, a pointer
	// to an array or an integer: its iterations are numbered, and since
	// the issue part assigns only variables of the body, an iteration's
	// issue part depends on its number alone, so that several run at once.
	Indexed bool
	// Detached says that, in an indexed loop, the eager parts of different
	// iterations commute: each only defines variables of its own and
	// stores values of its own iteration into the element of a slice (or
	// array) at the loop's index (out[i] = f(x)), a slice the function made
	// that nothing else in the loop reads. A producer may then run an
	// iteration's eager part itself, as soon as its values are known,
	// instead of handing the iteration over.
	Detached bool
}

// Step is one part of a pipelined loop's issue part: a statement of the
// body that runs there instead of in the eager part, or a delayed call that
// starts there while the statement it is in stays eager (out[i] = f(x),
// if keep(x) {...}, fmt.Fprintln(w, f(x))).
type Step struct {
	Stmt ast.Stmt      // the statement moved, or the eager statement Call is in
	Call *ast.CallExpr // the delayed call issued ahead, or nil when Stmt moves
	// Guards are the if statements of the body around the step, outermost
	// first: the issue part evaluates their conditions too (their values
	// depend only on what the issue part has).
	Guards []*ast.IfStmt
}

// pipe is the analysis of one loop.
type pipe struct {
	s      *rs
	loop   ast.Stmt
	body   *ast.BlockStmt
	header map[*types.Var]bool
	// fresh holds the header's variables that are new in each iteration
	// and that the header does not read: a range's, since Go 1.22. The
	// body may write them; the issue part reads them before any write of
	// the iteration (freshWrite).
	fresh map[*types.Var]bool
	key   *types.Var // the index variable of a range over a slice, array or string
	hobj  *types.Var // the variable whose method the for condition calls (sc in sc.Scan())

	unsharedMemo map[*types.Var]bool

	assigned map[*types.Var][]token.Pos // variables the loop assigns, and where
	writes   map[*types.Var][]memWrite  // writes through variables in the loop
	lent     map[*ast.UnaryExpr]bool    // &x passed to a delayed call, which only reads it (lentAddr)
	aliased  map[*ast.UnaryExpr]string  // &x passed to a delayed function whose result may point into x

	cands  []*cand
	byStmt map[ast.Stmt]*cand
	defs   map[*types.Var][]*cand // the candidates assigning each body variable
}

// cand is a statement of the body that runs in every iteration that
// reaches its guards: it may move to the issue part, or the delayed calls
// in it may.
type cand struct {
	stmt    ast.Stmt
	guards  []*ast.IfStmt
	movable bool   // it could run in the issue part
	moved   bool   // it does: the issue part needs what it computes
	why     string // why it cannot move, when it cannot
	hoisted []*ast.CallExpr
	callWhy map[*ast.CallExpr]string // why a delayed call in it is not issued ahead
}

// memWrite is a write through a variable: path is what is written, such as
// "[].Score" for items[i].Score, or "" when unknown (a method call, an
// address taken).
type memWrite struct {
	pos   token.Pos // where, for messages
	at    token.Pos // when: the end of the statement that writes
	path  string
	keyed bool // the first index is the range key
	// ref says that the write goes through a reference (a slice's
	// element, a pointer's target, a map's value), to memory that another
	// variable may reach too; cell is the type of what is written, or nil
	// when not known (a method, a call that is passed the variable).
	ref  bool
	cell types.Type
	// reach is, for a write daskgen cannot see, the type of the variable
	// it goes through: it may change any memory that type reaches.
	reach types.Type
	// inMap is the type of the map whose storage the write is in (m[k] =
	// v), which nothing but a map of that type can reach.
	inMap types.Type
}

// pipelines finds the loops of the region that wait in their body and
// splits those that can be split.
func (s *rs) pipelines() {
	for _, l := range s.loops {
		if s.r.Directive.Unordered {
			break // worklists run in completion order instead
		}
		var waits []*Barrier
		for _, b := range s.r.Barriers {
			if b.InLoop && !b.Return && s.innermost(b.Pos) == l {
				waits = append(waits, b)
			}
		}
		if len(waits) == 0 {
			continue
		}
		pl, why := s.pipeline(l)
		if pl == nil {
			for _, b := range waits {
				b.Serial = why
			}
			continue
		}
		for _, b := range waits {
			b.Pipelined = true
			b.Commutes = pl.Detached
		}
		pl.Window = s.r.Directive.Window
		s.r.Pipelines = append(s.r.Pipelines, pl)
	}
	slices.SortFunc(s.r.Pipelines, func(a, b *Pipeline) int { return int(a.Loop.Pos() - b.Loop.Pos()) })
}

// innermost returns the innermost loop of the region that pos is in an
// iteration of.
func (s *rs) innermost(pos token.Pos) ast.Stmt {
	var best ast.Stmt
	for _, l := range s.loops {
		if s.iterationOf(l, pos) && (best == nil || l.Pos() >= best.Pos() && l.End() <= best.End()) {
			best = l
		}
	}
	return best
}

// iterationOf reports whether pos is in the part of l that runs every
// iteration.
func (s *rs) iterationOf(l ast.Stmt, pos token.Pos) bool {
	var from token.Pos
	switch l := l.(type) {
	case *ast.RangeStmt:
		from = l.Body.Pos()
	case *ast.ForStmt:
		from = l.Body.Pos()
		if l.Cond != nil {
			from = l.Cond.Pos()
		} else if l.Post != nil {
			from = l.Post.Pos()
		}
	}
	return from <= pos && pos < l.End()
}

// pipeline splits loop l, or says why it cannot.
func (s *rs) pipeline(l ast.Stmt) (*Pipeline, string) {
	p := &pipe{s: s, loop: l, header: map[*types.Var]bool{}, fresh: map[*types.Var]bool{}, assigned: map[*types.Var][]token.Pos{},
		writes: map[*types.Var][]memWrite{}, lent: map[*ast.UnaryExpr]bool{}, aliased: map[*ast.UnaryExpr]string{}, byStmt: map[ast.Stmt]*cand{}, defs: map[*types.Var][]*cand{}}
	p.scanEffects()
	if why := p.headerOK(); why != "" {
		return nil, why
	}
	p.walk(p.body.List, nil)
	p.settle()
	var pl Pipeline
	pl.Loop = l
	issues := false
	for _, c := range p.cands {
		if c.moved {
			pl.Steps = append(pl.Steps, &Step{Stmt: c.stmt, Guards: c.guards})
			issues = issues || p.callsDelayed(c.stmt)
			continue
		}
		for _, call := range c.hoisted {
			pl.Steps = append(pl.Steps, &Step{Stmt: c.stmt, Call: call, Guards: c.guards})
			issues = true
		}
	}
	if !issues {
		return nil, p.firstWhy()
	}
	p.reportSerial()
	pl.Indexed = p.indexed()
	pl.Detached = pl.Indexed && p.detached()
	seen := map[*types.Var]bool{}
	for v := range p.header {
		seen[v] = true
		pl.Vars = append(pl.Vars, v)
	}
	for _, st := range pl.Steps {
		if st.Call != nil {
			continue
		}
		for _, v := range p.assigns(st.Stmt) {
			if !seen[v] {
				seen[v] = true
				pl.Vars = append(pl.Vars, v)
			}
		}
	}
	slices.SortFunc(pl.Vars, func(a, b *types.Var) int { return int(a.Pos() - b.Pos()) })
	return &pl, ""
}

// scanEffects records what the loop assigns and writes through.
func (p *pipe) scanEffects() {
	info := p.s.p.TypesInfo
	switch l := p.loop.(type) {
	case *ast.RangeStmt:
		p.body = l.Body
	case *ast.ForStmt:
		p.body = l.Body
	}
	var key *types.Var
	if r, ok := p.loop.(*ast.RangeStmt); ok && r.Key != nil && r.Tok == token.DEFINE {
		switch under(info.TypeOf(r.X)).(type) {
		case *types.Slice, *types.Array, *types.Basic:
			key = p.s.identVar(r.Key)
		case *types.Pointer: // a pointer to an array
			key = p.s.identVar(r.Key)
		}
	}
	p.key = key
	write := func(e ast.Expr, pos, at token.Pos) {
		v := rootVar(info, e)
		if v == nil {
			return
		}
		if id, ok := ast.Unparen(e).(*ast.Ident); ok && id.Name != "_" {
			p.assigned[v] = append(p.assigned[v], pos)
			return
		}
		path, keyed := p.path(e)
		loc := p.location(e)
		p.writes[v] = append(p.writes[v], memWrite{pos: pos, at: at, path: path, keyed: keyed, ref: loc.ref, cell: info.TypeOf(e), inMap: loc.inMap})
	}
	// unknown is a write through v that daskgen cannot see: any memory v
	// reaches.
	unknown := func(v *types.Var, pos token.Pos) memWrite {
		return memWrite{pos: pos, at: pos, ref: hasRefs(v.Type(), map[types.Type]bool{}), reach: v.Type()}
	}
	ast.Inspect(p.loop, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				write(l, n.Pos(), n.End())
			}
		case *ast.IncDecStmt:
			write(n.X, n.Pos(), n.End())
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil {
						write(e, n.Pos(), n.Body.Pos())
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && !p.lent[n] {
				if v := rootVar(info, n.X); v != nil {
					p.assigned[v] = append(p.assigned[v], n.Pos())
					w := unknown(v, n.Pos())
					w.ref = w.ref || p.location(n.X).ref
					p.writes[v] = append(p.writes[v], w)
				}
			}
		case *ast.CallExpr:
			if c := p.s.calls[n]; c != nil {
				for _, a := range n.Args {
					if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && p.lentAddr(c, u) {
						p.lent[u] = true
					}
				}
				return true // delayed functions write nothing (checkDelayed)
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && !p.pureMethod(s.Obj().(*types.Func)) {
					if v := rootVar(info, sel.X); v != nil {
						p.writes[v] = append(p.writes[v], unknown(v, n.Pos()))
					}
				}
			}
			if p.pureCall(n) {
				return true
			}
			for _, a := range n.Args {
				if v := rootVar(info, a); v != nil && hasRefs(info.TypeOf(a), map[types.Type]bool{}) {
					p.writes[v] = append(p.writes[v], unknown(v, n.Pos()))
				}
			}
		}
		return true
	})
}

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

// headerOK checks that the loop's header can run ahead of the body, and
// records the variables it defines.
func (p *pipe) headerOK() string {
	info := p.s.p.TypesInfo
	early := p.earlyExit()
	switch l := p.loop.(type) {
	case *ast.RangeStmt:
		if l.Tok == token.ASSIGN {
			v := rootVar(info, l.Key)
			return fmt.Sprintf("the range assigns %s, which is declared outside the loop; declare the loop's variables with :=", v.Name())
		}
		perIteration := version.Compare(p.s.p.goVersionAt(l.Pos()), "go1.22") >= 0
		for _, e := range []ast.Expr{l.Key, l.Value} {
			if v := p.s.identVar(e); v != nil {
				p.header[v] = true
				if perIteration {
					p.fresh[v] = true
				}
			}
		}
		switch under(info.TypeOf(l.X)).(type) {
		case *types.Chan:
			if early.IsValid() {
				return fmt.Sprintf("the loop receives from %s ahead of its body, and the %s at line %d would leave items received that F never takes", types.ExprString(l.X), p.exitWord(early), p.s.line(early))
			}
		case *types.Signature:
			if early.IsValid() {
				return fmt.Sprintf("the loop's iterator %s would run ahead of its body, past the %s at line %d where F stops it", types.ExprString(l.X), p.exitWord(early), p.s.line(early))
			}
		}
		if p.s.lazy(l.X) {
			return "" // computed before the loop starts
		}
		if why := p.rangeReads(l); why != "" {
			return why
		}
	case *ast.ForStmt:
		if l.Init != nil {
			as, ok := l.Init.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE {
				return "the loop's init statement does not declare its variables with :="
			}
			for _, e := range as.Lhs {
				if v := p.s.identVar(e); v != nil {
					p.header[v] = true
				}
			}
			for _, e := range as.Rhs {
				if p.s.lazy(e) {
					return "the loop's init statement reads a delayed value"
				}
			}
		}
		if l.Post != nil {
			ok := true
			ast.Inspect(l.Post, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.IncDecStmt:
					ok = ok && p.header[p.s.identVar(n.X)]
				case *ast.AssignStmt:
					for _, e := range n.Lhs {
						ok = ok && p.header[p.s.identVar(e)]
					}
					for _, e := range n.Rhs {
						if why := p.computable(e, nil, p.loop.Pos()); why != "" {
							ok = false
						}
					}
				}
				return true
			})
			if !ok {
				return "the loop's post statement " + nodeString(p.s.p.Fset, l.Post) + " does more than step the loop's own variables"
			}
		}
		if l.Cond != nil {
			if why := p.computable(l.Cond, nil, p.loop.Pos()); why != "" {
				// A call of a method of a local variable, such as sc.Scan():
				// it runs in the issue part, in order.
				c, ok := ast.Unparen(l.Cond).(*ast.CallExpr)
				if !ok {
					return "the loop's condition " + why
				}
				sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
				if !ok {
					return "the loop's condition " + why
				}
				v := p.s.identVar(sel.X)
				if v == nil || isGlobal(v) {
					return "the loop's condition " + why
				}
				for _, a := range c.Args {
					if w := p.computable(a, nil, p.loop.Pos()); w != "" {
						return "the loop's condition " + w
					}
				}
				// Ahead of the body, the condition steps v past where F
				// stops. That is invisible when nothing sees v afterwards:
				// a local of F, after a return, or not used after the loop.
				exit := early
				if p.s.r.Func.Body.Pos() <= v.Pos() && v.Pos() < p.s.r.Func.Body.End() {
					exit = p.earlyExitNoReturn()
					if exit.IsValid() && !p.usedAfter(v) {
						exit = token.NoPos
					}
				}
				if exit.IsValid() {
					return fmt.Sprintf("the loop's condition %s would run ahead of the body, past the %s at line %d where F stops, and %s is used after the loop", nodeString(p.s.p.Fset, l.Cond), p.exitWord(exit), p.s.line(exit), v.Name())
				}
				p.hobj = v
			}
		}
	}
	for v := range p.header {
		if p.fresh[v] {
			continue // the header sets it anew, without reading it
		}
		for _, pos := range p.assigned[v] {
			if p.inBody(pos) {
				if _, ok := p.loop.(*ast.RangeStmt); ok {
					if gv := p.s.p.goVersionAt(pos); gv != "" {
						return fmt.Sprintf("the body assigns %s at line %d, and its iterations share the variable (the file is %s; since Go 1.22 each has its own)", v.Name(), p.s.line(pos), gv)
					}
					return fmt.Sprintf("the body assigns %s at line %d, and its iterations may share the variable (the file's Go version is not known; since Go 1.22 each has its own)", v.Name(), p.s.line(pos))
				}
				return fmt.Sprintf("the body assigns %s at line %d, and the loop's header needs it", v.Name(), p.s.line(pos))
			}
		}
	}
	return ""
}

// earlyExit returns the position of a statement that leaves the loop before
// its header says so: a return, a break of it, a goto, or a branch to a
// label outside it.
func (p *pipe) earlyExit() token.Pos { return p.exit(true) }

// earlyExitNoReturn is earlyExit without returns.
func (p *pipe) earlyExitNoReturn() token.Pos { return p.exit(false) }

func (p *pipe) exit(returns bool) token.Pos {
	return p.s.exitIn(p.body, returns, false, p.labelInside)
}

// inBody reports whether pos is in the loop's body: a variable declared
// there is the iteration's own.
func (p *pipe) inBody(pos token.Pos) bool { return p.body.Pos() <= pos && pos < p.body.End() }

func (p *pipe) labelInside(l *ast.Ident) bool {
	obj := p.s.p.TypesInfo.Uses[l]
	return obj != nil && p.inBody(obj.Pos())
}

func (p *pipe) exitWord(pos token.Pos) string {
	found := "exit"
	ast.Inspect(p.body, func(n ast.Node) bool {
		if n != nil && n.Pos() == pos {
			switch n := n.(type) {
			case *ast.ReturnStmt:
				found = "return"
			case *ast.BranchStmt:
				found = n.Tok.String()
			}
			return false
		}
		return true
	})
	return found
}

// usedAfter reports whether v is read after the loop in the function.
func (p *pipe) usedAfter(v *types.Var) bool {
	used := false
	ast.Inspect(p.s.r.Func.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Pos() >= p.loop.End() && p.s.p.TypesInfo.Uses[id] == v {
			used = true
		}
		return !used
	})
	return used || !(p.s.r.Func.Body.Pos() <= v.Pos() && v.Pos() < p.s.r.Func.Body.End())
}

// walk collects the candidates of a block, under guards.
func (p *pipe) walk(list []ast.Stmt, guards []*ast.IfStmt) {
	add := func(st ast.Stmt) {
		c := &cand{stmt: st, guards: guards, movable: true, callWhy: map[*ast.CallExpr]string{}}
		p.cands = append(p.cands, c)
		p.byStmt[st] = c
		for _, v := range p.assigns(st) {
			p.defs[v] = append(p.defs[v], c)
		}
	}
	for _, st := range list {
		switch st := st.(type) {
		case *ast.AssignStmt, *ast.DeclStmt, *ast.ExprStmt, *ast.IncDecStmt:
			add(st)
		case *ast.BlockStmt:
			p.walk(st.List, guards)
		case *ast.IfStmt:
			if p.s.idioms[st] {
				continue
			}
			if st.Init != nil {
				add(st.Init)
			}
			add(st) // its condition
			g := append(guards[:len(guards):len(guards)], st)
			p.walk(st.Body.List, g)
			switch e := st.Else.(type) {
			case *ast.BlockStmt:
				p.walk(e.List, g)
			case *ast.IfStmt:
				p.walk([]ast.Stmt{e}, g)
			}
		case *ast.SwitchStmt:
			if st.Init != nil {
				add(st.Init)
			}
			add(st) // its tag
		case *ast.TypeSwitchStmt:
			if st.Init != nil {
				add(st.Init)
			}
		}
	}
}

// assigns lists the variables a candidate assigns.
func (p *pipe) assigns(st ast.Stmt) []*types.Var {
	var out []*types.Var
	switch st := st.(type) {
	case *ast.AssignStmt:
		for _, l := range st.Lhs {
			if v := p.s.identVar(l); v != nil {
				out = append(out, v)
			}
		}
	case *ast.DeclStmt:
		if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, sp := range gd.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					if v := p.s.identVar(id); v != nil {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// settle decides what runs in the issue part. First the statements that
// could move are found, to a fixed point: a statement stays in the eager
// part when it reads a variable that eager code assigns. Then the delayed
// calls whose arguments the issue part can compute are issued there, and the
// statements that compute what they read move with them, as do the
// statements that read the state the loop's header steps (sc.Text()).
func (p *pipe) settle() {
	for changed := true; changed; {
		changed = false
		for _, c := range p.cands {
			if !c.movable {
				continue
			}
			if why := p.movable(c); why != "" {
				c.movable, c.why = false, why
				changed = true
			}
		}
	}
	needVar := map[*types.Var]bool{}
	var move func(c *cand)
	needs := func(nodes ...ast.Node) {
		for _, r := range nodes {
			ast.Inspect(r, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if v, ok := p.s.p.TypesInfo.Uses[id].(*types.Var); ok && !needVar[v] && p.defs[v] != nil {
						needVar[v] = true
						for _, d := range p.defs[v] {
							move(d)
						}
					}
				}
				return true
			})
		}
	}
	move = func(c *cand) {
		if c.moved {
			return
		}
		c.moved = true
		for _, v := range p.assigns(c.stmt) {
			if !needVar[v] {
				needVar[v] = true
				for _, d := range p.defs[v] {
					move(d)
				}
			}
		}
		needs(c.stmt)
		for _, g := range c.guards {
			needs(g.Cond)
		}
	}
	for _, c := range p.cands {
		if c.movable && p.readsHeaderObj(c.stmt) {
			move(c)
		}
	}
	for _, c := range p.cands {
		for _, call := range p.hoistable(c) {
			c.hoisted = append(c.hoisted, call)
			needs(call)
			for _, g := range c.guards {
				needs(g.Cond)
			}
		}
	}
	for _, c := range p.cands {
		if c.moved {
			c.hoisted = nil // its calls run with it
		}
	}
}

// hoistable returns the delayed calls of candidate c that the issue part can
// start: those the eager part makes whenever it reaches c (not on the right
// of && or ||, nor in a function literal or a return), whose receiver and
// arguments it can compute. It records why the others cannot start ahead.
func (p *pipe) hoistable(c *cand) []*ast.CallExpr {
	var roots []ast.Expr
	switch st := c.stmt.(type) {
	case *ast.AssignStmt:
		for _, l := range st.Lhs {
			if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
				roots = append(roots, ix.Index) // evaluated before the right side
			}
		}
		roots = append(roots, st.Rhs...)
	case *ast.DeclStmt:
		for _, sp := range st.Decl.(*ast.GenDecl).Specs {
			if vs, ok := sp.(*ast.ValueSpec); ok {
				roots = append(roots, vs.Values...)
			}
		}
	case *ast.ExprStmt:
		roots = []ast.Expr{st.X}
	case *ast.IfStmt:
		roots = []ast.Expr{st.Cond}
	case *ast.SwitchStmt:
		if st.Tag != nil {
			roots = []ast.Expr{st.Tag}
		}
	}
	var out []*ast.CallExpr
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.X, visit)
				return false
			}
		case *ast.CallExpr:
			if p.s.calls[n] == nil {
				return true
			}
			why := p.guardsOK(c)
			if why == "" {
				why = p.callComputable(n, c)
			}
			if why == "" {
				out = append(out, n)
				return false
			}
			c.callWhy[n] = why
			return true // an argument may still start ahead
		}
		return true
	}
	for _, r := range roots {
		ast.Inspect(r, visit)
	}
	return out
}

// guardsOK says why the issue part cannot evaluate c's guards, or "".
func (p *pipe) guardsOK(c *cand) string {
	for _, g := range c.guards {
		if g.Init != nil && !p.byStmt[g.Init].movable {
			return "is inside an if whose init statement stays in the eager part"
		}
		if b := p.waitsIn(g.Cond); b != nil {
			return "is inside an if whose condition waits for " + b.What
		}
		if why := p.computable(g.Cond, c, g.Cond.End()); why != "" {
			return "is inside an if whose condition " + why
		}
	}
	return ""
}

// callComputable says why the issue part cannot make delayed call call of
// candidate c, or "".
func (p *pipe) callComputable(call *ast.CallExpr, c *cand) string {
	exprs := slices.Clone(call.Args)
	if fn := p.s.calls[call].Func; len(exprs) > 0 {
		if ps := fn.Type().(*types.Signature).Params(); ps.Len() > 0 && isContextType(ps.At(0).Type()) {
			exprs = exprs[1:] // the task gets the twin's context instead
		}
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s := p.s.p.TypesInfo.Selections[sel]; s != nil {
			exprs = append(exprs, sel.X)
		}
	}
	for _, e := range exprs {
		if b := p.waitsIn(e); b != nil {
			return fmt.Sprintf("has an argument, %s, that waits for %s (%s)", nodeString(p.s.p.Fset, e), b.What, b.Reason)
		}
		if why := p.computable(e, c, call.End()); why != "" {
			return why
		}
	}
	return ""
}

// waitsIn returns a wait of the eager part inside n, or nil.
func (p *pipe) waitsIn(n ast.Node) *Barrier {
	for _, b := range p.s.r.Barriers {
		if !b.Return && n.Pos() <= b.Pos && b.Pos < n.End() {
			return b
		}
	}
	return nil
}

// movable says why candidate c cannot run in the issue part, or "".
func (p *pipe) movable(c *cand) string {
	if why := p.guardsOK(c); why != "" {
		return why
	}
	if b := p.waitsIn(c.stmt); b != nil {
		return fmt.Sprintf("waits for %s (%s)", b.What, b.Reason)
	}
	var rhs []ast.Expr
	switch st := c.stmt.(type) {
	case *ast.AssignStmt:
		if st.Tok != token.DEFINE && st.Tok != token.ASSIGN {
			return "updates " + types.ExprString(st.Lhs[0]) + " in place"
		}
		for _, l := range st.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
				continue
			}
			v := p.s.identVar(l)
			if v == nil {
				return "stores into " + types.ExprString(l)
			}
			if why := p.bodyVar(v); why != "" {
				return why
			}
		}
		rhs = st.Rhs
		if len(st.Lhs) != len(st.Rhs) {
			if call, ok := ast.Unparen(st.Rhs[0]).(*ast.CallExpr); !ok || (p.s.calls[call] == nil && !p.pureCall(call)) {
				return "assigns several results of " + types.ExprString(st.Rhs[0])
			}
		}
	case *ast.DeclStmt:
		for _, sp := range st.Decl.(*ast.GenDecl).Specs {
			vs, ok := sp.(*ast.ValueSpec)
			if !ok {
				return "declares a type or a constant"
			}
			for _, id := range vs.Names {
				if v := p.s.identVar(id); v != nil {
					if why := p.bodyVar(v); why != "" {
						return why
					}
				}
			}
			rhs = append(rhs, vs.Values...)
		}
	case *ast.ExprStmt:
		call, ok := ast.Unparen(st.X).(*ast.CallExpr)
		if !ok || p.s.calls[call] == nil {
			return "is eager code"
		}
		rhs = []ast.Expr{st.X}
	default:
		return "is eager code"
	}
	for _, e := range rhs {
		if why := p.computable(e, c, c.stmt.End()); why != "" {
			return why
		}
	}
	return ""
}

// bodyVar says why v cannot be handed from the issue part to the eager
// part, or "": it must be declared in the body, assigned only by moved
// statements, and read by the eager part only after its last assignment.
func (p *pipe) bodyVar(v *types.Var) string {
	if !p.inBody(v.Pos()) {
		return fmt.Sprintf("assigns %s, which is declared outside the loop", v.Name())
	}
	var last token.Pos
	for _, pos := range p.assigned[v] {
		c := p.stmtAt(pos)
		if c == nil || !c.movable {
			return fmt.Sprintf("assigns %s, which eager code also assigns at line %d", v.Name(), p.s.line(pos))
		}
		last = max(last, pos)
	}
	for _, d := range p.defs[v] {
		last = max(last, d.stmt.Pos())
	}
	// Reads by the eager part.
	bad := token.NoPos
	ast.Inspect(p.body, func(n ast.Node) bool {
		if bad.IsValid() {
			return false
		}
		if st, ok := n.(ast.Stmt); ok {
			if c := p.byStmt[st]; c != nil && c.movable {
				return false // read by the issue part
			}
			if ifs, ok := st.(*ast.IfStmt); ok && p.s.idioms[ifs] {
				return false // the error idiom: the twin does not run it
			}
		}
		if id, ok := n.(*ast.Ident); ok && p.s.p.TypesInfo.Uses[id] == v && id.Pos() < last {
			bad = id.Pos()
		}
		return true
	})
	if bad.IsValid() {
		return fmt.Sprintf("assigns %s, which eager code reads at line %d before it is assigned again at line %d", v.Name(), p.s.line(bad), p.s.line(last))
	}
	return ""
}

// stmtAt returns the simple statement among the candidates that contains
// pos.
func (p *pipe) stmtAt(pos token.Pos) *cand {
	for _, c := range p.cands {
		switch c.stmt.(type) {
		case *ast.IfStmt, *ast.SwitchStmt:
			continue
		}
		if c.stmt.Pos() <= pos && pos < c.stmt.End() {
			return c
		}
	}
	return nil
}

// computable says why e cannot be evaluated in the issue part of candidate
// c (nil for the header), or "". The eager part would read e's memory at
// at: writes of the eager part before that are seen.
func (p *pipe) computable(e ast.Expr, c *cand, at token.Pos) string {
	info := p.s.p.TypesInfo
	why := ""
	// Variables read through a field, index or dereference, whose writes
	// hazard checks path by path; the others are read whole.
	rooted := map[*ast.Ident]bool{}
	ast.Inspect(e, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			why = "has a function literal"
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if !ok || v.IsField() {
				return true
			}
			if why = p.readable(v, c); why == "" && p.fresh[v] {
				why = p.freshWrite(v, at)
			}
			if why == "" && !rooted[n] {
				why = p.wholeValue(v, at)
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				why = "receives from a channel"
			}
			if n.Op == token.AND && !p.lent[n] {
				if _, lit := ast.Unparen(n.X).(*ast.CompositeLit); !lit {
					why = "takes the address of " + types.ExprString(n.X)
					if fn := p.aliased[n]; fn != "" {
						why += ", and what " + fn + " returns could point into it"
					}
				}
			}
		case *ast.CallExpr:
			if p.s.calls[n] != nil {
				return true
			}
			tv := info.Types[n.Fun]
			if tv.IsType() {
				return true
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && p.hobj != nil && rootVar(info, sel.X) == p.hobj {
				if res := info.TypeOf(n); res != nil && hasRefs(res, map[types.Type]bool{}) {
					why = fmt.Sprintf("calls %s, whose result shares memory that the next %s overwrites", types.ExprString(n.Fun), nodeString(p.s.p.Fset, p.loop.(*ast.ForStmt).Cond))
				}
				return true // reads the header's state: runs with the header
			}
			if !p.pureCall(n) {
				why = "calls " + calleeName(info, n) + ", which daskgen cannot run ahead of the loop's eager code"
			}
		case *ast.IndexExpr, *ast.SelectorExpr, *ast.StarExpr, *ast.SliceExpr:
			if why = p.hazard(n.(ast.Expr), at); why != "" {
				return false
			}
			// The variable this field, index or dereference is of is read
			// in part; a method value (c.Get) reads its receiver whole.
			var x ast.Expr
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if s := info.Selections[n]; s != nil && s.Kind() == types.FieldVal {
					x = n.X
				}
			case *ast.IndexExpr:
				x = n.X
			case *ast.SliceExpr:
				x = n.X
			case *ast.StarExpr:
				x = n.X
			}
			if id, ok := ast.Unparen(x).(*ast.Ident); ok {
				rooted[id] = true
			}
		}
		return true
	})
	return why
}

// wholeValue says why the issue part cannot read struct or array variable
// v whole, where F reads it at at, or "": the loop's eager code writes a
// field or element of v (c.n++), which changes the value F reads in later
// iterations, or in this one when the write comes first.
func (p *pipe) wholeValue(v *types.Var, at token.Pos) string {
	switch under(v.Type()).(type) {
	case *types.Struct, *types.Array:
	default:
		return "" // a reference or a basic value: only an assignment changes it (readable)
	}
	local := p.inBody(v.Pos()) || p.fresh[v]
	nested := p.nested(at)
	for _, w := range p.writes[v] {
		if local && !nested && w.at > at {
			continue // a fresh variable each iteration, written after the read
		}
		return fmt.Sprintf("reads %s, which the loop's eager code changes at line %d", v.Name(), p.s.line(w.pos))
	}
	return ""
}

// nested reports whether at is in a loop inside the body, which may come
// back to it after a later statement of that loop.
func (p *pipe) nested(at token.Pos) bool {
	nested := false
	ast.Inspect(p.body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if n.Pos() <= at && at < n.End() {
				nested = true
			}
		case *ast.FuncLit:
			return false
		}
		return !nested
	})
	return nested
}

// freshWrite says why the issue part cannot read v, a variable of the
// header that is new in each iteration, where F reads it at at, or "": the
// body assigns it or takes its address before the read, in the same
// iteration. A write after the read changes nothing the issue part read,
// and a later iteration has a variable of its own.
func (p *pipe) freshWrite(v *types.Var, at token.Pos) string {
	nested := p.nested(at)
	for _, pos := range p.assigned[v] {
		if p.inBody(pos) && (nested || pos <= at) {
			return fmt.Sprintf("reads %s, which the loop's eager code sets at line %d", v.Name(), p.s.line(pos))
		}
	}
	return ""
}

// readable says why the issue part cannot read v, or "".
func (p *pipe) readable(v *types.Var, c *cand) string {
	switch {
	case p.header[v]:
		return ""
	case isGlobal(v):
		if len(p.assigned[v]) > 0 {
			return fmt.Sprintf("reads %s, which the loop changes at line %d", v.Name(), p.s.line(p.assigned[v][0]))
		}
		return ""
	case p.inBody(v.Pos()):
		if c == nil {
			return "reads " + v.Name()
		}
		for _, d := range p.defs[v] {
			if !d.movable {
				return fmt.Sprintf("reads %s, which eager code assigns at line %d", v.Name(), p.s.line(d.stmt.Pos()))
			}
		}
		if p.defs[v] == nil {
			return "reads " + v.Name() + ", which the eager part defines"
		}
		return ""
	case len(p.assigned[v]) > 0:
		return fmt.Sprintf("reads %s, which the loop's eager code sets at line %d", v.Name(), p.s.line(p.assigned[v][0]))
	}
	return ""
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
	ok := p.s.unshared(v)
	p.unsharedMemo[v] = ok
	return ok
}

// pureCall reports whether c calls a function that touches nothing but its
// arguments, so that the issue part may run it ahead: builtins that read,
// conversions, and a list of standard library functions.
func (p *pipe) pureCall(c *ast.CallExpr) bool {
	info := p.s.p.TypesInfo
	if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "len", "cap", "min", "max", "complex", "real", "imag", "new", "make":
				return true
			case "append":
				// To a slice with no spare capacity: new memory.
				return len(c.Args) > 0 && p.s.p.full(c.Args[0])
			}
			return false
		}
	}
	if tv := info.Types[c.Fun]; tv.IsType() {
		return true
	}
	fn, _ := typeutil.Callee(info, c).(*types.Func)
	if fn == nil {
		return false
	}
	if fn.Type().(*types.Signature).Recv() != nil {
		return p.pureMethod(fn)
	}
	return pureFunc(fn)
}

// pureFunc lists the standard library's functions that the issue part may
// run ahead.
func pureFunc(fn *types.Func) bool {
	if fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "strings", "bytes":
		return !strings.HasPrefix(fn.Name(), "New")
	case "strconv", "unicode", "unicode/utf8", "unicode/utf16", "math", "math/bits", "path", "net/url",
		"encoding/hex", "encoding/base64", "html", "slices", "maps", "cmp":
		switch fn.Name() {
		case "Sort", "SortFunc", "SortStableFunc", "Reverse", "Delete", "DeleteFunc", "Insert", "Replace", "Copy", "DeleteFunc2", "Compact", "CompactFunc", "Grow", "Clip":
			return false
		}
		return true
	case "path/filepath":
		switch fn.Name() {
		case "Join", "Base", "Dir", "Ext", "Clean", "Rel", "Split", "IsAbs", "ToSlash", "FromSlash", "SplitList", "Match", "IsLocal", "VolumeName":
			return true
		}
	case "fmt":
		switch fn.Name() {
		case "Sprint", "Sprintf", "Sprintln", "Errorf", "Append", "Appendf", "Appendln":
			return true
		}
	case "context":
		return fn.Name() == "Background" || fn.Name() == "TODO"
	case "errors":
		return fn.Name() == "New" || fn.Name() == "Is" || fn.Name() == "As" || fn.Name() == "Unwrap" || fn.Name() == "Join"
	case "time":
		switch fn.Name() {
		case "Duration", "Unix", "UnixMilli", "Date", "Parse", "ParseDuration":
			return true
		}
	}
	return false
}

// pureMethod reports whether a method only reads its receiver: the methods
// of values of the standard library's immutable types.
func (p *pipe) pureMethod(fn *types.Func) bool {
	recv := fn.Type().(*types.Signature).Recv().Type()
	if ptr, ok := recv.(*types.Pointer); ok {
		recv = ptr.Elem()
	}
	named, ok := recv.(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case "time.Time", "time.Duration", "net/url.URL", "net/url.Values", "regexp.Regexp", "math/big.Int", "strings.Replacer":
		return !strings.HasPrefix(fn.Name(), "Set") && !strings.HasPrefix(fn.Name(), "Unmarshal") && fn.Name() != "Add" && fn.Name() != "Del" && fn.Name() != "Longest"
	}
	if fn.Name() == "Error" || fn.Name() == "String" {
		return true // by convention, they describe their receiver
	}
	return false
}

// callsDelayed reports whether st calls a delayed function.
func (p *pipe) callsDelayed(st ast.Stmt) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && p.s.calls[c] != nil {
			found = true
		}
		return !found
	})
	return found
}

// readsHeaderObj reports whether st calls a method of the variable that the
// loop's condition steps (sc.Text() for sc.Scan()).
func (p *pipe) readsHeaderObj(st ast.Stmt) bool {
	if p.hobj == nil {
		return false
	}
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && p.s.p.TypesInfo.Uses[id] == p.hobj {
			found = true
		}
		return !found
	})
	return found
}

// firstWhy is the reason the first delayed call of the body cannot start
// ahead.
func (p *pipe) firstWhy() string {
	for _, call := range p.bodyCalls() {
		if why := p.callWhy(call); why != "" {
			return fmt.Sprintf("%s %s", nodeString(p.s.p.Fset, call), why)
		}
	}
	return "none of its delayed calls can start before the eager code of the iterations before it"
}

// bodyCalls lists the delayed calls of the loop's body, outside nested
// loops and function literals.
func (p *pipe) bodyCalls() []*ast.CallExpr {
	var out []*ast.CallExpr
	ast.Inspect(p.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.ForStmt, *ast.RangeStmt:
			return false
		case *ast.CallExpr:
			if p.s.calls[n] != nil {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

// callWhy says why call does not start ahead, or "" when it does.
func (p *pipe) callWhy(call *ast.CallExpr) string {
	for _, c := range p.cands {
		if c.stmt.Pos() <= call.Pos() && call.End() <= c.stmt.End() {
			if c.moved || slices.ContainsFunc(c.hoisted, func(h *ast.CallExpr) bool { return h.Pos() <= call.Pos() && call.End() <= h.End() }) {
				return ""
			}
			if why := c.callWhy[call]; why != "" {
				return why
			}
		}
	}
	// Not a statement that every iteration reaches.
	var path []ast.Node
	why := "is in code that F runs only in some iterations"
	ast.Inspect(p.body, func(n ast.Node) bool {
		if n == nil {
			path = path[:len(path)-1]
			return true
		}
		if n == ast.Node(call) {
			for i := len(path) - 1; i >= 0; i-- {
				switch x := path[i].(type) {
				case *ast.CaseClause:
					why = "is in a case of a switch"
					return false
				case *ast.BinaryExpr:
					if x.Op == token.LAND || x.Op == token.LOR {
						why = "is on the right of " + x.Op.String() + ", so F makes it only sometimes"
						return false
					}
				case *ast.IfStmt:
					if b := p.waitsIn(x.Cond); b != nil && !(x.Cond.Pos() <= call.Pos() && call.End() <= x.Cond.End()) {
						why = "is inside an if whose condition waits for " + b.What
						return false
					}
				case *ast.ReturnStmt:
					why = "is in a return statement"
					return false
				}
			}
			return false
		}
		path = append(path, n)
		return true
	})
	return why
}

// reportSerial reports the delayed calls of a pipelined loop's body that do
// not start ahead while the loop waits for them: each starts only when the
// eager part reaches it, so those iterations run one at a time.
func (p *pipe) reportSerial() {
	for _, call := range p.bodyCalls() {
		why := p.callWhy(call)
		if why == "" {
			continue
		}
		// The innermost statement around the call.
		var st ast.Stmt
		ast.Inspect(p.body, func(n ast.Node) bool {
			if n == nil || n.Pos() > call.Pos() || n.End() < call.End() {
				return n == nil
			}
			if s, ok := n.(ast.Stmt); ok {
				if _, block := s.(*ast.BlockStmt); !block {
					st = s
				}
			}
			return true
		})
		waited := false
		for _, b := range p.s.r.Barriers {
			if b.Return || !b.InLoop || st == nil {
				continue
			}
			if (st.Pos() <= b.Pos && b.Pos < st.End()) || (b.Var != nil && slices.Contains(p.assigns(st), b.Var)) {
				waited = true
			}
		}
		if !waited {
			continue
		}
		p.s.diag(call.Pos(), CatSync, "delayed call %s cannot start ahead of the loop's eager code, because it %s; the loop waits for it in each iteration, one at a time. Compute its arguments from the loop's own variables, or move that eager code into a delayed function",
			nodeString(p.s.p.Fset, call), why)
	}
}

// nodeString writes n as Go source.
func nodeString(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("%T", n)
	}
	return b.String()
}

// goVersionAt returns the Go version of the file at pos: what its build
// constraint or its module says, such as "go1.24".
func (p *pass) goVersionAt(pos token.Pos) string {
	for _, f := range p.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			if v := p.TypesInfo.FileVersions[f]; v != "" {
				return v
			}
		}
	}
	return p.Pkg.GoVersion()
}

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

// unshared reports whether no variable but v can reach v's memory (see
// pipe.unshared), looking at every use of v in the function.
func (s *rs) unshared(v *types.Var) bool {
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
				ok = false
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
