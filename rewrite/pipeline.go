package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/daskgen/daskgen/analyzer"
)

// A pipelined loop (analyzer.Pipeline) becomes
//
//	type iteration struct{ ... } // at the top of the twin: what the issue part hands over
//	for it, st := range twinimpl.Pipeline(tw, twinimpl.DefaultWindow, twinimpl.Reuse, func(p *twinimpl.Producer[iteration]) {
//		for i, u := range urls { // F's header, run ahead
//			if !p.Next(func(it *iteration, st *twinimpl.Step) {
//				it.i, it.u = i, u
//				st.At(1)
//				twinimpl.IssueInto1(&it.fetch, st, fetchDelayed, daskgen.Value[string](it.u))
//			}) {
//				return
//			}
//		}
//	}) {
//		... // F's body, in F's order; where F calls fetch:
//		tw.Adopt(st, 1)
//		page := twinimpl.Track(tw, it.fetch)
//	}
//
// Both parts name the handed-over variables it.x. The eager part adopts each
// step's tasks where F makes the calls, so that failures keep F's order.
//
// A loop over a slice, an array or an integer (analyzer.Pipeline.Indexed)
// numbers its iterations, so its issue parts run in several producers at
// once, each iteration's from its number:
//
//	rx := urls // F's range expression, evaluated once
//	for it, st := range twinimpl.PipelineIndex(tw, twinimpl.DefaultWindow, twinimpl.Reuse, len(rx), func(k int, it *iteration, st *twinimpl.Step) {
//		i := k
//		u := rx[k]
//		it.i, it.u = i, u
//		st.At(1)
//		twinimpl.IssueInto1(&it.fetch, st, fetchDelayed, daskgen.Value[string](it.u))
//	}, nil) {
//		... // the eager part, as above
//	}
//
// When the loop's eager parts commute (analyzer.Pipeline.Detached: out[i] =
// f(x)), nil is instead the eager part written for an iteration whose
// values are known, which the producers run themselves (detachPart).
//
// A loop of the body whose issue part runs in the outer one's
// (analyzer.Step.Inner) has a pipe of its own (innerPipe): its iterations
// are records in a slice of the outer iteration, which the issue part
// fills (innerProducer) and the eager part replays, in F's order, with F's
// inner loop body and label (innerConsumer).
//
// Reuse lets the producers write later iterations into the memory of
// iterations the eager part is done with; the twin says Keep when F's body
// may keep a pointer into one (analyzer.Pipeline.Keep).

// pipe is the state of one pipelined loop while it is written.
type pipe struct {
	pl       *analyzer.Pipeline
	it, st   string
	producer bool // writing the issue part
	detach   bool // writing the eager part a producer runs (analyzer.Pipeline.Detached)
	fields   []*pipeField
	taken    map[string]bool
	steps    map[ast.Stmt]int         // moved statements and their step numbers
	paces    map[ast.Stmt]bool        // moved statements that are F's pace (analyzer.Step.Pace)
	calls    map[*ast.CallExpr]*pSlot // calls issued ahead of the statement they are in
	idioms   map[*ast.CallExpr]string // the tasks of moved error idioms, for the eager part's Check
	guards   map[*ast.IfStmt]bool     // ifs around steps
	exits    map[*ast.IfStmt]bool     // ifs that end the iteration's issue part (analyzer.Pipeline.Exits)
	header   []*types.Var             // the loop's own variables
	adopted  map[string]bool          // the eager part's names of tasks Adopt tracks
	// nested holds the loops of the body whose issue part runs in this
	// one's (analyzer.Step.Inner), as pipes of their own.
	nested map[ast.Stmt]*pipe
	// For the pipe of such an inner loop: base is what its step numbers
	// count from, an expression of idx, the index of the inner iteration
	// (analyzer.Step.Inner); slice is the outer iteration's field that
	// holds the inner iterations, typeName their type, step the outer
	// step number.
	base, idx, slice, typeName string
	step                       int
	// inner is the pipe of the loop of the body that nested holds, whose
	// steps come before those of the statements after it.
	inner *pipe
}

// num writes step number k of p.
func (p *pipe) num(k int) string {
	switch {
	case p.base != "":
		return p.base + "+" + strconv.Itoa(k)
	case p.inner != nil && k > p.inner.step:
		// After the inner loop's steps (analyzer.Step.Inner).
		return fmt.Sprintf("%d+len(%s.%s)*%d", k+1, p.it, p.inner.slice, len(p.inner.pl.Steps)+1)
	}
	return strconv.Itoa(k)
}

// exit is what ends an iteration's issue part: the function's return, or
// the inner loop's continue.
func (p *pipe) exit() string {
	if p.base == "" {
		return "return"
	}
	return "continue"
}

type pipeField struct {
	name, typ string
}

// pSlot is a delayed call the issue part makes ahead of the statement it is
// in.
type pSlot struct {
	step  int
	field *pipeField
	idiom bool // the eager part uses the idiom's form: the task fails with the error
	used  bool // the eager part has adopted it
}

func (p *pipe) field(base, typ string) *pipeField {
	name := base
	for i := 2; p.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	p.taken[name] = true
	f := &pipeField{name, typ}
	p.fields = append(p.fields, f)
	return f
}

// calleeName is the name a call's slot is named after: fetch for fetch(u)
// and s.fetch(u).
func calleeBase(c *ast.CallExpr) string {
	switch f := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr:
		return calleeBase(&ast.CallExpr{Fun: f.X})
	case *ast.IndexListExpr:
		return calleeBase(&ast.CallExpr{Fun: f.X})
	}
	return "call"
}

// pipelineLoop writes a pipelined loop of a region, with its label.
func (t *twin) pipelineLoop(pl *analyzer.Pipeline, label string, loop ast.Stmt) string {
	outer := t.pipe
	defer func() { t.pipe = outer }()
	p := &pipe{pl: pl, it: t.fresh("it"), st: t.fresh("st"), taken: map[string]bool{},
		steps: map[ast.Stmt]int{}, paces: map[ast.Stmt]bool{}, calls: map[*ast.CallExpr]*pSlot{}, idioms: map[*ast.CallExpr]string{},
		guards: map[*ast.IfStmt]bool{}, exits: map[*ast.IfStmt]bool{}, adopted: map[string]bool{}}
	for _, g := range pl.Exits {
		p.exits[g] = true
	}
	typeName := t.fresh("iteration")
	prod := t.fresh("p")

	var body *ast.BlockStmt
	switch l := loop.(type) {
	case *ast.RangeStmt:
		body = l.Body
		for _, e := range []ast.Expr{l.Key, l.Value} {
			if v := t.identVar(e); v != nil {
				p.header = append(p.header, v)
			}
		}
	case *ast.ForStmt:
		body = l.Body
		if as, ok := l.Init.(*ast.AssignStmt); ok {
			for _, e := range as.Lhs {
				if v := t.identVar(e); v != nil {
					p.header = append(p.header, v)
				}
			}
		}
	}
	// The handed-over variables are it.x in both parts.
	saved := t.handOver(p, pl.Vars)
	defer func() {
		for _, v := range pl.Vars {
			delete(t.renamed, v)
			if name, ok := saved[v]; ok {
				t.lifted[v] = name
			}
		}
	}()
	for k, s := range pl.Steps {
		for _, g := range s.Guards {
			p.guards[g] = true
		}
		if s.Call == nil {
			p.steps[s.Stmt] = k + 1
			p.paces[s.Stmt] = s.Pace
			if s.Inner != nil {
				continue // its pipe (innerPipe) has its calls
			}
			ast.Inspect(s.Stmt, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok && t.sites[c] != nil {
					sig := t.sigOf(c)
					f := p.field(calleeBase(c)+"Task", t.rt("Delayed")+"["+t.tupleType(valueTypes(sig, true))+"]")
					p.idioms[c] = p.it + "." + f.name
				}
				return true
			})
			continue
		}
		p.calls[s.Call] = &pSlot{step: k + 1, field: p.field(calleeBase(s.Call), "")}
	}
	for k, s := range pl.Steps {
		if s.Inner == nil {
			continue
		}
		if p.nested == nil {
			p.nested = map[ast.Stmt]*pipe{}
		}
		q, restore := t.innerPipe(p, s, k+1)
		defer restore()
		p.nested[s.Stmt] = q
		p.inner = q
	}

	// The eager part: F's body.
	t.pipe = p
	consumer := t.block(body)

	// The issue part: F's header, and each iteration's steps.
	p.producer = true
	var b strings.Builder
	var pre, count string
	if pl.Indexed {
		// func(k int, it *iteration, st *twinimpl.Step) { i, x := k, xs[k]; ... }
		var k string
		pre, count, k = t.indexHeader(p, loop.(*ast.RangeStmt), typeName)
		b.WriteString(k)
	} else {
		var header string
		header, pre = t.pipeHeader(p, loop)
		fmt.Fprintf(&b, "func(%s *%s[%s]) {\n%s {\n", prod, t.rt("Producer"), typeName, header)
		fmt.Fprintf(&b, "if !%s.Next(func(%s *%s, %s *%s) {\n", prod, p.it, typeName, p.st, t.rt("Step"))
	}
	if len(p.header) > 0 {
		var lhs, rhs []string
		for _, v := range p.header {
			lhs = append(lhs, t.renamed[v])
			rhs = append(rhs, v.Name())
		}
		fmt.Fprintf(&b, "%s = %s\n", strings.Join(lhs, ", "), strings.Join(rhs, ", "))
	}
	b.WriteString(t.producerStmts(p, body.List))
	if pl.Indexed {
		b.WriteString("}")
	} else {
		b.WriteString("}) {\nreturn\n}\n}\n}")
	}
	producer := b.String()
	p.producer = false

	for _, s := range p.calls {
		sig := t.sigOf(callOf(p, s))
		s.field.typ = t.rt("Delayed") + "[" + t.tupleType(valueTypes(sig, s.idiom)) + "]"
	}
	t.innerTypes(p)
	var decl strings.Builder
	fmt.Fprintf(&decl, "// %s is what the issue part of the loop at line %d hands to its eager part.\n", typeName, t.fset.Position(loop.Pos()).Line)
	fmt.Fprintf(&decl, "type %s struct {\n", typeName)
	for _, f := range p.fields {
		fmt.Fprintf(&decl, "%s %s\n", f.name, f.typ)
	}
	decl.WriteString("}\n")
	t.typeDecls = append(t.typeDecls, decl.String())

	it, st := p.it, p.st
	if !strings.Contains(consumer, st+".") && !strings.Contains(consumer, st+",") && !strings.Contains(consumer, st+")") {
		st = "_"
	}
	if !strings.Contains(consumer, it+".") {
		it = "_"
	}
	window := t.rt("DefaultWindow")
	if pl.Window > 0 {
		window = strconv.Itoa(pl.Window)
	}
	slots := t.rt("Reuse")
	if pl.Keep {
		slots = t.rt("Keep")
	}
	if pl.Indexed {
		detach := "nil"
		if pl.Detached {
			detach = t.detachPart(p, body, typeName)
		}
		return fmt.Sprintf("%s%sfor %s, %s := range %s(%s, %s, %s, %s, %s, %s) %s", pre, label, it, st, t.rt("PipelineIndex"), t.tw, window, slots, count, producer, detach, consumer)
	}
	return fmt.Sprintf("%s%sfor %s, %s := range %s(%s, %s, %s, %s) %s", pre, label, it, st, t.rt("Pipeline"), t.tw, window, slots, producer, consumer)
}

// detachPart writes the eager part of a loop whose eager parts commute as
// the function a producer runs for an iteration whose values are known:
//
//	func(it *iteration) bool {
//		d := it.size
//		if !d.Done() {
//			return false // the eager part in F's order takes it
//		}
//		out[it.i] = d.Must()
//		return true
//	}
//
// It neither adopts tasks nor registers error handlers: it runs only when
// the iteration has no task, and F's continue ends it with return true. It
// returns "nil", and the loop's eager part does all the work, if what it
// wrote does anything but wait and assign.
func (t *twin) detachPart(p *pipe, body *ast.BlockStmt, typeName string) string {
	p.detach = true
	text := t.block(body)
	p.detach = false
	inner := strings.TrimSuffix(strings.TrimPrefix(text, "{\n"), "}")
	uses := func(name string) bool {
		return regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(inner)
	}
	if uses(t.tw) || uses(p.st) || uses(t.fail) || (t.onErr != "" && uses(t.onErr)) ||
		strings.Count(inner, "return") != strings.Count(inner, "return false\n")+strings.Count(inner, "return true\n") {
		return "nil"
	}
	return fmt.Sprintf("func(%s *%s) bool {\n%sreturn true\n}", p.it, typeName, inner)
}

// indexHeader writes the header of an indexed loop's issue part: the
// range expression, evaluated once before the loop as F evaluates it (in
// pre), the count of iterations, and the opening of the function that
// issues iteration k, which defines the loop's variables from k.
func (t *twin) indexHeader(p *pipe, l *ast.RangeStmt, typeName string) (pre, count, open string) {
	defer t.ownNames(p)()
	p.producer = false // a range expression that needs a wait waits before the loop
	x := t.expr(l.X)
	rx, k := t.fresh("rx"), t.fresh("k")
	pre = t.flush() + rx + " := " + x + "\n"
	p.producer = true
	_, isInt := t.typeOf(l.X).Underlying().(*types.Basic)
	count = "len(" + rx + ")"
	if isInt {
		count = "int(" + rx + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "func(%s int, %s *%s, %s *%s) {\n", k, p.it, typeName, p.st, t.rt("Step"))
	if v := t.identVar(l.Key); v != nil {
		if isInt {
			fmt.Fprintf(&b, "%s := %s(%s)\n", v.Name(), t.typ(v.Type()), k)
		} else {
			fmt.Fprintf(&b, "%s := %s\n", v.Name(), k)
		}
	}
	if v := t.identVar(l.Value); v != nil {
		fmt.Fprintf(&b, "%s := %s[%s]\n", v.Name(), rx, k)
	}
	return pre, count, b.String()
}

// callOf returns the call of slot s.
func callOf(p *pipe, s *pSlot) *ast.CallExpr {
	for c, x := range p.calls {
		if x == s {
			return c
		}
	}
	return nil
}

// ownNames makes the loop's own variables go by their own names, not the
// it.x the loop's body uses, until the function it returns is called.
func (t *twin) ownNames(p *pipe) (restore func()) {
	saved := map[*types.Var]string{}
	for _, v := range p.header {
		saved[v] = t.renamed[v]
		delete(t.renamed, v)
	}
	return func() {
		for v, n := range saved {
			t.renamed[v] = n
		}
	}
}

// pipeHeader writes the loop's header as the issue part runs it, with the
// loop's own variables under their own names, and what must run before the
// loop (a wait for a delayed range expression).
func (t *twin) pipeHeader(p *pipe, loop ast.Stmt) (string, string) {
	defer t.ownNames(p)()
	p.producer = false // a range expression that needs a wait waits before the loop
	var h string
	switch l := loop.(type) {
	case *ast.RangeStmt:
		x := t.expr(l.X)
		switch {
		case l.Key == nil:
			h = "for range " + x
		case l.Value == nil:
			h = "for " + l.Key.(*ast.Ident).Name + " := range " + x
		default:
			h = "for " + l.Key.(*ast.Ident).Name + ", " + l.Value.(*ast.Ident).Name + " := range " + x
		}
	case *ast.ForStmt:
		var init, cond, post string
		if l.Init != nil {
			init = t.stmtPlain(l.Init)
		}
		if l.Cond != nil {
			cond = t.expr(l.Cond)
		}
		if l.Post != nil {
			post = t.stmtPlain(l.Post)
		}
		if l.Init == nil && l.Post == nil {
			h = "for " + cond
		} else {
			h = "for " + init + "; " + cond + "; " + post
		}
	}
	pre := t.flush()
	p.producer = true
	return h, pre
}

// producerStmts writes the steps among list, in the issue part, under the
// ifs that guard them.
func (t *twin) producerStmts(p *pipe, list []ast.Stmt) string {
	var b strings.Builder
	for _, s := range list {
		if k, ok := p.steps[s]; ok {
			if q := p.nested[s]; q != nil {
				b.WriteString(t.innerProducer(p, q, s.(*ast.RangeStmt)))
				continue
			}
			fmt.Fprintf(&b, "%s.At(%s)\n", p.st, p.num(k))
			if p.paces[s] {
				fmt.Fprintf(&b, "%s.Pace()\n", p.st)
			}
			b.WriteString(t.producerStmt(p, s) + "\n")
			continue
		}
		switch s := s.(type) {
		case *ast.BlockStmt:
			b.WriteString(t.producerStmts(p, s.List))
			continue
		case *ast.LabeledStmt:
			b.WriteString(t.producerStmts(p, []ast.Stmt{s.Stmt}))
			continue
		case *ast.IfStmt:
			if s.Init != nil {
				b.WriteString(t.producerStmts(p, []ast.Stmt{s.Init}))
			}
		case *ast.SwitchStmt:
			if s.Init != nil {
				b.WriteString(t.producerStmts(p, []ast.Stmt{s.Init}))
			}
		}
		b.WriteString(t.producerCalls(p, s))
		ifs, ok := s.(*ast.IfStmt)
		if !ok || !p.guards[ifs] {
			continue
		}
		then := t.producerStmts(p, ifs.Body.List)
		var els string
		switch e := ifs.Else.(type) {
		case *ast.BlockStmt:
			els = t.producerStmts(p, e.List)
		case *ast.IfStmt:
			els = t.producerStmts(p, []ast.Stmt{e})
		}
		cond := t.expr(ifs.Cond)
		t.noWaits(ifs.Cond)
		if p.exits[ifs] {
			// F leaves the iteration: so does its issue part.
			fmt.Fprintf(&b, "if %s {\n%s%s\n}\n", cond, then, p.exit())
			continue
		}
		switch {
		case then == "" && els == "":
		case els == "":
			fmt.Fprintf(&b, "if %s {\n%s}\n", cond, then)
		case then == "":
			fmt.Fprintf(&b, "if !(%s) {\n%s}\n", cond, els)
		default:
			fmt.Fprintf(&b, "if %s {\n%s} else {\n%s}\n", cond, then, els)
		}
	}
	return b.String()
}

// producerCalls writes the delayed calls issued ahead of statement s.
func (t *twin) producerCalls(p *pipe, s ast.Stmt) string {
	var b strings.Builder
	for k, step := range p.pl.Steps {
		if step.Call == nil || step.Stmt != s {
			continue
		}
		slot := p.calls[step.Call]
		fmt.Fprintf(&b, "%s.At(%s)\n", p.st, p.num(k+1))
		call := t.issueInto(step.Call, slot.idiom, p.it+"."+slot.field.name)
		b.WriteString(t.flush())
		fmt.Fprintf(&b, "%s\n", call)
		t.noWaits(step.Call)
	}
	return b.String()
}

// producerStmt writes a moved statement in the issue part.
func (t *twin) producerStmt(p *pipe, s ast.Stmt) string {
	out := t.regionStmt(s)
	t.noWaits(s)
	return t.flush() + out
}

// noWaits refuses, as an internal error, code of the issue part that would
// wait: the analyzer moved only what needs no wait.
func (t *twin) noWaits(n ast.Node) {
	if len(t.waits) > 0 {
		t.internal(n.Pos(), "the issue part of a pipelined loop would wait for %s", strings.Join(t.waits, ", "))
		t.waits = nil
	}
}

// consumerStep writes a moved statement in the eager part: the adoption of
// its tasks, and the registration of its error idioms.
func (t *twin) consumerStep(p *pipe, s ast.Stmt, k int) string {
	if p.detach {
		return "" // an iteration with no task: nothing to adopt or check
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s.Adopt(%s, %s)", t.tw, p.st, p.num(k))
	ast.Inspect(s, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || p.idioms[c] == "" {
			return true
		}
		b.WriteString("\n" + t.register(t.sites[c], p.idioms[c]))
		return true
	})
	return b.String()
}

// slotCall writes, in the eager part, a delayed call that the issue part
// made: its task, adopted where F makes the call.
func (t *twin) slotCall(p *pipe, c *ast.CallExpr, idiom bool) string {
	s := p.calls[c]
	s.idiom = idiom
	if !s.used && !p.detach {
		s.used = true
		t.pre = append(t.pre, fmt.Sprintf("%s.Adopt(%s, %s)", t.tw, p.st, p.num(s.step)))
	}
	p.adopted[p.it+"."+s.field.name] = true
	return p.it + "." + s.field.name
}

// renamedTok returns "=" for a definition whose variables the pipelined
// loop hands over (they are fields, already declared), tok otherwise.
func (t *twin) renamedTok(lhs []ast.Expr, tok token.Token) token.Token {
	if tok != token.DEFINE {
		return tok
	}
	for _, l := range lhs {
		if v := t.identVar(l); v != nil {
			if _, ok := t.renamed[v]; !ok {
				return tok
			}
		}
	}
	return token.ASSIGN
}

// innerPipe makes the pipe of the loop that step k of p's loop is
// (analyzer.Step.Inner): its iterations are records in a slice field of
// p's iteration, its variables fields of a record, its steps numbered
// after k in the order of its iterations. It returns what undoes its
// names.
func (t *twin) innerPipe(p *pipe, s *analyzer.Step, k int) (*pipe, func()) {
	pl := s.Inner
	q := &pipe{pl: pl, it: t.fresh("in"), st: p.st, taken: map[string]bool{},
		steps: map[ast.Stmt]int{}, paces: map[ast.Stmt]bool{}, calls: map[*ast.CallExpr]*pSlot{}, idioms: map[*ast.CallExpr]string{},
		guards: map[*ast.IfStmt]bool{}, exits: map[*ast.IfStmt]bool{}, adopted: map[string]bool{}}
	q.idx = t.fresh("j")
	q.step = k
	// Inner iteration j's step m is k+1+j*(M+1)+m, and k+1+j*(M+1) is
	// what its guards run under: a panic there is the eager part's to
	// meet, where it evaluates the guard again, not the adoption of the
	// step before it (the iteration before's, which F may leave early).
	q.base = fmt.Sprintf("%d+%s*%d", k+1, q.idx, len(pl.Steps)+1)
	q.typeName = t.fresh("iteration")
	q.slice = p.field("inner", "[]"+q.typeName).name
	for _, g := range pl.Exits {
		q.exits[g] = true
	}
	l := pl.Loop.(*ast.RangeStmt)
	for _, e := range []ast.Expr{l.Key, l.Value} {
		if v := t.identVar(e); v != nil {
			q.header = append(q.header, v)
		}
	}
	saved := t.handOver(q, pl.Vars)
	for k, s := range pl.Steps {
		for _, g := range s.Guards {
			q.guards[g] = true
		}
		if s.Call == nil {
			q.steps[s.Stmt] = k + 1
			q.paces[s.Stmt] = s.Pace
			ast.Inspect(s.Stmt, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok && t.sites[c] != nil {
					sig := t.sigOf(c)
					f := q.field(calleeBase(c)+"Task", t.rt("Delayed")+"["+t.tupleType(valueTypes(sig, true))+"]")
					q.idioms[c] = q.it + "." + f.name
				}
				return true
			})
			continue
		}
		q.calls[s.Call] = &pSlot{step: k + 1, field: q.field(calleeBase(s.Call), "")}
	}
	return q, func() {
		for _, v := range pl.Vars {
			delete(t.renamed, v)
			if name, ok := saved[v]; ok {
				t.lifted[v] = name
			}
		}
	}
}

// innerProducer writes, in the issue part of p's loop, the issue part of
// the inner loop l: its range expression, evaluated once as F evaluates
// it, and for each of its iterations, in order, a record in the outer
// iteration and its steps.
//
//	st.At(1)
//	rx2 := it.p.Files
//	it.inner = it.inner[:0]
//	for j := range len(rx2) {
//		it.inner = append(it.inner, iteration2{})
//		in := &it.inner[j]
//		f := rx2[j]
//		in.f = f
//		st.At(2 + j*2 + 0)
//		st.At(2 + j*2 + 1)
//		in.score = twinimpl.Issue1(st, scoreDelayed, daskgen.Value[string](in.f))
//	}
func (t *twin) innerProducer(p, q *pipe, l *ast.RangeStmt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.At(%s)\n", p.st, p.num(q.step))
	x := t.expr(l.X)
	b.WriteString(t.flush())
	t.noWaits(l.X)
	rx := t.fresh("rx")
	fmt.Fprintf(&b, "%s := %s\n", rx, x)
	fmt.Fprintf(&b, "%s.%s = %s.%s[:0]\n", p.it, q.slice, p.it, q.slice)
	_, isInt := t.typeOf(l.X).Underlying().(*types.Basic)
	count := "len(" + rx + ")"
	if isInt {
		count = "int(" + rx + ")"
	}
	fmt.Fprintf(&b, "for %s := range %s {\n", q.idx, count)
	fmt.Fprintf(&b, "%s.%s = append(%s.%s, %s{})\n", p.it, q.slice, p.it, q.slice, q.typeName)
	fmt.Fprintf(&b, "%s := &%s.%s[%s]\n", q.it, p.it, q.slice, q.idx)
	if v := t.identVar(l.Key); v != nil {
		if isInt {
			fmt.Fprintf(&b, "%s := %s(%s)\n", v.Name(), t.typ(v.Type()), q.idx)
		} else {
			fmt.Fprintf(&b, "%s := %s\n", v.Name(), q.idx)
		}
	}
	if v := t.identVar(l.Value); v != nil {
		fmt.Fprintf(&b, "%s := %s[%s]\n", v.Name(), rx, q.idx)
	}
	if len(q.header) > 0 {
		var lhs, rhs []string
		for _, v := range q.header {
			lhs = append(lhs, t.renamed[v])
			rhs = append(rhs, v.Name())
		}
		fmt.Fprintf(&b, "%s = %s\n", strings.Join(lhs, ", "), strings.Join(rhs, ", "))
	}
	if len(q.guards) > 0 {
		fmt.Fprintf(&b, "%s.At(%s)\n", p.st, q.num(0)) // what the guards run under
	}
	outer := t.pipe
	t.pipe, q.producer = q, true
	b.WriteString(t.producerStmts(q, l.Body.List))
	t.pipe, q.producer = outer, false
	b.WriteString("}\n")
	if slices.ContainsFunc(p.pl.Steps, func(s *analyzer.Step) bool {
		return p.steps[s.Stmt] > q.step || s.Call != nil && p.calls[s.Call].step > q.step
	}) {
		// What the guards of the steps after the loop run under: a
		// number no step has.
		fmt.Fprintf(&b, "%s.At(%d+len(%s.%s)*%d)\n", p.st, q.step+1, p.it, q.slice, len(q.pl.Steps)+1)
	}
	return b.String()
}

// innerConsumer writes, in the eager part of p's loop, the inner loop l
// (with its label) as F's body replayed over the records the issue part
// made, in F's order: each inner iteration adopts its own steps' tasks.
func (t *twin) innerConsumer(p, q *pipe, label string, l *ast.RangeStmt) string {
	outer := t.pipe
	t.pipe = q
	body := t.block(l.Body)
	t.pipe = outer
	inner := strings.TrimSuffix(strings.TrimPrefix(body, "{\n"), "}")
	uses := func(name string) bool {
		return regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(inner)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s.Adopt(%s, %s)\n%s", t.tw, p.st, p.num(q.step), label)
	switch {
	case uses(q.it):
		fmt.Fprintf(&b, "for %s := range %s.%s {\n%s := &%s.%s[%s]\n", q.idx, p.it, q.slice, q.it, p.it, q.slice, q.idx)
	case uses(q.idx):
		fmt.Fprintf(&b, "for %s := range %s.%s {\n", q.idx, p.it, q.slice)
	default:
		fmt.Fprintf(&b, "for range %s.%s {\n", p.it, q.slice)
	}
	b.WriteString(inner)
	b.WriteString("}")
	return b.String()
}

// innerTypes declares the records of the inner loops of p, once their
// slots' types are known.
func (t *twin) innerTypes(p *pipe) {
	for l, q := range p.nested {
		for _, s := range q.calls {
			sig := t.sigOf(callOf(q, s))
			s.field.typ = t.rt("Delayed") + "[" + t.tupleType(valueTypes(sig, s.idiom)) + "]"
		}
		var decl strings.Builder
		fmt.Fprintf(&decl, "// %s is what the issue part of the loop at line %d hands to its eager part, for each iteration of the loop at line %d.\n", q.typeName, t.fset.Position(l.Pos()).Line, t.fset.Position(p.pl.Loop.Pos()).Line)
		fmt.Fprintf(&decl, "type %s struct {\n", q.typeName)
		for _, f := range q.fields {
			fmt.Fprintf(&decl, "%s %s\n", f.name, f.typ)
		}
		decl.WriteString("}\n")
		t.typeDecls = append(t.typeDecls, decl.String())
	}
}

// handOver makes vars, which the issue part hands to the eager part,
// fields of p's iteration: it.x in both parts. It returns the names that
// lifted (delayed) variables had before, for the caller to restore.
func (t *twin) handOver(p *pipe, vars []*types.Var) map[*types.Var]string {
	saved := map[*types.Var]string{}
	for _, v := range vars {
		if name, ok := t.lifted[v]; ok {
			saved[v] = name
			f := p.field(v.Name(), t.rt("Delayed")+"["+t.typ(v.Type())+"]")
			t.lifted[v] = p.it + "." + f.name
			continue
		}
		f := p.field(v.Name(), t.typ(v.Type()))
		t.renamed[v] = p.it + "." + f.name
	}
	return saved
}
