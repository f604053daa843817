package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"slices"

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
	// Exits are the guards that leave the iteration (if line == "" {
	// continue }, with a return or a break too) and guard the steps after
	// them: where the condition holds, the issue part issues nothing more
	// for the iteration, since F makes none of those calls.
	Exits []*ast.IfStmt
	// Keep says that F's body may keep a pointer into the memory of an
	// iteration's handed-over variables past the iteration (a closure over
	// one, its address, a pointer method on it, a slice of an array): each
	// iteration then has memory of its own, where otherwise later
	// iterations reuse the memory of those the eager part is done with.
	Keep bool
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
	// Pace says that the step is F's pace between its calls, time.Sleep(d),
	// which the issue part runs in F's order (Pipeline.Indexed is then
	// false): the calls start no faster than F's.
	Pace bool
	// Guards are the if statements of the body around the step, outermost
	// first, and the Exits before it: the issue part evaluates their
	// conditions too (their values depend only on what the issue part
	// has).
	Guards []*ast.IfStmt
	// Inner is set when Stmt is a loop nested in the body (a range over a
	// slice, an array or an integer) whose own issue part the outer
	// iteration's issue part runs: for each inner iteration, in order, it
	// runs Inner.Steps and records what they hand over (Inner.Vars) in
	// storage of the outer iteration; the eager part replays the inner
	// loop over those records, in F's order. Its range expression and
	// every expression of its steps and guards are computed from the outer
	// iteration's own variables and from what the loop does not change.
	// A pipeline has one such step at most, and the steps of the inner
	// iteration j are numbered after it, in order: with this step's number
	// n and M steps in Inner, step m of inner iteration j is
	// n+1+j*(M+1)+m, and n+1+j*(M+1) is what the iteration's guards run
	// under. With N inner iterations, the pipeline's step k after this
	// one is k+1+N*(M+1), and n+1+N*(M+1) is what its guards run under.
	Inner *Pipeline
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
	// exits are the ifs of the body that leave the iteration, which guard
	// the statements after them; dropped holds those whose condition the
	// issue part cannot evaluate, so that the steps after them run ahead
	// unguarded, as F's later statements may (see exitGuards).
	exits   map[*ast.IfStmt]bool
	dropped map[*ast.IfStmt]bool
	// paced says that the issue part runs F's pace (time.Sleep) between
	// its calls, in order, so that one producer runs it (isPace).
	paced bool
	defs  map[*types.Var][]*cand // the candidates assigning each body variable
	// nest says that loops of the body are candidates too (Step.Inner);
	// inner holds their pipelines, and innerOf the loop whose
	// expressions computable is checking, whose own variables it reads.
	nest    bool
	inner   map[ast.Stmt]*Pipeline
	innerOf ast.Stmt
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
	done := map[ast.Stmt]bool{}
	for _, l := range s.loops {
		if s.r.Directive.Unordered {
			break // worklists run in completion order instead
		}
		if done[l] {
			continue // a loop region's own loop is listed twice
		}
		done[l] = true
		var waits []*Barrier
		for _, b := range s.r.Barriers {
			if b.InLoop && !b.Return && s.innermost(b.Pos) == l {
				waits = append(waits, b)
			}
		}
		// A loop whose body has a loop that waits may run that loop's
		// issue part inside its own (Step.Inner).
		if pl := s.nestedPipeline(l); pl != nil {
			for _, st := range pl.Steps {
				if st.Inner == nil {
					continue
				}
				done[st.Stmt] = true
				for _, b := range s.r.Barriers {
					if b.InLoop && !b.Return && s.innermost(b.Pos) == st.Stmt {
						b.Pipelined = true
					}
				}
			}
			for _, b := range waits {
				b.Pipelined = true
			}
			pl.Window = s.r.Directive.Window
			s.r.Pipelines = append(s.r.Pipelines, pl)
			continue
		}
		if len(waits) == 0 {
			continue
		}
		pl, why := s.pipeline(l, false)
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

// nestedPipeline splits loop l with the issue parts of the loops of its
// body that wait inside its own (Step.Inner), or returns nil when no such
// loop's issue part can run there: then each loop is split on its own.
func (s *rs) nestedPipeline(l ast.Stmt) *Pipeline {
	outer := l
	waits := false
	for _, b := range s.r.Barriers {
		if b.InLoop && !b.Return {
			if in := s.innermost(b.Pos); in != nil && in != l && s.childLoop(l, in) {
				waits = true
			}
		}
	}
	if !waits {
		return nil
	}
	s.lastInner = nil
	pl, why := s.pipeline(l, true)
	if s.lastInner != nil {
		l = s.lastInner
	}
	if pl != nil {
		var first *Step
		for _, st := range pl.Steps {
			if st.Inner == nil {
				continue
			}
			if first == nil {
				first = st
				continue
			}
			// One inner loop's steps are numbered by its iterations.
			why = fmt.Sprintf("the loop at line %d, before it, runs in the outer loop's issue part, and only one loop of an iteration can; make the calls of one of them in a loop of their own", s.line(first.Stmt.Pos()))
			l = st.Stmt
			break
		}
		if l == outer {
			s.lastPipe.reportSerial()
			return pl
		}
	}
	if inner, ok := l.(*ast.RangeStmt); ok && why != "" && l != outer {
		s.diag(inner.Pos(), CatSync, "the calls of this loop start ahead only within one iteration of the loop around it, not across its iterations: %s", why)
	}
	return nil
}

// childLoop reports whether loop in is directly in the body of loop l: not
// inside another loop of it, nor in a function literal.
func (s *rs) childLoop(l, in ast.Stmt) bool {
	var body *ast.BlockStmt
	switch l := l.(type) {
	case *ast.RangeStmt:
		body = l.Body
	case *ast.ForStmt:
		body = l.Body
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.RangeStmt, *ast.ForStmt:
			found = found || n == in
			return false
		}
		return !found
	})
	return found
}

// pipeline splits loop l, or says why it cannot. With nest, the loops of
// its body are candidates too (Step.Inner).
func (s *rs) pipeline(l ast.Stmt, nest bool) (*Pipeline, string) {
	p := &pipe{s: s, loop: l, header: map[*types.Var]bool{}, fresh: map[*types.Var]bool{}, assigned: map[*types.Var][]token.Pos{},
		writes: map[*types.Var][]memWrite{}, lent: map[*ast.UnaryExpr]bool{}, aliased: map[*ast.UnaryExpr]string{}, byStmt: map[ast.Stmt]*cand{}, defs: map[*types.Var][]*cand{},
		exits: map[*ast.IfStmt]bool{}, dropped: map[*ast.IfStmt]bool{}, nest: nest, inner: map[ast.Stmt]*Pipeline{}}
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
		if in := p.inner[c.stmt]; in != nil {
			if c.moved {
				pl.Steps = append(pl.Steps, &Step{Stmt: c.stmt, Guards: c.guards, Inner: in})
				issues = true
			}
			continue
		}
		if c.moved {
			pl.Steps = append(pl.Steps, &Step{Stmt: c.stmt, Guards: c.guards, Pace: p.isPace(c.stmt)})
			issues = issues || p.callsDelayed(c.stmt)
			continue
		}
		for _, call := range c.hoisted {
			pl.Steps = append(pl.Steps, &Step{Stmt: c.stmt, Call: call, Guards: c.guards})
			issues = true
		}
	}
	if !issues {
		if p.nest {
			var why string
			if p.s.lastInner, why = p.innerWhy(); why != "" {
				why += "; compute what the calls and this loop's range read from the outer loop's own variables and values it does not change"
			}
			return nil, why
		}
		return nil, p.firstWhy()
	}
	for _, c := range p.cands {
		if p.isPace(c.stmt) && !c.movable {
			return nil, fmt.Sprintf("the loop paces its calls with %s at line %d, which the issue part cannot run in F's order: it %s; the calls would start without F's pace", nodeString(p.s.p.Fset, c.stmt), p.s.line(c.stmt.Pos()), c.why)
		}
	}
	exits := map[*ast.IfStmt]bool{}
	for _, st := range pl.Steps {
		for _, g := range st.Guards {
			if p.exits[g] && !exits[g] && !(g.Pos() <= st.Stmt.Pos() && st.Stmt.End() <= g.End()) {
				exits[g] = true
				pl.Exits = append(pl.Exits, g)
			}
		}
	}
	slices.SortFunc(pl.Exits, func(a, b *ast.IfStmt) int { return int(a.Pos() - b.Pos()) })
	if p.nest {
		// Tried first; the caller splits the loops one by one otherwise,
		// and reports then. The why, for the caller, is about the first
		// inner loop that splits on its own and does not run here: the
		// loop, as the statement, for the caller's message.
		if !slices.ContainsFunc(pl.Steps, func(st *Step) bool { return st.Inner != nil }) {
			var why string
			if p.s.lastInner, why = p.innerWhy(); why != "" {
				why += "; compute what the calls and this loop's range read from the outer loop's own variables and values it does not change"
			}
			return nil, why
		}
		p.s.lastPipe = p // the caller reports its serial points if it keeps it
	} else {
		p.reportSerial()
	}
	pl.Indexed = p.indexed() && !p.paced // one producer keeps F's pace
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
	pl.Keep = p.retains(p.body, pl.Vars)
	for _, st := range pl.Steps {
		if st.Inner != nil {
			pl.Detached = false // the eager part replays the inner loop in order
			pl.Keep = pl.Keep || st.Inner.Keep
		}
	}
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
			if st.Else == nil && leaves(st.Body) {
				// if line == "" { continue }: what follows runs only where
				// the condition does not hold.
				p.exits[st] = true
				guards = g
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
		case *ast.RangeStmt:
			if p.nest {
				add(st)
			}
		case *ast.LabeledStmt:
			if r, ok := st.Stmt.(*ast.RangeStmt); ok && p.nest {
				add(r)
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
	for g := range p.exits {
		p.exitOK(g)
	}
	for _, c := range p.cands {
		c.guards = p.kept(c.guards)
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
		if l, ok := c.stmt.(*ast.RangeStmt); ok {
			for _, e := range p.innerExprs(l) {
				needs(e)
			}
		} else {
			needs(c.stmt)
		}
		for _, g := range c.guards {
			needs(g.Cond)
		}
	}
	for _, c := range p.cands {
		if c.movable && p.readsHeaderObj(c.stmt) {
			move(c)
		}
		if c.movable && p.isPace(c.stmt) {
			move(c) // F's pace between its calls: the issue part keeps it
			p.paced = true
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
		if _, ok := c.stmt.(*ast.RangeStmt); ok && c.movable {
			move(c) // its issue part runs in the outer one's
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

// guardsOK says why the issue part cannot evaluate c's guards, or "". An
// exit before c whose condition it cannot evaluate is dropped instead:
// the statements after it then run ahead unguarded, like F's statements
// after an if whose condition waits.
func (p *pipe) guardsOK(c *cand) string {
	for _, g := range c.guards {
		if p.exits[g] && !(g.Pos() <= c.stmt.Pos() && c.stmt.End() <= g.End()) {
			p.exitOK(g)
			continue
		}
		if why := p.guardOK(g, c); why != "" {
			return why
		}
	}
	return ""
}

// exitOK reports whether the issue part can evaluate the condition of exit
// g, and drops g for good when it cannot. Since statements only ever lose
// their place in the issue part while it is settled, so do exits.
func (p *pipe) exitOK(g *ast.IfStmt) bool {
	if p.dropped[g] {
		return false
	}
	if p.guardOK(g, p.byStmt[g]) != "" {
		p.dropped[g] = true
	}
	return !p.dropped[g]
}

// kept returns guards without the exits dropped.
func (p *pipe) kept(guards []*ast.IfStmt) []*ast.IfStmt {
	out := guards[:0:0]
	for _, g := range guards {
		if !p.dropped[g] {
			out = append(out, g)
		}
	}
	return out
}

// leaves reports whether a block always leaves the loop's iteration at its
// end: it ends in a continue, a break or a return. (The candidates' ifs are
// not inside a nested loop, switch or select, where a break would not.)
func leaves(b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch st := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return st.Tok == token.CONTINUE || st.Tok == token.BREAK
	}
	return false
}

// guardOK says why the issue part cannot evaluate the condition of guard g
// of candidate c, or "".
func (p *pipe) guardOK(g *ast.IfStmt, c *cand) string {
	if g.Init != nil && !p.byStmt[g.Init].movable {
		return "is inside an if whose init statement stays in the eager part"
	}
	if b := p.waitsIn(g.Cond); b != nil {
		return "is inside an if whose condition waits for " + b.What
	}
	if why := p.computable(g.Cond, c, g.Cond.End()); why != "" {
		return "is inside an if whose condition " + why
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
	if l, ok := c.stmt.(*ast.RangeStmt); ok {
		return p.innerMovable(l, c)
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
		if ok && p.isPace(st) {
			rhs = call.Args
			break
		}
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
// part, or "": it must be declared in the body (or be a range variable
// each iteration has anew), assigned only by moved
// statements, and read by the eager part only after its last assignment.
func (p *pipe) bodyVar(v *types.Var) string {
	if !p.inBody(v.Pos()) && !p.fresh[v] {
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
		case *ast.IfStmt, *ast.SwitchStmt, *ast.RangeStmt:
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
			if p.innerOf != nil && p.innerOf.Pos() <= v.Pos() && v.Pos() < p.innerOf.End() {
				return true // the inner loop's own: its analysis checked it
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
				why = p.impureCallWhy(n)
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
			if d := p.stmtAt(pos); !nested && d != nil && d.movable && slices.Contains(p.defs[v], d) {
				continue // line = strings.TrimSpace(line): it moves first
			}
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

// isPace reports whether st is time.Sleep(d): F's pace between its calls, a
// rate limit that is part of what F means. It runs in the issue part, in
// F's order, so that the twin starts its calls no faster than F does.
func (p *pipe) isPace(st ast.Stmt) bool {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, _ := typeutil.Callee(p.s.p.TypesInfo, call).(*types.Func)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" && fn.Name() == "Sleep"
}

// retains reports whether F's loop body may keep a pointer into the
// memory of a handed-over variable (one of vars) past its iteration: a
// function literal that uses one, its address, a method with a pointer
// receiver called on it, or a slice of it when it is an array. The
// pipeline reuses the memory of iterations only when it does not.
func (p *pipe) retains(body *ast.BlockStmt, vars []*types.Var) bool {
	info := p.s.p.TypesInfo
	useVar := func(id *ast.Ident) *types.Var {
		if v, ok := info.Uses[id].(*types.Var); ok {
			return v
		}
		v, _ := info.Defs[id].(*types.Var)
		return v
	}
	handed := map[*types.Var]bool{}
	for _, v := range vars {
		handed[v] = true
	}
	// rooted reports whether e's memory is part of a handed-over variable:
	// the variable, a field of it, an element when it is an array.
	var rooted func(e ast.Expr) bool
	rooted = func(e ast.Expr) bool {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			v := useVar(e)
			return v != nil && handed[v]
		case *ast.SelectorExpr:
			if sel := info.Selections[e]; sel != nil && sel.Kind() == types.FieldVal && !sel.Indirect() {
				return rooted(e.X)
			}
		case *ast.IndexExpr:
			if _, ok := info.TypeOf(e.X).Underlying().(*types.Array); ok {
				return rooted(e.X)
			}
		}
		return false
	}
	uses := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v := useVar(id); v != nil && handed[v] {
					found = true
				}
			}
			return !found
		})
		return found
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			found = uses(n)
		case *ast.UnaryExpr:
			found = n.Op == token.AND && rooted(n.X)
		case *ast.SelectorExpr:
			if sel := info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				_, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer)
				_, ptrX := info.TypeOf(n.X).Underlying().(*types.Pointer)
				found = ptrRecv && !ptrX && rooted(n.X)
			}
		case *ast.SliceExpr:
			if _, ok := info.TypeOf(n.X).Underlying().(*types.Array); ok {
				found = rooted(n.X)
			}
		}
		return !found
	})
	return found
}

// innerMovable says why the issue part of an iteration cannot run the
// issue part of loop l of its body (candidate c), or "": l must split on
// its own, number its iterations (a range over a slice, an array or an
// integer, so that its header has no effects), and everything its issue
// part computes, its range expression first, must be computable here from
// the outer iteration's own variables.
func (p *pipe) innerMovable(l *ast.RangeStmt, c *cand) string {
	in, ok := p.inner[l]
	if !ok {
		report := p.s.report
		p.s.report = false // the loop is split on its own if not here, and reports then
		in, _ = p.s.pipeline(l, false)
		p.s.report = report
		p.inner[l] = in
	}
	if in == nil {
		return "its delayed calls cannot start ahead of its own eager code"
	}
	if !in.Indexed {
		return "it paces its calls"
	}
	p.innerOf = l
	defer func() { p.innerOf = nil }()
	for _, e := range p.innerExprs(l) {
		if b := p.waitsIn(e); b != nil {
			return fmt.Sprintf("its issue part needs %s, which waits for %s (%s)", nodeString(p.s.p.Fset, e), b.What, b.Reason)
		}
		if why := p.computable(e, c, e.End()); why != "" {
			return fmt.Sprintf("its issue part computes %s, which %s", nodeString(p.s.p.Fset, e), why)
		}
	}
	return ""
}

// innerExprs lists what the issue part of loop l computes, when it runs
// inside the issue part of an outer iteration: the range expression, and
// the expressions of l's steps and of the guards around them.
func (p *pipe) innerExprs(l *ast.RangeStmt) []ast.Expr {
	out := []ast.Expr{l.X}
	in := p.inner[l]
	if in == nil {
		return out
	}
	seen := map[*ast.IfStmt]bool{}
	for _, st := range in.Steps {
		for _, g := range st.Guards {
			if !seen[g] {
				seen[g] = true
				out = append(out, g.Cond)
			}
		}
		if st.Call != nil {
			// Its arguments and receiver: a wait for its result is the
			// eager part's.
			args := st.Call.Args
			if fn := p.s.calls[st.Call].Func; len(args) > 0 {
				if ps := fn.Type().(*types.Signature).Params(); ps.Len() > 0 && isContextType(ps.At(0).Type()) {
					args = args[1:]
				}
			}
			out = append(out, args...)
			if sel, ok := ast.Unparen(st.Call.Fun).(*ast.SelectorExpr); ok {
				if s := p.s.p.TypesInfo.Selections[sel]; s != nil {
					out = append(out, sel.X)
				}
			}
			continue
		}
		switch s := st.Stmt.(type) {
		case *ast.AssignStmt:
			out = append(out, s.Rhs...)
		case *ast.DeclStmt:
			for _, sp := range s.Decl.(*ast.GenDecl).Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok {
					out = append(out, vs.Values...)
				}
			}
		case *ast.ExprStmt:
			out = append(out, s.X)
		}
	}
	for _, g := range in.Exits {
		if !seen[g] {
			seen[g] = true
			out = append(out, g.Cond)
		}
	}
	return out
}

// innerWhy says why the first loop of the body that splits on its own
// does not run in the issue part (Step.Inner), with the loop as the
// statement that mentions it, or "" when there is none. It returns the
// reason alone: the caller reports it at the inner loop.
func (p *pipe) innerWhy() (*ast.RangeStmt, string) {
	for _, c := range p.cands {
		l, ok := c.stmt.(*ast.RangeStmt)
		if !ok || p.inner[l] == nil || c.moved {
			continue
		}
		if c.why != "" {
			return l, c.why
		}
	}
	return nil, ""
}
