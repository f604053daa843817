package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"

	"golang.org/x/tools/go/types/typeutil"
)

// rs is the state of one region's analysis.
type rs struct {
	p      *pass
	r      *Region
	body   ast.Node // the loop, or the function's body
	report bool     // report diagnostics (false when trying a candidate)
	bad    bool     // a mutation or unsupported construct was found

	calls  map[*ast.CallExpr]*Call
	lifted map[*types.Var]bool
	acc    map[*types.Var]*Var
	errs   map[*types.Var][]*Call // error variables and the calls that set them
	idioms map[*ast.IfStmt]bool
	loops  []ast.Stmt // loops inside the region, the region's own included
	// lastInner is the inner loop that the last nested split (pipe.nest)
	// could not run in its issue part, for its message.
	lastInner *ast.RangeStmt
	lastPipe  *pipe               // the analysis of the last nested split
	work      map[*types.Var]bool // the worklist of an unordered loop
	// headerVars are the variables the loops' headers define (loopVars).
	headerVars map[*types.Var]bool

	// Folds (v op= f(x) in a loop) kept eager rather than made delayed
	// accumulators: see eagerFolds. trial makes every fold a candidate
	// and records them in folds; otherwise folds holds the ones to keep.
	trial bool
	folds map[*types.Var]bool
}

func (s *rs) diag(pos token.Pos, category, format string, args ...any) {
	if category == CatMutation || category == CatUnsupported {
		s.bad = true
	}
	if category == CatSync && s.bad {
		return // the region is refused: where it would wait is beside the point
	}
	if s.report {
		s.p.report(pos, category, format, args...)
	}
}

func (s *rs) line(pos token.Pos) int { return s.p.Fset.Position(pos).Line }

// analyzeRegion fills in r and reports what is wrong with it. It returns
// false when the region calls no delayed function.
func (p *pass) analyzeRegion(r *Region, report bool) bool {
	if sig, ok := r.Obj.Type().(*types.Signature); ok {
		r.OwnContext = sig.Params().Len() > 0 && isContextType(sig.Params().At(0).Type())
	}
	return p.analyzeRegionWith(r, report, p.eagerFolds(r))
}

// eagerFolds returns the folds of r (v op= f(x) in a loop, with v a local
// variable) to keep eager: F's own fold, in F's order, each iteration
// adding its own call's value, in a pipelined loop that issues the calls
// ahead. A delayed accumulator would instead make a task of every step of
// the fold. A fold is kept eager when, in a trial analysis with every fold
// eager, the waits for what it adds are all pipelined and the region is
// not refused; otherwise it stays a delayed accumulator, which waits for
// nothing in the loop.
func (p *pass) eagerFolds(r *Region) map[*types.Var]bool {
	if r.Directive.Unordered {
		return nil // its queue and results are collected in completion order
	}
	// Each trial finds folds the analysis then knows from the start: the
	// calls of a fold add their value rather than assign it (findCalls).
	folds := map[*types.Var]bool{}
	var s *rs
	var trial *Region
	for range 3 {
		trial = &Region{Func: r.Func, Obj: r.Obj, Loop: r.Loop, Directive: r.Directive}
		s = p.newRS(trial, false)
		s.trial, s.folds = true, maps.Clone(folds)
		if !s.run() || len(s.folds) == 0 {
			return nil
		}
		if len(s.folds) == len(folds) {
			break
		}
		folds = s.folds
	}
	if len(s.folds) != len(folds) {
		return nil // not settled: keep the accumulators
	}
	keep := map[*types.Var]bool{}
	for v := range s.folds {
		keep[v] = true
		for _, pr := range s.pairsOf(v) {
			for _, b := range trial.Barriers {
				if pr.stmt.Pos() <= b.Pos && b.Pos < pr.stmt.End() && !b.Pipelined {
					keep[v] = false
				}
			}
		}
		if !keep[v] {
			delete(keep, v)
		}
	}
	return keep
}

func (p *pass) newRS(r *Region, report bool) *rs {
	s := &rs{p: p, r: r, report: report,
		calls: map[*ast.CallExpr]*Call{}, lifted: map[*types.Var]bool{}, acc: map[*types.Var]*Var{},
		errs: map[*types.Var][]*Call{}, idioms: map[*ast.IfStmt]bool{}}
	if r.Loop != nil {
		s.body = r.Loop
	} else {
		s.body = r.Func.Body
	}
	return s
}

func (p *pass) analyzeRegionWith(r *Region, report bool, folds map[*types.Var]bool) bool {
	s := p.newRS(r, report)
	s.folds = folds
	return s.run()
}

// run analyzes the region and reports whether it may have a twin.
func (s *rs) run() bool {
	r, p, report := s.r, s.p, s.report
	s.findCalls()
	s.deferredRecover()
	if len(r.Calls) == 0 {
		if report && !s.bad {
			what := "parallel function " + r.Func.Name.Name
			if r.Loop != nil {
				what = "parallel loop"
			}
			p.report(r.Directive.Pos, CatNothing, "%s calls no delayed function, so it has nothing to run in parallel; mark the slow functions it calls //daskgen:delayed, or remove the directive", what)
		}
		return false
	}
	s.lift()
	s.worklist()
	s.uses()
	s.classify()
	s.limits()
	s.mutations()
	s.pipelines()
	s.unordered()
	s.dropped()
	s.nowCalls()
	for _, b := range r.Barriers {
		if b.InLoop && !b.Pipelined && b.msg != "" {
			if b.Serial != "" {
				s.diag(b.Pos, CatSync, "%s: it cannot issue later iterations' calls ahead, because %s; to let them start ahead, give the calls only the loop's own variables and values the loop does not change (a copy made before the loop), or move that eager code into a delayed function", b.msg, b.Serial)
				continue
			}
			s.diag(b.Pos, CatSync, "%s; use it after the loop, or do this work in a delayed function", b.msg)
		}
	}
	return !s.bad
}

// deferredRecover refuses a parallel loop whose function defers a call that
// recovers panics: a delayed call's panic would reach that code as a
// *runtime.PanicError, at the end of the loop's twin, with the loop's
// variables as the twin left them rather than as F leaves them at the
// panic. (A parallel function may not defer at all: see findCalls.)
func (s *rs) deferredRecover() {
	if s.r.Loop == nil || s.r.Func == nil || s.r.Func.Body == nil {
		return
	}
	ast.Inspect(s.r.Func.Body, func(n ast.Node) bool {
		d, ok := n.(*ast.DeferStmt)
		if !ok {
			return true
		}
		var body *ast.BlockStmt
		switch fn := ast.Unparen(d.Call.Fun).(type) {
		case *ast.FuncLit:
			body = fn.Body
		case *ast.Ident:
			if f, ok := s.p.TypesInfo.Uses[fn].(*types.Func); ok && f.Pkg() == s.p.Pkg {
				body = s.p.bodyOf(f)
			}
		}
		if body != nil && callsRecover(s.p.TypesInfo, body) {
			s.diag(d.Pos(), CatUnsupported, "this deferred call recovers panics, and the parallel loop at line %d cannot give it what F gives it: a panic of a delayed call would reach it as a *runtime.PanicError, with the loop's variables as the twin left them; mark a function that holds the loop and no recover, or recover in F's caller", s.line(s.r.Loop.Pos()))
		}
		return true
	})
}

// callsRecover reports whether body calls recover itself (not in a nested
// function literal, where recover does not stop a panic).
func callsRecover(info *types.Info, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// bodyOf returns the body of f, a function of the package, or nil.
func (p *pass) bodyOf(f *types.Func) *ast.BlockStmt {
	for _, file := range p.Files {
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && p.TypesInfo.Defs[fd.Name] == f {
				return fd.Body
			}
		}
	}
	return nil
}

// findCalls finds the delayed calls, the variables they assign, the loops,
// and the constructs a twin cannot have.
func (s *rs) findCalls() {
	info := s.p.TypesInfo
	type assigned struct {
		lhs  []ast.Expr
		call *ast.CallExpr
	}
	var pending []assigned
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// Closures are eager code: they run as they are.
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if c, ok := m.(*ast.CallExpr); ok {
					if fn, _ := s.p.delayedFact(c); fn != nil {
						s.diag(c.Pos(), CatUnsupported, "delayed function %s is called inside a function literal in parallel code; call it in the loop itself, or move the closure out", fn.Name())
					}
				}
				return true
			})
			return false
		case *ast.ForStmt:
			s.loops = append(s.loops, n)
		case *ast.RangeStmt:
			s.loops = append(s.loops, n)
		case *ast.GoStmt:
			s.diag(n.Pos(), CatUnsupported, "go statement in parallel code: the twin would start it while the graph is built; move it out of the parallel region")
		case *ast.DeferStmt:
			s.diag(n.Pos(), CatUnsupported, "defer in parallel code: the twin cannot keep its timing; move it out of the parallel region")
		case *ast.SelectStmt:
			if !s.ctxCheck(n) {
				s.diag(n.Pos(), CatUnsupported, "select in parallel code is not supported, except the check of F's own context (select { case <-ctx.Done(): ...; default: }); move it out of the parallel region")
			}
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.Y, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok {
						if fn, _ := s.p.delayedFact(c); fn != nil {
							s.diag(c.Pos(), CatUnsupported, "delayed call %s is on the right of %s, so the sequential code makes it only sometimes; call it in a statement of its own", types.ExprString(c.Fun), n.Op)
						}
					}
					return true
				})
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				ast.Inspect(e, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok {
						if fn, _ := s.p.delayedFact(c); fn != nil {
							s.diag(c.Pos(), CatUnsupported, "delayed call %s in a case of a switch runs only when the cases before it do not match; call it before the switch", types.ExprString(c.Fun))
						}
					}
					return true
				})
			}
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				s.diag(n.Pos(), CatUnsupported, "goto %s in parallel code is not supported; use a loop with break or continue", n.Label.Name)
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					s.diag(n.Pos(), CatUnsupported, "recover in parallel code is not supported: a task's panic is raised again where its value is needed")
				}
			}
			if fn, fact := s.p.delayedFact(n); fn != nil {
				s.checkCtx(n, fn)
				c := &Call{Expr: n, Func: fn, Fact: fact}
				if id := calleeIdent(n); id != nil {
					c.Instance = info.Instances[id]
				}
				s.calls[n] = c
				s.r.Calls = append(s.r.Calls, c)
			}
		case *ast.AssignStmt:
			if isOpAssign(n.Tok) && len(n.Lhs) == 1 && s.folds[s.identVar(n.Lhs[0])] {
				// An eager fold: the call's value is added, not assigned.
				return true
			}
			if len(n.Rhs) == 1 {
				if c, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
					pending = append(pending, assigned{n.Lhs, c})
				}
			} else {
				for i, rhs := range n.Rhs {
					if c, ok := ast.Unparen(rhs).(*ast.CallExpr); ok {
						pending = append(pending, assigned{n.Lhs[i : i+1], c})
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 {
				if c, ok := ast.Unparen(n.Values[0]).(*ast.CallExpr); ok {
					lhs := make([]ast.Expr, len(n.Names))
					for i, id := range n.Names {
						lhs[i] = id
					}
					pending = append(pending, assigned{lhs, c})
				}
			}
		}
		return true
	})
	// The calls are known now; record what they assign.
	for _, a := range pending {
		s.results(a.lhs, a.call)
	}
	if s.r.Loop != nil {
		s.loops = append(s.loops, s.r.Loop)
	}
}

// ctxCheck reports whether sel is a non-blocking check of F's own context,
// as Prometheus and many others write at the top of a loop's body:
//
//	select {
//	case <-ctx.Done():
//		return ctx.Err()
//	default:
//	}
//
// It is eager code: it runs where F runs it, in F's order, and F's own
// context is the twin's (Region.OwnContext), which the runtime leaves to
// F's code.
func (s *rs) ctxCheck(sel *ast.SelectStmt) bool {
	sig := s.r.Obj.Type().(*types.Signature)
	if sig.Params().Len() == 0 || !isContextType(sig.Params().At(0).Type()) || len(sel.Body.List) != 2 {
		return false
	}
	ctx := sig.Params().At(0)
	recv, dflt := false, false
	for _, st := range sel.Body.List {
		cc, ok := st.(*ast.CommClause)
		if !ok {
			return false
		}
		if cc.Comm == nil {
			dflt = true
			continue
		}
		es, ok := cc.Comm.(*ast.ExprStmt)
		if !ok {
			return false
		}
		u, ok := ast.Unparen(es.X).(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW {
			return false
		}
		call, ok := ast.Unparen(u.X).(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return false
		}
		fun, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || fun.Sel.Name != "Done" || rootVar(s.p.TypesInfo, fun.X) != ctx || s.identVar(fun.X) != ctx {
			return false
		}
		recv = true
	}
	return recv && dflt
}

// checkCtx reports a delayed call that passes a context other than the
// function's own leading context parameter: its task runs with the twin's
// context, which is F's.
func (s *rs) checkCtx(call *ast.CallExpr, fn *types.Func) {
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() == 0 || !isContextType(sig.Params().At(0).Type()) || len(call.Args) == 0 {
		return
	}
	arg := ast.Unparen(call.Args[0])
	fsig := s.r.Obj.Type().(*types.Signature)
	own := fsig.Params().Len() > 0 && isContextType(fsig.Params().At(0).Type())
	if own {
		if v := s.identVar(arg); v == fsig.Params().At(0) {
			for _, pos := range s.p.assignsOf(s.r.Func.Body, v) {
				s.diag(pos, CatUnsupported, "%s, the context the twin passes to delayed calls, is assigned here; derive a new variable instead, and pass %s itself to %s", v.Name(), v.Name(), fn.Name())
			}
			return
		}
	}
	if !own {
		s.diag(arg.Pos(), CatUnsupported, "delayed call %s gets the context %s, but its task runs with the twin's context, whose values and deadline may differ; give %s a context.Context as its first parameter and pass that", fn.Name(), types.ExprString(arg), s.r.Func.Name.Name)
		return
	}
	s.diag(arg.Pos(), CatUnsupported, "delayed call %s gets the context %s, but its task runs with the twin's context, which is %s's own; pass %s", fn.Name(), types.ExprString(arg), s.r.Func.Name.Name, fsig.Params().At(0).Name())
}

// isContextType reports whether t is context.Context.
func isContextType(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// assignsOf lists where body assigns v.
func (p *pass) assignsOf(body ast.Node, v *types.Var) []token.Pos {
	var out []token.Pos
	ast.Inspect(body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && p.TypesInfo.Uses[id] == v {
					out = append(out, l.Pos())
				}
			}
		}
		return true
	})
	return out
}

// results records the variables a delayed call assigns; the error result's
// variable becomes an ErrorVar.
func (s *rs) results(lhs []ast.Expr, ce *ast.CallExpr) {
	c := s.calls[ce]
	if c == nil {
		return
	}
	sig := c.Func.Type().(*types.Signature)
	c.Results = make([]*types.Var, len(lhs))
	c.Targets = lhs
	for i, e := range lhs {
		v := s.identVar(e)
		if v == nil {
			continue
		}
		c.Results[i] = v
		if len(lhs) == sig.Results().Len() && i == len(lhs)-1 && isError(sig.Results().At(i).Type()) {
			s.errs[v] = append(s.errs[v], c)
		}
	}
}

// identVar returns the variable e names, if e is a plain identifier.
func (s *rs) identVar(e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	if v, ok := s.p.TypesInfo.Defs[id].(*types.Var); ok {
		return v
	}
	v, _ := s.p.TypesInfo.Uses[id].(*types.Var)
	return v
}

// lazy reports whether e's value is delayed.
func (s *rs) lazy(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, _ := s.p.TypesInfo.Uses[e].(*types.Var)
		return v != nil && (s.lifted[v] || s.errs[v] != nil)
	case *ast.CallExpr:
		if s.calls[e] != nil {
			return true
		}
		if tv, ok := s.p.TypesInfo.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			return s.lazy(e.Args[0])
		}
		return false
	case *ast.BinaryExpr:
		return s.lazy(e.X) || s.lazy(e.Y)
	case *ast.UnaryExpr:
		return e.Op != token.AND && s.lazy(e.X)
	case *ast.SelectorExpr:
		return qualifiedVar(s.p.TypesInfo, e) == nil && s.lazy(e.X)
	case *ast.IndexExpr:
		return s.lazy(e.X) || s.lazy(e.Index)
	case *ast.SliceExpr:
		return s.lazy(e.X) || (e.Low != nil && s.lazy(e.Low)) || (e.High != nil && s.lazy(e.High)) || (e.Max != nil && s.lazy(e.Max))
	case *ast.StarExpr:
		return s.lazy(e.X)
	case *ast.TypeAssertExpr:
		return s.lazy(e.X)
	case *ast.CompositeLit:
		return slices.ContainsFunc(e.Elts, s.lazy)
	case *ast.KeyValueExpr:
		return s.lazy(e.Value)
	}
	return false
}

type pair struct {
	lhs, rhs ast.Expr
	tok      token.Token
	stmt     ast.Node // the assignment or declaration
}

// pairs lists the region's assignments, one pair for each variable
// assigned.
func (s *rs) pairs() []pair {
	var pairs []pair
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					pairs = append(pairs, pair{n.Lhs[i], n.Rhs[i], n.Tok, n})
				}
			} else if len(n.Rhs) == 1 {
				for _, l := range n.Lhs {
					pairs = append(pairs, pair{l, n.Rhs[0], n.Tok, n})
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if len(n.Values) == len(n.Names) {
					pairs = append(pairs, pair{id, n.Values[i], token.DEFINE, n})
				} else if len(n.Values) == 1 {
					pairs = append(pairs, pair{id, n.Values[0], token.DEFINE, n})
				}
			}
		}
		return true
	})
	return pairs
}

// pairsOf returns the folds of v: its op= assignments, its assignments v =
// append(v, ...), and, for a map, its stores v[k] = x.
func (s *rs) pairsOf(v *types.Var) []pair {
	var out []pair
	for _, pr := range s.pairs() {
		if s.identVar(pr.lhs) == v && (isOpAssign(pr.tok) || (pr.tok == token.ASSIGN && s.appendForm(v, pr.rhs))) ||
			pr.tok == token.ASSIGN && s.mapWrite(pr.lhs) == v {
			out = append(out, pr)
		}
	}
	return out
}

// lift finds, to a fixed point, the variables that hold delayed values and
// the accumulators that collect them.
func (s *rs) lift() {
	pairs := s.pairs()
	for changed := true; changed; {
		changed = false
		for _, pr := range pairs {
			v := s.identVar(pr.lhs)
			if v != nil && s.errs[v] == nil && !isGlobal(v) && s.folds != nil {
				// v op= f(x), and v = append(v, f(x)): F's own fold, which
				// the eager part can do in order with each iteration's value.
				appends := pr.tok == token.ASSIGN && s.appendForm(v, pr.rhs)
				fold := (isOpAssign(pr.tok) || appends) && s.inLoop(pr.stmt.Pos())
				switch {
				case s.folds[v] && !fold && (s.lazy(pr.rhs) || appends):
					// Set to a delayed value otherwise too: not a fold.
					delete(s.folds, v)
					changed = true
				case s.folds[v]:
					continue // an eager fold: what it adds is waited for
				case s.trial && fold && (s.lazy(pr.rhs) || appends) && !s.lifted[v] && s.acc[v] == nil:
					s.folds[v] = true
					changed = true
					continue
				}
			}
			switch {
			case v != nil && s.errs[v] != nil:
				// The error result of a delayed call.
			case v != nil && isOpAssign(pr.tok) && s.lazy(pr.rhs) && !s.lifted[v]:
				if s.acc[v] == nil {
					s.acc[v] = &Var{Obj: v, Class: Accumulator, Acc: OpAssign, Op: opOf(pr.tok)}
					changed = true
				}
			case v != nil && s.appendForm(v, pr.rhs) && !s.lifted[v]:
				if s.acc[v] == nil {
					kind := Append
					if pr.rhs.(*ast.CallExpr).Ellipsis.IsValid() {
						kind = AppendSpread
					}
					s.acc[v] = &Var{Obj: v, Class: Accumulator, Acc: kind}
					changed = true
				}
			case v == nil && s.lazy(pr.rhs):
				m := s.mapWrite(pr.lhs)
				if m == nil || s.lifted[m] || s.acc[m] != nil {
					break
				}
				// m[k] = f(x) in a loop: a fold too, which the eager part
				// can do in order, as F does.
				switch inLoop := s.inLoop(pr.stmt.Pos()); {
				case s.folds == nil:
				case s.folds[m] && !inLoop:
					delete(s.folds, m)
					changed = true
				case s.folds[m]:
					continue
				case s.trial && inLoop:
					s.folds[m] = true
					changed = true
					continue
				}
				s.acc[m] = &Var{Obj: m, Class: Accumulator, Acc: MapWrite}
				changed = true
			case v != nil && s.lazy(pr.rhs) && !s.lifted[v] && !isGlobal(v) && !s.addressed(v) && !s.loopVars()[v] && commaOk(pr.stmt) == "":
				s.lifted[v] = true
				delete(s.acc, v)
				changed = true
			}
		}
	}
}

func isOpAssign(tok token.Token) bool {
	return tok >= token.ADD_ASSIGN && tok <= token.AND_NOT_ASSIGN
}

// opOf turns += into +, as go/types does: go/token lists the assignment
// operators in the order of their operators. Other tokens give ILLEGAL.
func opOf(tok token.Token) token.Token {
	if tok < token.ADD_ASSIGN || tok > token.AND_NOT_ASSIGN {
		return token.ILLEGAL
	}
	return tok + (token.ADD - token.ADD_ASSIGN)
}

// appendForm reports whether rhs is append(v, ...) with a delayed element.
func (s *rs) appendForm(v *types.Var, rhs ast.Expr) bool {
	c, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok || !s.isBuiltin(c, "append") || len(c.Args) < 2 || s.identVar(c.Args[0]) != v {
		return false
	}
	return slices.ContainsFunc(c.Args[1:], func(a ast.Expr) bool {
		if s.lazy(a) {
			return true
		}
		// append(s, ds...) where ds is itself an accumulator of delayed pieces.
		if w := s.identVar(a); w != nil && s.acc[w] != nil && c.Ellipsis.IsValid() {
			return true
		}
		return false
	})
}

// mapWrite returns m when lhs is m[k] for a local map m.
func (s *rs) mapWrite(lhs ast.Expr) *types.Var {
	ix, ok := ast.Unparen(lhs).(*ast.IndexExpr)
	if !ok {
		return nil
	}
	if _, ok := under(s.p.TypesInfo.TypeOf(ix.X)).(*types.Map); !ok {
		return nil
	}
	m := s.identVar(ix.X)
	if m == nil || isGlobal(m) || s.lazy(ix.Index) {
		return nil
	}
	return m
}

func (s *rs) isBuiltin(c *ast.CallExpr, name string) bool {
	id, ok := ast.Unparen(c.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := s.p.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// worklist finds the queue of an unordered loop: an accumulator of delayed
// pieces that the loop's condition reads. The twin takes pieces from it as
// they complete (AsCompleted), so reading it is not a wait.
func (s *rs) worklist() {
	s.work = map[*types.Var]bool{}
	loop, ok := s.r.Loop.(*ast.ForStmt)
	if !ok || !s.r.Directive.Unordered || loop.Cond == nil {
		return
	}
	ast.Inspect(loop.Cond, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := s.p.TypesInfo.Uses[id].(*types.Var); ok {
				if a := s.acc[v]; a != nil && (a.Acc == Append || a.Acc == AppendSpread) {
					s.work[v] = true
					a.Class = Worklist
				}
			}
		}
		return true
	})
}

// inLoop reports whether pos is in the part of a loop of the region that
// runs every iteration: the body, and a for's condition and post statement
// (not a range's expression or a for's init, which run once).
func (s *rs) inLoop(pos token.Pos) bool {
	return slices.ContainsFunc(s.loops, func(l ast.Stmt) bool { return s.iterationOf(l, pos) })
}

// uses finds every place where eager code reads a delayed value: barriers,
// the error idiom, and what the twin cannot do.
func (s *rs) uses() {
	var path []ast.Node
	ast.Inspect(s.body, func(n ast.Node) bool {
		if n == nil {
			path = path[:len(path)-1]
			return true
		}
		switch n := n.(type) {
		case *ast.Ident:
			s.use(n, path)
		case *ast.CallExpr:
			if s.calls[n] != nil {
				s.callResult(n, path)
			}
		}
		path = append(path, n)
		return true
	})
}

func (s *rs) use(id *ast.Ident, path []ast.Node) {
	v, _ := s.p.TypesInfo.Uses[id].(*types.Var)
	if v == nil || (!s.lifted[v] && s.acc[v] == nil && s.errs[v] == nil) {
		return
	}
	if len(path) > 0 {
		switch par := path[len(path)-1].(type) {
		case *ast.AssignStmt:
			if slices.Contains(par.Lhs, ast.Expr(id)) {
				return // assigned, not read
			}
		case *ast.IncDecStmt:
			return // x++ on a delayed x stays delayed
		case *ast.RangeStmt:
			if par.Key == ast.Expr(id) || par.Value == ast.Expr(id) {
				return
			}
		}
	}
	if s.lifted[v] && s.fieldStore(id, path) {
		return // v.f = x: a new value of v, with f set
	}
	// Inside a closure: it captures the delayed value.
	for _, n := range path {
		if fl, ok := n.(*ast.FuncLit); ok && !(fl.Pos() <= v.Pos() && v.Pos() < fl.End()) {
			hint := ""
			if s.r.Loop == nil && !s.inLoop(fl.Pos()) && len(s.loops) > 0 {
				// sort.Slice(docs, func(i, j int) bool { ... }) after the
				// loop: marking the loop leaves the code after it F's.
				hint = "; or, since the closure comes after the loop, put //daskgen:parallel on the line above the for statement instead of on " + s.r.Func.Name.Name + ": the code after a marked loop runs as F's, on the loop's results"
			}
			s.diag(id.Pos(), CatUnsupported, "closure captures %s, which holds a delayed value; compute it before the closure, or pass it in as an argument%s", v.Name(), hint)
			return
		}
	}
	if a := s.acc[v]; a != nil {
		s.useAcc(id, v, a, path)
		return
	}
	i, child := s.climb(id, path)
	if i < 0 {
		return
	}
	parent := path[i]
	if s.errs[v] != nil && s.errorUse(id, v, parent, child, path[:i]) {
		return
	}
	s.consume(id, v, v.Name(), parent, child, path[:i])
}

// fieldStore reports whether id is the root of a field path v.f.g (of
// struct values, no pointer on the way) that an assignment or ++/-- writes.
func (s *rs) fieldStore(id *ast.Ident, path []ast.Node) bool {
	info := s.p.TypesInfo
	var child ast.Node = id
	i := len(path) - 1
	for ; i >= 0; i-- {
		sel, ok := path[i].(*ast.SelectorExpr)
		if !ok || sel.X != child {
			break
		}
		if x := info.Selections[sel]; x == nil || x.Kind() != types.FieldVal || x.Indirect() {
			return false
		}
		child = sel
	}
	if child == ast.Node(id) || i < 0 {
		return false
	}
	switch par := path[i].(type) {
	case *ast.AssignStmt:
		return slices.Contains(par.Lhs, child.(ast.Expr))
	case *ast.IncDecStmt:
		return par.X == child
	}
	return false
}

// climb goes up from a delayed leaf through the expressions that stay delayed
// (operators, field and index expressions, conversions). It returns the index
// in path of the first node that does not, and its child on the way; -1 when
// the whole path stays delayed.
func (s *rs) climb(leaf ast.Node, path []ast.Node) (int, ast.Node) {
	child := leaf
	i := len(path) - 1
	for ; i >= 0 && s.lifts(path[i], child); i-- {
		child = path[i]
	}
	return i, child
}

// eagerFold reports whether as, assigning lhs, is a fold kept eager: what
// it adds is waited for.
func (s *rs) eagerFold(as *ast.AssignStmt, lhs ast.Expr) bool {
	return isOpAssign(as.Tok) && s.folds[s.identVar(lhs)]
}

// appendFold reports whether append call c is the right side of a fold
// kept eager, v = append(v, f(x)), and returns v.
func (s *rs) appendFold(c *ast.CallExpr, above []ast.Node) *types.Var {
	if len(above) == 0 {
		return nil
	}
	as, ok := above[len(above)-1].(*ast.AssignStmt)
	if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 || ast.Unparen(as.Rhs[0]) != ast.Expr(c) {
		return nil
	}
	if v := s.identVar(as.Lhs[0]); v != nil && s.folds[v] && s.identVar(c.Args[0]) == v {
		return v
	}
	return nil
}

// callResult handles a delayed call whose result is used directly, not
// through a variable: fmt.Println(inc(x)), inc(x) + 1 in a condition.
func (s *rs) callResult(c *ast.CallExpr, path []ast.Node) {
	i, child := s.climb(c, path)
	if i < 0 {
		return
	}
	switch path[i].(type) {
	case *ast.ExprStmt:
		return // the result is dropped; the call still runs as a task
	case *ast.AssignStmt, *ast.ValueSpec:
		as, ok := path[i].(*ast.AssignStmt)
		if ok && !slices.Contains(as.Rhs, child.(ast.Expr)) {
			break
		}
		if child != ast.Node(c) {
			break
		}
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return // assigned to variables: handled by lift
		}
		lhs := as.Lhs[slices.Index(as.Rhs, child.(ast.Expr))]
		if id, isID := ast.Unparen(lhs).(*ast.Ident); isID && (id.Name == "_" || s.identVar(lhs) != nil) && !s.eagerFold(as, lhs) && !s.staysEager(s.identVar(lhs)) {
			return // assigned to a variable: handled by lift
		}
		if m := s.mapWrite(lhs); m != nil && s.acc[m] != nil {
			return // m[k] = f(x) on an accumulator
		}
	}
	s.consume(c, nil, "the result of "+types.ExprString(c), path[i], child, path[:i])
}

// commaOk returns what stmt is when it assigns the two results of a
// comma-ok expression (v, ok := x.(T), m[k] or <-ch): "type assertion",
// "map index" or "receive"; else "". Its variables stay eager, and the
// statement waits for what the expression reads.
func commaOk(stmt ast.Node) string {
	var rhs ast.Expr
	switch st := stmt.(type) {
	case *ast.AssignStmt:
		if len(st.Lhs) != 2 || len(st.Rhs) != 1 {
			return ""
		}
		rhs = st.Rhs[0]
	case *ast.ValueSpec:
		if len(st.Names) != 2 || len(st.Values) != 1 {
			return ""
		}
		rhs = st.Values[0]
	default:
		return ""
	}
	switch e := ast.Unparen(rhs).(type) {
	case *ast.TypeAssertExpr:
		return "type assertion"
	case *ast.IndexExpr:
		return "map index"
	case *ast.UnaryExpr:
		if e.Op == token.ARROW {
			return "receive"
		}
	}
	return ""
}

// staysEager reports whether v, a variable that delayed values are assigned
// to, stays eager although lift would make it delayed: its address is taken,
// or a loop's header defines it. The assignment waits for the value.
func (s *rs) staysEager(v *types.Var) bool {
	if v == nil || s.lifted[v] || s.acc[v] != nil || s.errs[v] != nil || isGlobal(v) {
		return false
	}
	return s.addressed(v) || s.loopVars()[v]
}

// consume classifies the eager code, parent, that reads a delayed value
// (through child): a dependency, a barrier, or something unsupported.
func (s *rs) consume(leaf ast.Node, v *types.Var, what string, parent, child ast.Node, above []ast.Node) {
	i := len(above)
	barrier := func(reason string) {
		b := &Barrier{Pos: leaf.Pos(), Var: v, What: what, Reason: reason, InLoop: s.inLoop(leaf.Pos())}
		b.msg = fmt.Sprintf("%s is needed by eager code here (%s), so the loop waits for it in every iteration", what, reason)
		s.r.Barriers = append(s.r.Barriers, b)
	}
	switch par := parent.(type) {
	case *ast.CallExpr:
		if s.calls[par] != nil {
			return // an argument of a delayed call: a dependency
		}
		if s.isBuiltin(par, "append") && slices.Contains(par.Args[1:], child.(ast.Expr)) && i > 0 {
			if as, ok := above[i-1].(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
				if w := s.identVar(as.Lhs[0]); w != nil && s.acc[w] != nil {
					return // collected by an accumulator
				}
			}
			if w := s.appendFold(par, above[:i]); w != nil {
				barrier("appended to " + w.Name())
				return
			}
		}
		barrier("an argument of " + calleeName(s.p.TypesInfo, par))
	case *ast.AssignStmt:
		if kind := commaOk(par); kind != "" {
			// v, ok := err.(T): the twin computes both where F does.
			barrier("assigned by a comma-ok " + kind)
			return
		}
		for k, rhs := range par.Rhs {
			if rhs != child {
				continue
			}
			lhs := par.Lhs[0]
			if len(par.Lhs) == len(par.Rhs) {
				lhs = par.Lhs[k]
			}
			if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && id.Name == "_" {
				return // discarded: nothing waits
			}
			if s.eagerFold(par, lhs) {
				barrier(fmt.Sprintf("folded into %s with %s", types.ExprString(lhs), par.Tok))
				return
			}
			if w := s.identVar(lhs); w != nil {
				if isGlobal(w) {
					s.diag(leaf.Pos(), CatUnsupported, "%s, a delayed value, is stored in package variable %s; keep it in a local variable and store the result after the parallel code", what, w.Name())
				}
				switch {
				case !s.staysEager(w):
				case s.addressed(w):
					barrier(fmt.Sprintf("assigned to %s, whose address is taken", w.Name()))
				default:
					barrier(fmt.Sprintf("assigned to %s, a variable of a loop's header", w.Name()))
				}
				return // the variable it goes to is lifted too
			}
			if m := s.mapWrite(lhs); m != nil && s.acc[m] != nil {
				return
			}
			barrier("stored into " + types.ExprString(lhs))
			return
		}
		barrier("used in the left side of an assignment")
	case *ast.ValueSpec:
		if kind := commaOk(par); kind != "" {
			barrier("assigned by a comma-ok " + kind)
		}
	case *ast.IncDecStmt:
		if _, ok := ast.Unparen(child.(ast.Expr)).(*ast.Ident); !ok {
			// m[code]++: the key is needed to find what to increment.
			barrier(fmt.Sprintf("used in %s%s", types.ExprString(par.X), par.Tok))
		}
	case *ast.ReturnStmt:
		s.r.Barriers = append(s.r.Barriers, &Barrier{Pos: leaf.Pos(), Var: v, What: what, Reason: "returned", Return: true})
	case *ast.IfStmt:
		barrier("the condition of an if")
	case *ast.ForStmt:
		barrier("the condition of a for")
	case *ast.SwitchStmt:
		barrier("the tag of a switch")
	case *ast.CaseClause:
		barrier("a case of a switch")
	case *ast.RangeStmt:
		barrier("ranged over")
	case *ast.SendStmt:
		s.diag(leaf.Pos(), CatUnsupported, "%s, a delayed value, is sent on a channel; compute it first, or send after the parallel code", what)
	case *ast.UnaryExpr:
		barrier("its address is taken")
	default:
		barrier("read by eager code")
	}
}

// lifts reports whether parent, an expression containing child, stays
// delayed when child does.
func (s *rs) lifts(parent, child ast.Node) bool {
	switch p := parent.(type) {
	case *ast.BinaryExpr, *ast.ParenExpr, *ast.IndexExpr, *ast.SliceExpr, *ast.StarExpr,
		*ast.CompositeLit, *ast.KeyValueExpr:
		return true
	case *ast.UnaryExpr:
		return p.Op != token.AND
	case *ast.SelectorExpr:
		return p.X == child
	case *ast.TypeAssertExpr:
		return p.X == child
	case *ast.CallExpr:
		tv, ok := s.p.TypesInfo.Types[p.Fun]
		return ok && tv.IsType() && len(p.Args) == 1
	}
	return false
}

// useAcc handles a use of an accumulator: its own updates are not uses;
// anything else reads it and needs it materialized.
func (s *rs) useAcc(id *ast.Ident, v *types.Var, a *Var, path []ast.Node) {
	if len(path) == 0 {
		return
	}
	parent := path[len(path)-1]
	switch par := parent.(type) {
	case *ast.AssignStmt:
		if slices.Contains(par.Lhs, ast.Expr(id)) {
			return // the accumulator is updated
		}
	case *ast.CallExpr:
		if s.isBuiltin(par, "append") && len(par.Args) > 0 && par.Args[0] == ast.Expr(id) && len(path) > 1 {
			if as, ok := path[len(path)-2].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && s.identVar(as.Lhs[0]) == v {
				return // s = append(s, ...)
			}
		}
		if s.calls[par] != nil {
			return // passed to a delayed call as a whole: a dependency on all its pieces
		}
		if s.isBuiltin(par, "append") && par.Ellipsis.IsValid() && len(par.Args) == 2 && par.Args[1] == ast.Expr(id) {
			return // spread into another accumulator
		}
	case *ast.IndexExpr:
		if a.Acc == MapWrite && par.X == ast.Expr(id) && len(path) > 1 {
			if as, ok := path[len(path)-2].(*ast.AssignStmt); ok && slices.Contains(as.Lhs, ast.Expr(par)) {
				return // m[k] = d
			}
		}
	case *ast.ReturnStmt:
		s.r.Barriers = append(s.r.Barriers, &Barrier{Pos: id.Pos(), Var: v, What: v.Name(), Reason: "returned", Return: true})
		return
	}
	reason := "read by eager code"
	switch par := parent.(type) {
	case *ast.CallExpr:
		reason = "an argument of " + calleeName(s.p.TypesInfo, par)
	case *ast.RangeStmt:
		reason = "ranged over"
	}
	if s.work[v] {
		// Popping the worklist: the twin waits for the next piece to complete.
		s.r.Barriers = append(s.r.Barriers, &Barrier{Pos: id.Pos(), Var: v, What: v.Name(), Reason: "worklist: " + reason})
		return
	}
	b := &Barrier{Pos: id.Pos(), Var: v, What: v.Name(), Reason: reason, InLoop: s.inLoop(id.Pos())}
	b.msg = fmt.Sprintf("accumulator %s is read by eager code here (%s), so the loop waits for every piece so far in each iteration", v.Name(), reason)
	s.r.Barriers = append(s.r.Barriers, b)
}

// errorUse handles a use of the error result of a delayed call. In the idiom
//
//	if err != nil { return ..., err }
//
// it is not a barrier: the twin returns the error the sequential code would.
func (s *rs) errorUse(id *ast.Ident, v *types.Var, parent, child ast.Node, above []ast.Node) bool {
	// Inside the return of an idiom already recognized.
	for _, n := range above {
		if ifs, ok := n.(*ast.IfStmt); ok && s.idioms[ifs] {
			return true
		}
	}
	ifs, ok := parent.(*ast.IfStmt)
	if !ok || ifs.Cond != child || ifs.Else != nil || ifs.Init != nil || len(ifs.Body.List) != 1 {
		return false
	}
	cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ || !isNil(s.p.TypesInfo, cond.Y) || ast.Unparen(cond.X) != ast.Expr(id) {
		return false
	}
	ret, ok := ifs.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 {
		return false
	}
	last := ast.Unparen(ret.Results[len(ret.Results)-1])
	wrapped := false
	switch e := last.(type) {
	case *ast.Ident:
		if s.identVar(e) != v {
			return false
		}
	case *ast.CallExpr:
		if !slices.ContainsFunc(e.Args, func(a ast.Expr) bool { return s.identVar(a) == v }) {
			return false
		}
		wrapped = true
	default:
		return false
	}
	// The call that set err last before the if.
	var call *Call
	for _, c := range s.errs[v] {
		if c.Expr.Pos() < ifs.Pos() && (call == nil || c.Expr.Pos() > call.Expr.Pos()) {
			call = c
		}
	}
	if call == nil || !s.reachesIf(call, v, ifs) || s.returnsResults(call, v, ret) {
		return false
	}
	s.idioms[ifs] = true
	s.r.Errors = append(s.r.Errors, &ErrorSite{Call: call, Err: v, If: ifs, Wrapped: wrapped})
	return true
}

// returnsResults reports whether the return statement of an error idiom
// reads what the failing call itself assigns besides the error (return n,
// err after n, err = f(x); return st, err after st.A, err = f(x)): F
// returns the values the call returned with its error, which a twin's
// handler, made when the call was issued, does not hold. Such an if waits
// for the call instead.
func (s *rs) returnsResults(call *Call, errVar *types.Var, ret *ast.ReturnStmt) bool {
	roots := map[*types.Var]bool{}
	for _, t := range call.Targets {
		if v := rootVar(s.p.TypesInfo, t); v != nil && v != errVar {
			roots[v] = true
		}
	}
	if len(roots) == 0 {
		return false
	}
	found := false
	for _, r := range ret.Results {
		ast.Inspect(r, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := s.p.TypesInfo.Uses[id].(*types.Var); ok && roots[v] {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

// reachesIf reports whether the error that call assigns to v is the one
// the if tests on every path: the call's assignment is a statement of the
// block that holds the if, before it, and nothing between them assigns v.
// An error set in one branch of a switch or an if/else chain, and tested
// after it, is not: the if tests whichever branch ran, so it is a wait.
func (s *rs) reachesIf(call *Call, v *types.Var, ifs *ast.IfStmt) bool {
	ok := false
	ast.Inspect(s.body, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		default:
			return !ok
		}
		at := slices.Index(list, ast.Stmt(ifs))
		if at < 0 {
			return !ok
		}
		for i := at - 1; i >= 0; i-- {
			st := list[i]
			if as, isAs := st.(*ast.AssignStmt); isAs && len(as.Rhs) == 1 && ast.Unparen(as.Rhs[0]) == ast.Expr(call.Expr) {
				ok = true
				return false
			}
			if len(s.p.assignsOf(st, v)) > 0 || (st.Pos() <= call.Expr.Pos() && call.Expr.End() <= st.End()) {
				return false
			}
		}
		return false
	})
	return ok
}

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.IsNil()
}

func calleeName(info *types.Info, c *ast.CallExpr) string {
	if fn := typeutil.Callee(info, c); fn != nil {
		if f, ok := fn.(*types.Func); ok && f.Pkg() != nil {
			return f.Pkg().Name() + "." + f.Name()
		}
		return fn.Name()
	}
	return types.ExprString(c.Fun)
}

// loopVars returns the variables that the region's loops define in their
// headers: a range's key and value, a for's init. They stay eager: a
// delayed value assigned to one is waited for there.
func (s *rs) loopVars() map[*types.Var]bool {
	if s.headerVars != nil {
		return s.headerVars
	}
	info := s.p.TypesInfo
	s.headerVars = map[*types.Var]bool{}
	for _, l := range s.loops {
		switch l := l.(type) {
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{l.Key, l.Value} {
				if id, ok := e.(*ast.Ident); ok && l.Tok == token.DEFINE {
					if v, ok := info.Defs[id].(*types.Var); ok {
						s.headerVars[v] = true
					}
				}
			}
		case *ast.ForStmt:
			if as, ok := l.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				for _, e := range as.Lhs {
					if v := s.identVar(e); v != nil {
						s.headerVars[v] = true
					}
				}
			}
		}
	}
	return s.headerVars
}

// classify lists every local variable the region touches, with its class.
func (s *rs) classify() {
	info := s.p.TypesInfo
	seen := map[*types.Var]bool{}
	loopVars := s.loopVars()
	assigned := map[*types.Var]bool{}
	mark := func(e ast.Expr) {
		if v := rootVar(info, e); v != nil {
			assigned[v] = true
		}
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				mark(l)
			}
		case *ast.IncDecStmt:
			mark(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil {
						mark(e)
					}
				}
			}
		case *ast.Ident:
			v, _ := info.Uses[n].(*types.Var)
			if v == nil {
				v, _ = info.Defs[n].(*types.Var)
			}
			if v != nil && !v.IsField() && !isGlobal(v) && v.Name() != "_" {
				seen[v] = true
			}
		}
		return true
	})
	inside := func(v *types.Var) bool { return s.body.Pos() <= v.Pos() && v.Pos() < s.body.End() }
	for v := range seen {
		out := &Var{Obj: v}
		switch {
		case loopVars[v]:
			out.Class = LoopVar
		case s.errs[v] != nil:
			out.Class = ErrorVar
			out.Call = s.errs[v][0]
		case s.lifted[v]:
			out.Class = Lifted
		case s.acc[v] != nil:
			out = s.acc[v] // Accumulator, or Worklist
		case inside(v):
			out.Class = Temporary
		case assigned[v]:
			out.Class = Eager
		default:
			out.Class = ReadOnly
		}
		s.r.Vars = append(s.r.Vars, out)
	}
	sortVars(s.r.Vars)
}

// mutations reports arguments of delayed calls that eager code changes
// before the graph can run.
func (s *rs) mutations() {
	info := s.p.TypesInfo
	type shared struct {
		call *Call
		v    *types.Var
	}
	var args []shared
	// via names, for a variable an argument shares memory with through
	// others (path := append(parent, x); line := sc.Bytes()), the
	// argument's own variable, as messages say it.
	via := map[shared]*types.Var{}
	for _, c := range s.r.Calls {
		for _, a := range c.Expr.Args {
			if s.reusedBuffer(c, a) || !hasRefs(info.TypeOf(a), map[types.Type]bool{}) {
				continue
			}
			v := rootVar(info, a)
			if v != nil {
				args = append(args, shared{c, v})
			}
			// What the argument shares memory with, through the
			// function's assignments before and in the region.
			srcs := map[*types.Var]bool{}
			s.p.aliasSources(a, srcs)
			for u := range s.p.aliasClosure(s.r.Func.Body, srcs) {
				if u == v || u.Pkg() == nil {
					continue
				}
				sh := shared{c, u}
				if _, dup := via[sh]; !dup {
					args = append(args, sh)
					via[sh] = v
				}
			}
		}
	}
	slices.SortStableFunc(args, func(a, b shared) int { return int(a.v.Pos() - b.v.Pos()) })
	if len(args) == 0 {
		return
	}
	// Every write through each shared variable in the region.
	writes := map[*types.Var][]token.Pos{}
	for _, sh := range args {
		if _, done := writes[sh.v]; done {
			continue
		}
		w := &writer{p: s.p, params: map[*types.Var]int{sh.v: 0},
			s: &writeSummary{globals: map[string]token.Pos{}, params: make([]token.Pos, 1)}}
		var found []token.Pos
		ast.Inspect(s.body, func(n ast.Node) bool {
			w.s.params[0] = token.NoPos
			if isGlobal(sh.v) {
				w.s.globals = map[string]token.Pos{}
			}
			w.visit(n)
			if pos := w.s.params[0]; pos.IsValid() {
				found = append(found, pos)
			}
			if isGlobal(sh.v) {
				for _, pos := range w.s.globals {
					found = append(found, pos)
				}
			}
			return true
		})
		writes[sh.v] = found
	}
	reported := map[token.Pos]bool{}
	for _, c := range s.r.Calls {
		// A delayed function that writes its arguments is reported where it
		// is declared (checkDelayed); its calls are not more places to fix.
		reported[c.Expr.Pos()] = true
	}
	for _, sh := range args {
		for _, pos := range writes[sh.v] {
			if reported[pos] || !s.before(sh.call.Expr, sh.v, pos) {
				continue
			}
			reported[pos] = true
			if arg, ok := via[sh]; ok {
				name, clone := "its argument", "slices.Clone"
				if arg != nil {
					name = arg.Name()
					if isBytes(arg.Type()) {
						clone = "bytes.Clone"
					}
				}
				s.diag(pos, CatMutation, "%s, passed to delayed call %s at line %d, shares memory with %s, which is changed here before the task runs (by this iteration or the next), so the task could see the change; pass a copy (%s(%s)) or make a new value for each call",
					name, sh.call.Func.Name(), s.line(sh.call.Expr.Pos()), sh.v.Name(), clone, name)
				continue
			}
			s.diag(pos, CatMutation, "%s is passed to delayed call %s at line %d and changed here before the graph runs, so the task could see the change; pass a copy (for a slice, slices.Clone(%s)) or change a new value",
				sh.v.Name(), sh.call.Func.Name(), s.line(sh.call.Expr.Pos()), sh.v.Name())
		}
	}
}

// reusedBuffer reports an argument of a delayed call that is memory a method
// lends out until its next call, like bufio.Scanner.Bytes until the next
// Scan: a.M() (or a slice of it) of a reference type, where the region calls
// another method of the same variable after the call, or in a loop around
// it.
func (s *rs) reusedBuffer(c *Call, a ast.Expr) (reported bool) {
	info := s.p.TypesInfo
	if !hasRefs(info.TypeOf(a), map[types.Type]bool{}) {
		return false
	}
	e := ast.Unparen(a)
	for {
		if x, ok := e.(*ast.SliceExpr); ok {
			e = ast.Unparen(x.X)
			continue
		}
		break
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x := info.Selections[sel]
	if x == nil || x.Kind() != types.MethodVal {
		return false
	}
	if fn, ok := x.Obj().(*types.Func); ok && appendsInto(fn) && isNil(info, call.Args[0]) {
		return false // h.Sum(nil) appends to nil: new memory, not h's
	}
	r := rootVar(info, sel.X)
	if r == nil {
		return false
	}
	hint := ""
	if isNamed(r.Type(), "bufio", "Scanner") {
		hint = fmt.Sprintf(", or a string (%s.Text())", r.Name())
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		other, ok := n.(*ast.CallExpr)
		if !ok || other == call {
			return true
		}
		osel, ok := ast.Unparen(other.Fun).(*ast.SelectorExpr)
		if !ok || rootVar(info, osel.X) != r {
			return true
		}
		if x := info.Selections[osel]; x == nil || x.Kind() != types.MethodVal {
			return true
		}
		if s.before(c.Expr, r, other.Pos()) {
			s.diag(a.Pos(), CatMutation, "%s returns memory that %s at line %d overwrites while the task may still read it; pass a copy (for a []byte, bytes.Clone(%s))%s",
				types.ExprString(call), types.ExprString(other.Fun), s.line(other.Pos()), types.ExprString(call), hint)
			reported = true
			return false
		}
		return true
	})
	return reported
}

// before reports whether a write at pos can happen after call was made and
// before the graph runs: it comes later in the code, or both are in a loop
// that v outlives, so that the next iteration writes.
func (s *rs) before(call *ast.CallExpr, v *types.Var, pos token.Pos) bool {
	if pos > call.End() {
		return true
	}
	for _, l := range s.loops {
		if l.Pos() <= call.Pos() && call.End() <= l.End() && l.Pos() <= pos && pos < l.End() && !(l.Pos() <= v.Pos() && v.Pos() < l.End()) {
			return true
		}
	}
	return false
}

// hasRefs reports whether values of t share memory when copied.
func hasRefs(t types.Type, seen map[types.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Map, *types.Pointer, *types.Chan, *types.Interface:
		return true
	case *types.Array:
		return hasRefs(u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if hasRefs(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// String describes a call site for messages.
func (c *Call) String() string { return fmt.Sprintf("%s()", c.Func.Name()) }

// dropped marks the error variables declared in the region that only the
// error idioms of their calls read (Var.Dropped): every use is the target
// of a delayed call whose idiom tests it, inside such an idiom, or a
// declaration with no value.
func (s *rs) dropped() {
	info := s.p.TypesInfo
	var body ast.Node = s.r.Loop
	if body == nil {
		body = s.r.Func.Body
	}
	idioms := map[*ast.IfStmt]bool{}
	sites := map[*ast.CallExpr]*ErrorSite{}
	for _, e := range s.r.Errors {
		idioms[e.If] = true
		sites[e.Call.Expr] = e
	}
	use := func(id *ast.Ident) *types.Var {
		if v, ok := info.Uses[id].(*types.Var); ok {
			return v
		}
		v, _ := info.Defs[id].(*types.Var)
		return v
	}
	for _, v := range s.r.Vars {
		if v.Class != ErrorVar {
			continue
		}
		ok := body.Pos() <= v.Obj.Pos() && v.Obj.Pos() < body.End()
		ast.Inspect(s.r.Func.Body, func(n ast.Node) bool {
			if !ok {
				return false
			}
			switch n := n.(type) {
			case *ast.IfStmt:
				if idioms[n] {
					return false
				}
			case *ast.AssignStmt:
				if len(n.Rhs) == 1 {
					if c, isCall := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); isCall && sites[c] != nil && sites[c].Err == v.Obj {
						for _, r := range n.Rhs {
							ast.Inspect(r, func(m ast.Node) bool {
								if id, isID := m.(*ast.Ident); isID && use(id) == v.Obj {
									ok = false
								}
								return true
							})
						}
						return false
					}
				}
			case *ast.DeclStmt:
				// var err error: declared, not read.
				if gd, isGen := n.Decl.(*ast.GenDecl); isGen && gd.Tok == token.VAR {
					for _, sp := range gd.Specs {
						vs := sp.(*ast.ValueSpec)
						for _, id := range vs.Names {
							if use(id) == v.Obj && len(vs.Values) > 0 {
								ok = false
							}
						}
					}
					return false
				}
			case *ast.Ident:
				if info.Uses[n] == v.Obj {
					ok = false
				}
			}
			return true
		})
		v.Dropped = ok
	}
}

// addressed reports whether the region takes v's address (&v, &v.f,
// &v[i] of an array): such a variable is not made delayed, since a pointer
// to it must see the variable itself, not a task's value. Its assignment
// waits for its delayed operands and computes it in the eager code.
func (s *rs) addressed(v *types.Var) bool {
	found := false
	ast.Inspect(s.body, func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if found || !ok || u.Op != token.AND {
			return !found
		}
		x := ast.Unparen(u.X)
		for {
			switch e := x.(type) {
			case *ast.SelectorExpr:
				x = ast.Unparen(e.X)
				continue
			case *ast.IndexExpr:
				if _, arr := under(s.p.TypesInfo.TypeOf(e.X)).(*types.Array); arr {
					x = ast.Unparen(e.X)
					continue
				}
			}
			break
		}
		if id, ok := x.(*ast.Ident); ok && s.p.TypesInfo.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

// isNamed reports whether t, or what it points to, is the named type
// pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}
