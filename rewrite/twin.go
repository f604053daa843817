package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/daskgen/daskgen/analyzer"
)

// twin writes the parallel twin of one function.
type twin struct {
	*printer
	g       *gen
	fd      *ast.FuncDecl
	obj     *types.Func
	sig     *types.Signature
	regions []*analyzer.Region

	cur     *analyzer.Region // the region being written, or nil in eager code
	lifted  map[*types.Var]string
	calls   map[*ast.CallExpr]*analyzer.Call
	sites   map[*ast.CallExpr]*analyzer.ErrorSite
	idioms  map[*ast.IfStmt]bool
	dropped map[*types.Var]bool // error variables used only by error idioms
	work    map[*types.Var]*worklist
	names   map[string]bool

	// Pipelined loops: the plan's, by loop; the one being written; the
	// handed-over eager variables, written as fields; the types of what the
	// loops hand over, declared at the top of the twin.
	pipes     map[ast.Stmt]*analyzer.Pipeline
	pipe      *pipe
	renamed   map[*types.Var]string
	typeDecls []string

	// Per statement: what to write before it, and the values it waits for.
	pre   []string
	waits []string

	// Generated local names.
	ctx, tw, fail, onErr string
	// The parameters of the small closures the twin passes to tasks: the
	// same in every closure, and none of F's names.
	px, py, pv, pm, pk string
	resNames           []string // the twin's named results
	bi, be             string   // the index and error of a barrier
	results            string   // the twin's result types, as a list
	zero               string   // the twin's zero results before the error
	addErr             bool     // F has no error result: the twin adds one
	hasIdioms          bool
	// staticSites numbers the error idioms whose handlers capture nothing:
	// the twin registers their handlers once, at its start.
	staticSites map[*analyzer.ErrorSite]int
}

// outerVar is a variable declared outside a region that the region lifts:
// inside, a Delayed copy of it stands in.
type outerVar struct {
	v    *types.Var
	name string
}

func (g *gen) newTwin(fd *ast.FuncDecl, obj *types.Func, regions []*analyzer.Region) *twin {
	t := &twin{
		g: g, fd: fd, obj: obj, sig: obj.Type().(*types.Signature), regions: regions,
		lifted: map[*types.Var]string{}, calls: map[*ast.CallExpr]*analyzer.Call{},
		sites: map[*ast.CallExpr]*analyzer.ErrorSite{}, idioms: map[*ast.IfStmt]bool{},
		dropped: map[*types.Var]bool{}, work: map[*types.Var]*worklist{}, names: map[string]bool{},
		pipes: map[ast.Stmt]*analyzer.Pipeline{}, renamed: map[*types.Var]string{},
	}
	for _, r := range regions {
		for _, pl := range r.Pipelines {
			t.pipes[pl.Loop] = pl
		}
	}
	t.printer = &printer{pkg: g.pkg.Types, info: g.pkg.TypesInfo, fset: g.pkg.Fset}
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			t.names[id.Name] = true
		}
		return true
	})
	return t
}

// fresh returns a name not used in the function, based on base.
func (t *twin) fresh(base string) string {
	name := base
	for i := 2; t.names[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	t.names[name] = true
	return name
}

func (t *twin) rt(name string) string { return rtName(name) }

func (t *twin) refuse(pos token.Pos, format string, args ...any) {
	t.g.refuse(pos, format, args...)
}

func (t *twin) internal(pos token.Pos, format string, args ...any) {
	t.g.internal(pos, format, args...)
}

func (t *twin) typeOf(e ast.Expr) types.Type {
	tv, ok := t.info.Types[e]
	if !ok {
		return t.info.TypeOf(e)
	}
	if tv.Type == nil {
		return nil
	}
	return types.Default(tv.Type)
}

// useVar returns the variable an identifier refers to.
func (t *twin) useVar(id *ast.Ident) *types.Var {
	if v, ok := t.info.Uses[id].(*types.Var); ok {
		return v
	}
	v, _ := t.info.Defs[id].(*types.Var)
	return v
}

func (t *twin) identVar(e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	return t.useVar(id)
}

// write returns the source of the twin: its doc comment and declaration.
func (t *twin) write() string {
	fd := t.fd
	res := t.sig.Results()
	t.addErr = res.Len() == 0 || !isError(res.At(res.Len()-1).Type())
	t.ctx = t.fresh("ctx")
	t.px, t.py, t.pv, t.pm, t.pk = t.fresh("x"), t.fresh("y"), t.fresh("v"), t.fresh("m"), t.fresh("k")
	t.tw = t.fresh("tw")
	t.fail = t.fresh("fail")
	t.onErr = t.fresh("onErr")

	// Result types of the twin.
	var rtypes, zeros []string
	for i := 0; i < res.Len(); i++ {
		rtypes = append(rtypes, t.typ(res.At(i).Type()))
		if i < res.Len()-1 || t.addErr {
			zeros = append(zeros, "*new("+t.typ(res.At(i).Type())+")")
		}
	}
	if t.addErr {
		rtypes = append(rtypes, "error")
	}
	t.results = "(" + strings.Join(rtypes, ", ") + ")"
	t.zero = strings.Join(zeros, ", ")

	for _, r := range t.regions {
		for _, c := range r.Calls {
			t.calls[c.Expr] = c
		}
		for _, e := range r.Errors {
			t.sites[e.Call.Expr] = e
			t.idioms[e.If] = true
			t.hasIdioms = true
		}
		for _, v := range r.Vars {
			if v.Dropped {
				t.dropped[v.Obj] = true
			}
		}
	}

	name := twinName(fd.Name.Name)
	var b strings.Builder
	link := fd.Name.Name
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		rt := fd.Recv.List[0].Type
		if st, ok := rt.(*ast.StarExpr); ok {
			rt = st.X
		}
		switch x := rt.(type) {
		case *ast.IndexExpr:
			rt = x.X
		case *ast.IndexListExpr:
			rt = x.X
		}
		if id, ok := rt.(*ast.Ident); ok {
			link = id.Name + "." + fd.Name.Name
		}
	}
	fmt.Fprintf(&b, "// %s is the parallel twin of [%s], written by daskgen (see [github.com/daskgen/daskgen/rewrite]).\n", name, link)
	b.WriteString("func ")
	if fd.Recv != nil {
		b.WriteString("(" + t.fields(fd.Recv, ", ") + ") ")
	}
	b.WriteString(name)
	if fd.Type.TypeParams != nil {
		b.WriteString("[" + t.fields(fd.Type.TypeParams, ", ") + "]")
	}
	// F's own leading context is the twin's: it takes no second one.
	ownCtx := t.sig.Params().Len() > 0 && isContext(t.sig.Params().At(0).Type())
	var params []string
	if !ownCtx {
		params = append(params, t.ctx+" "+qual("context", "Context"))
	}
	var args []string // F's arguments, as the twin names them
	for k, f := range fd.Type.Params.List {
		var names []string
		for j, n := range f.Names {
			if ownCtx && k == 0 && j == 0 {
				if n.Name != "_" {
					t.ctx = n.Name
				}
				names = append(names, t.ctx)
				continue
			}
			names = append(names, n.Name)
		}
		if len(names) == 0 {
			names = []string{"_"}
			if ownCtx && k == 0 {
				names = []string{t.ctx}
			}
		}
		params = append(params, strings.Join(names, ", ")+" "+t.expr(f.Type))
		args = append(args, names...)
	}
	if n := len(fd.Type.Params.List); n > 0 {
		if _, ok := fd.Type.Params.List[n-1].Type.(*ast.Ellipsis); ok {
			args[len(args)-1] += "..."
		}
	}
	b.WriteString("(" + strings.Join(params, ", ") + ") ")
	// The results are named, so that a deferred function can set them.
	named := res.Len() > 0 && res.At(0).Name() != ""
	t.resNames = nil
	for i := 0; i < res.Len(); i++ {
		switch {
		case named:
			t.resNames = append(t.resNames, res.At(i).Name())
		case i == res.Len()-1 && !t.addErr:
			t.resNames = append(t.resNames, t.fresh("err"))
		default:
			t.resNames = append(t.resNames, t.fresh("r"+strconv.Itoa(i)))
		}
	}
	if t.addErr {
		t.resNames = append(t.resNames, t.fresh("err"))
	}
	named2 := make([]string, len(t.resNames))
	for i, n := range t.resNames {
		if i < res.Len() {
			named2[i] = n + " " + t.typ(res.At(i).Type())
		} else {
			named2[i] = n + " error"
		}
	}
	b.WriteString("(" + strings.Join(named2, ", ") + ") {\n")
	b.WriteString(t.verify(fd, ownCtx, args))
	t.bi = t.fresh("i")
	t.be = t.fresh("err")
	b.WriteString(t.prologue())
	typesAt := b.Len()
	whole := len(t.regions) == 1 && t.regions[0].Loop == nil
	if whole {
		start, _ := t.regionStart(t.regions[0])
		b.WriteString(start)
		t.cur = t.regions[0]
	}
	t.stmtHook = t.stmtAt
	t.hook = t.exprAt
	for _, f := range t.g.pkg.Syntax {
		if f.Pos() <= fd.Pos() && fd.End() <= f.End() {
			t.comments = f.Comments
		}
	}
	b.WriteString(t.stmts(fd.Body.Lbrace+1, fd.Body.List, fd.Body.Rbrace))
	if res.Len() == 0 && !endsInReturn(fd.Body) {
		// F falls off its end: the twin returns its error there.
		if whole {
			fmt.Fprintf(&b, "if %s, %s := %s.Finish(); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, t.be, t.fail, t.bi, t.be)
		}
		b.WriteString("return nil\n")
	}
	b.WriteString("}\n\n")
	out := b.String()
	return out[:typesAt] + strings.Join(t.typeDecls, "") + out[typesAt:]
}

// verify writes the twin's first statement: in verify mode
// (twinimpl.Verify), the twin runs F and itself on the same arguments and
// compares what they return. args are F's arguments as the twin names
// them. Twins that differ from F by design are not verified: those with an
// unordered loop (the same results in another order), or whose delayed
// calls retry (a call that fails in F may succeed); nor is one whose F has
// a parameter or receiver named _, which it could not pass on.
func (t *twin) verify(fd *ast.FuncDecl, ownCtx bool, args []string) string {
	for _, r := range t.regions {
		if r.Unordered != nil || r.Directive.Unordered {
			return "" // the same multiset, in another order, by design
		}
		for _, c := range r.Calls {
			if c.Fact != nil && c.Fact.Retries > 0 {
				return "" // retries make a call that fails in F succeed
			}
		}
	}
	call := fd.Name.Name
	if fd.Recv != nil {
		if len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 || fd.Recv.List[0].Names[0].Name == "_" {
			return ""
		}
		call = fd.Recv.List[0].Names[0].Name + "." + call
	} else if tps := fd.Type.TypeParams; tps != nil {
		var names []string
		for _, f := range tps.List {
			for _, n := range f.Names {
				names = append(names, n.Name)
			}
		}
		call += "[" + strings.Join(names, ", ") + "]"
	}
	for _, a := range args {
		if strings.TrimSuffix(a, "...") == "_" {
			return ""
		}
	}
	v := t.fresh("v")
	twinArgs := slices.Clone(args)
	if ownCtx {
		twinArgs[0] = v + ".Context()"
	} else {
		twinArgs = append([]string{v + ".Context()"}, twinArgs...)
	}
	twinCall := twinName(call)
	if i := strings.IndexByte(call, '['); i >= 0 {
		twinCall = twinName(call[:i]) + call[i:]
	}
	res := t.sig.Results()
	var seqVars []string
	for i := 0; i < res.Len(); i++ {
		seqVars = append(seqVars, t.fresh("f"+strconv.Itoa(i)))
	}
	seqRes := slices.Clone(seqVars)
	if t.addErr {
		seqRes = append(seqRes, "nil")
	}
	pos := t.g.pkg.Fset.Position(fd.Name.Pos())
	var b strings.Builder
	fmt.Fprintf(&b, "if %s := %s(%s, %q, \"%s:%d\"); %s != nil {\n", v, t.rt("Verify"), t.ctx, funcLabelOf(fd), filepath.Base(pos.Filename), pos.Line, v)
	fmt.Fprintf(&b, "%s.Check(func() []any {\n", v)
	if len(seqVars) > 0 {
		fmt.Fprintf(&b, "%s := %s(%s)\n", strings.Join(seqVars, ", "), call, strings.Join(args, ", "))
	} else {
		fmt.Fprintf(&b, "%s(%s)\n", call, strings.Join(args, ", "))
	}
	fmt.Fprintf(&b, "return []any{%s}\n}, func() []any {\n", strings.Join(seqRes, ", "))
	fmt.Fprintf(&b, "%s = %s(%s)\n", strings.Join(t.resNames, ", "), twinCall, strings.Join(twinArgs, ", "))
	fmt.Fprintf(&b, "return []any{%s}\n})\n", strings.Join(t.resNames, ", "))
	fmt.Fprintf(&b, "return %s\n}\n", strings.Join(t.resNames, ", "))
	return b.String()
}

// funcLabelOf names a function declaration as Go writes it: "F", "T.M"
// or "(*T).M".
func funcLabelOf(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return fd.Name.Name
	}
	rt := fd.Recv.List[0].Type
	ptr := false
	if st, ok := rt.(*ast.StarExpr); ok {
		rt, ptr = st.X, true
	}
	switch x := rt.(type) {
	case *ast.IndexExpr:
		rt = x.X
	case *ast.IndexListExpr:
		rt = x.X
	}
	name := types.ExprString(rt)
	if ptr {
		return "(*" + name + ")." + fd.Name.Name
	}
	return name + "." + fd.Name.Name
}

// endsInReturn reports whether a function body ends in a return statement.
func endsInReturn(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	_, ok := body.List[len(body.List)-1].(*ast.ReturnStmt)
	return ok
}

// twinName is the name of F's twin: FParallel, or fParallel.
func twinName(name string) string { return name + "Parallel" }

// prologue declares what every barrier uses to return early, and recovers
// a panic of eager code that the sequential function would not have reached.
func (t *twin) prologue() string {
	var b strings.Builder
	fmt.Fprintf(&b, "var %s *%s\n", t.tw, t.rt("Twin"))
	if t.hasIdioms {
		var static []string
		t.staticSites = map[*analyzer.ErrorSite]int{}
		for _, r := range t.regions {
			for _, e := range r.Errors {
				if len(t.handlerLocals(e)) == 0 {
					t.staticSites[e] = len(static)
					static = append(static, t.handler(e))
				}
			}
		}
		if len(static) == 0 {
			fmt.Fprintf(&b, "var %s []func(error) %s\n", t.onErr, t.results)
		} else {
			fmt.Fprintf(&b, "%s := []func(error) %s{\n%s,\n}\n", t.onErr, t.results, strings.Join(static, ",\n"))
		}
	}
	fmt.Fprintf(&b, "%s := func(i int, err error) %s {\n", t.fail, t.results)
	if t.hasIdioms {
		fmt.Fprintf(&b, "if i >= 0 {\nreturn %s[i](err)\n}\n", t.onErr)
	}
	if t.zero != "" {
		fmt.Fprintf(&b, "return %s, err\n}\n", t.zero)
	} else {
		b.WriteString("return err\n}\n")
	}
	// Eager code can panic where the sequential function had already
	// returned an error: Recover returns that error, or panics again.
	// Pipelined loops, and loops that add thousands of tasks, run tasks in
	// the background: none outlives the twin.
	fmt.Fprintf(&b, "defer %s(&%s, func(%s int, %s error) {\n%s = %s(%s, %s)\n})\n", t.rt("End"), t.tw, t.bi, t.be, strings.Join(t.resNames, ", "), t.fail, t.bi, t.be)
	return b.String()
}

// regionStart makes the region's Twin and the Delayed copies of the
// variables declared outside it that it lifts.
func (t *twin) regionStart(r *analyzer.Region) (string, []outerVar) {
	t.lifted = map[*types.Var]string{}
	t.work = map[*types.Var]*worklist{}
	var b strings.Builder
	opts := ""
	if r.Directive.Workers > 0 {
		opts = ", " + t.rt("MaxWorkers") + "(" + strconv.Itoa(r.Directive.Workers) + ")"
	}
	if r.OwnContext {
		opts += ", " + t.rt("OwnContext") + "()"
	}
	fmt.Fprintf(&b, "%s = %s(%s%s)\n", t.tw, t.rt("NewTwin"), t.ctx, opts)
	outer := t.outerVars(r)
	for _, o := range outer {
		if w := t.work[o.v]; w != nil {
			fmt.Fprintf(&b, "%s := %s(%s, %s)\n", o.name, t.rt("NewWorklist"), t.tw, o.v.Name())
			fmt.Fprintf(&b, "defer %s.Close()\n", o.name)
			continue
		}
		fmt.Fprintf(&b, "%s := %s[%s](%s)\n", o.name, t.rt("Value"), t.typ(o.v.Type()), o.v.Name())
	}
	return b.String(), outer
}

// outerVars lists, and names, the variables a region lifts that are declared
// outside it.
func (t *twin) outerVars(r *analyzer.Region) []outerVar {
	var body ast.Node = r.Loop
	if body == nil {
		body = t.fd.Body
	}
	var out []outerVar
	for _, v := range r.Vars {
		switch {
		case v.Class == analyzer.Lifted || v.Class == analyzer.Accumulator || v.Class == analyzer.Worklist ||
			(v.Class == analyzer.ErrorVar && !t.dropped[v.Obj]):
		default:
			continue
		}
		if body.Pos() <= v.Obj.Pos() && v.Obj.Pos() < body.End() {
			t.lifted[v.Obj] = v.Obj.Name()
			continue
		}
		name := t.fresh(v.Obj.Name() + "D")
		t.lifted[v.Obj] = name
		if v.Class == analyzer.Worklist {
			t.work[v.Obj] = &worklist{v: v.Obj, name: name}
		}
		out = append(out, outerVar{v.Obj, name})
	}
	return out
}

// regionOf returns the region whose loop is s.
func (t *twin) regionOf(s ast.Stmt) *analyzer.Region {
	for _, r := range t.regions {
		if r.Loop != nil && r.Loop == s {
			return r
		}
	}
	return nil
}

// stmtAt writes a statement of the function: eager code as it is, a
// parallel loop, or a statement of a region.
func (t *twin) stmtAt(s ast.Stmt) (string, bool) {
	if t.cur == nil {
		inner := s
		label := ""
		if ls, ok := s.(*ast.LabeledStmt); ok {
			inner = ls.Stmt
			label = ls.Label.Name + ":\n"
		}
		if r := t.regionOf(inner); r != nil {
			return t.loopRegion(r, label, inner), true
		}
		if rs, ok := s.(*ast.ReturnStmt); ok && t.addErr && len(rs.Results) > 0 {
			return "return " + t.exprs(rs.Results) + ", nil", true
		}
		return "", false
	}
	if t.pipe != nil && !t.pipe.producer {
		if q := t.pipe.nested[s]; q != nil {
			return t.innerConsumer(t.pipe, q, "", s.(*ast.RangeStmt)), true
		}
		if ls, ok := s.(*ast.LabeledStmt); ok && t.pipe.nested[ls.Stmt] != nil {
			return t.innerConsumer(t.pipe, t.pipe.nested[ls.Stmt], ls.Label.Name+":\n", ls.Stmt.(*ast.RangeStmt)), true
		}
		if k, ok := t.pipe.steps[s]; ok {
			return t.consumerStep(t.pipe, s, k), true
		}
	}
	savePre, saveWaits := t.pre, t.waits
	t.pre, t.waits = nil, nil
	body := t.regionStmt(s)
	out := t.flush() + body
	t.pre, t.waits = savePre, saveWaits
	return out, true
}

// flush writes the pending statements and the barrier of the current
// statement.
func (t *twin) flush() string {
	var b strings.Builder
	for _, p := range t.pre {
		b.WriteString(p + "\n")
	}
	b.WriteString(t.waitText(t.waits))
	t.pre, t.waits = nil, nil
	return b.String()
}

// waitText writes the wait for the values named in waits.
func (t *twin) waitText(waits []string) string {
	var b strings.Builder
	switch {
	case len(waits) == 0:
	case t.pipe != nil && t.pipe.detach:
		// A producer runs this for an iteration with no task: a value
		// that is not known after all is the eager part's to wait for.
		for _, w := range waits {
			fmt.Fprintf(&b, "if !%s.Done() {\nreturn false\n}\n", w)
		}
	case len(waits) == 1:
		fmt.Fprintf(&b, "if %s, %s := %s(%s, %s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.rt("Await"), t.tw, waits[0], t.be, t.fail, t.bi, t.be)
	default:
		fmt.Fprintf(&b, "if %s, %s := %s.Wait(%s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, strings.Join(waits, ", "), t.be, t.fail, t.bi, t.be)
	}
	return b.String()
}

func (t *twin) need(name string) {
	if !slices.Contains(t.waits, name) {
		t.waits = append(t.waits, name)
	}
}

// loopRegion writes a parallel loop with its start and the barrier after it.
func (t *twin) loopRegion(r *analyzer.Region, label string, loop ast.Stmt) string {
	var b strings.Builder
	b.WriteString("{\n")
	start, outer := t.regionStart(r)
	b.WriteString(start)
	t.cur = r
	if pl := t.pipes[loop]; pl != nil {
		b.WriteString(t.pipelineLoop(pl, label, loop))
	} else if r.Unordered != nil {
		b.WriteString(t.unorderedLoop(r.Unordered, label))
	} else {
		b.WriteString(label)
		b.WriteString(t.stmt(loop))
	}
	t.cur = nil
	b.WriteString("\n")
	var ds []string
	for _, o := range outer {
		if t.work[o.v] == nil {
			ds = append(ds, o.name)
		}
	}
	fmt.Fprintf(&b, "if %s, %s := %s.Finish(%s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, strings.Join(ds, ", "), t.be, t.fail, t.bi, t.be)
	for _, o := range outer {
		if w := t.work[o.v]; w != nil {
			fmt.Fprintf(&b, "%s = %s.Items()\n", o.v.Name(), o.name)
			continue
		}
		fmt.Fprintf(&b, "%s = %s.Must()\n", o.v.Name(), o.name)
	}
	b.WriteString("}")
	t.lifted = map[*types.Var]string{}
	t.work = map[*types.Var]*worklist{}
	return b.String()
}
