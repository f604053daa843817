package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	goprinter "go/printer"
	"go/token"
	"go/types"
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
	resNames             []string // the twin's named results
	bi, be               string   // the index and error of a barrier
	results              string   // the twin's result types, as a list
	zero                 string   // the twin's zero results before the error
	addErr               bool     // F has no error result: the twin adds one
	hasIdioms            bool
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

func (t *twin) rt(name string) string { return qual(runtimePath, name) }

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
		t.findDropped(r)
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
	b.WriteString("(")
	for i, n := range t.resNames {
		if i > 0 {
			b.WriteString(", ")
		}
		if i < res.Len() {
			b.WriteString(n + " " + t.typ(res.At(i).Type()))
		} else {
			b.WriteString(n + " error")
		}
	}
	b.WriteString(")")
	b.WriteString(" {\n")
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
	for _, s := range fd.Body.List {
		b.WriteString(t.stmt(s))
		b.WriteString("\n")
	}
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
	if len(t.pipes) > 0 {
		// Pipelined loops run tasks in the background: none outlives the twin.
		fmt.Fprintf(&b, "defer func() {\n%s.Close()\n}()\n", t.tw)
	}
	fmt.Fprintf(&b, "defer func() {\nif p := recover(); p != nil {\n%s = %s(%s.Recover(p))\n}\n}()\n", strings.Join(t.resNames, ", "), t.fail, t.tw)
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

// findDropped finds the error variables that only error idioms read: the
// twin does not declare them.
func (t *twin) findDropped(r *analyzer.Region) {
	var body ast.Node = r.Loop
	if body == nil {
		body = t.fd.Body
	}
	for _, v := range r.Vars {
		if v.Class != analyzer.ErrorVar {
			continue
		}
		ok := body.Pos() <= v.Obj.Pos() && v.Obj.Pos() < body.End()
		// Every use: the target of a delayed call, or inside an idiom.
		ast.Inspect(t.fd.Body, func(n ast.Node) bool {
			if !ok {
				return false
			}
			switch n := n.(type) {
			case *ast.IfStmt:
				if t.idioms[n] {
					return false
				}
			case *ast.AssignStmt:
				if len(n.Rhs) == 1 {
					if c, isCall := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); isCall && t.sites[c] != nil && t.sites[c].Err == v.Obj {
						for _, r := range n.Rhs {
							ast.Inspect(r, func(m ast.Node) bool {
								if id, isID := m.(*ast.Ident); isID && t.useVar(id) == v.Obj {
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
							if t.useVar(id) == v.Obj && len(vs.Values) > 0 {
								ok = false
							}
						}
					}
					return false
				}
			case *ast.Ident:
				if t.info.Uses[n] == v.Obj {
					ok = false
				}
			}
			return true
		})
		if ok {
			t.dropped[v.Obj] = true
		}
	}
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
	if len(t.waits) > 0 {
		fmt.Fprintf(&b, "if %s, %s := %s.Wait(%s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, strings.Join(t.waits, ", "), t.be, t.fail, t.bi, t.be)
	}
	t.pre, t.waits = nil, nil
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
			t.need(name)
			return name + ".Must()", true
		}
	case *ast.CallExpr:
		if t.calls[e] != nil {
			tmp := t.fresh("d")
			t.pre = append(t.pre, tmp+" := "+t.track(t.liftCall(e, false)))
			t.need(tmp)
			return tmp + ".Must()", true
		}
	}
	return "", false
}

func (t *twin) track(s string) string {
	if t.pipe != nil && t.pipe.producer {
		return t.rt("Issue") + "(" + t.pipe.st + ", " + s + ")"
	}
	if t.pipe != nil && t.pipe.adopted[s] {
		return s // Adopt tracked it
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

// regionStmt writes a statement inside a region.
func (t *twin) regionStmt(s ast.Stmt) string {
	switch s := s.(type) {
	case *ast.AssignStmt:
		return t.assign(s.Lhs, s.Tok, s.Rhs)
	case *ast.DeclStmt:
		gd := s.Decl.(*ast.GenDecl)
		if gd.Tok != token.VAR {
			return t.stmtPlain(s)
		}
		var parts []string
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			lhs := make([]ast.Expr, len(vs.Names))
			for i, n := range vs.Names {
				lhs[i] = n
			}
			if len(vs.Values) == 0 {
				for _, n := range vs.Names {
					v := t.useVar(n)
					switch {
					case t.dropped[v], t.renamed[v] != "" || strings.Contains(t.lifted[v], "."):
						// dropped, or a field of a pipelined loop's iteration
					case t.lifted[v] != "":
						parts = append(parts, "var "+n.Name+" "+t.rt("Delayed")+"["+t.typ(v.Type())+"]")
					default:
						parts = append(parts, "var "+n.Name+" "+t.expr(vs.Type))
					}
				}
				continue
			}
			if vs.Type != nil && !slices.ContainsFunc(lhs, func(e ast.Expr) bool { return t.lifted[t.identVar(e)] != "" || t.renamed[t.identVar(e)] != "" }) {
				parts = append(parts, "var "+t.exprs(lhs)+" "+t.expr(vs.Type)+" = "+t.exprs(vs.Values))
				continue
			}
			parts = append(parts, t.assign(lhs, token.DEFINE, vs.Values))
		}
		return strings.Join(parts, "\n")
	case *ast.IncDecStmt:
		if v, path := t.fieldOf(s.X); v != nil {
			return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, s.Tok.String(), "", nil))
		}
		if v := t.identVar(s.X); v != nil && t.lifted[v] != "" {
			op := token.ADD
			if s.Tok == token.DEC {
				op = token.SUB
			}
			return t.lifted[v] + " = " + t.track(t.binaryNode(s.X, op, &ast.BasicLit{Kind: token.INT, Value: "1"}, v.Type()))
		}
	case *ast.ExprStmt:
		if c, ok := ast.Unparen(s.X).(*ast.CallExpr); ok && t.calls[c] != nil {
			// The result is dropped; the task still runs, and an error it
			// returns is dropped as the sequential call drops it.
			return t.track(t.liftCall(c, true))
		}
	case *ast.IfStmt:
		if t.idioms[s] {
			return "" // the twin registered the idiom at its call
		}
		t.shortCircuit(s)
		init := ""
		if s.Init != nil {
			init = t.stmt(s.Init)
		}
		cond := t.expr(s.Cond)
		out := "if " + cond + " " + t.block(s.Body)
		if s.Else != nil {
			els := t.stmt(s.Else)
			if _, ok := s.Else.(*ast.IfStmt); ok && !strings.HasPrefix(els, "if ") {
				els = "{\n" + els + "\n}"
			}
			out += " else " + els
		}
		return t.withInit(init, out)
	case *ast.SwitchStmt:
		t.shortCircuit(s)
		init := ""
		if s.Init != nil {
			init = t.stmt(s.Init)
		}
		for _, cc := range s.Body.List {
			for _, e := range cc.(*ast.CaseClause).List {
				ast.Inspect(e, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok && t.calls[c] != nil {
						t.internal(c.Pos(), "delayed call %s in a case of a switch", types.ExprString(c.Fun))
					}
					return true
				})
			}
		}
		out := "switch "
		if s.Tag != nil {
			out += t.expr(s.Tag) + " "
		}
		return t.withInit(init, out+t.clauses(s.Body))
	case *ast.TypeSwitchStmt:
		init := ""
		if s.Init != nil {
			init = t.stmt(s.Init)
		}
		out := "switch " + t.stmtPlain(s.Assign) + " "
		return t.withInit(init, out+t.clauses(s.Body))
	case *ast.ForStmt:
		if pl := t.pipes[s]; pl != nil {
			return t.pipelineLoop(pl, "", s)
		}
		return t.forStmt(s)
	case *ast.RangeStmt:
		if pl := t.pipes[s]; pl != nil {
			return t.pipelineLoop(pl, "", s)
		}
		for _, e := range []ast.Expr{s.Key, s.Value} {
			if v := t.identVar(e); v != nil && t.lifted[v] != "" {
				t.internal(e.Pos(), "%s is a range variable that the loop assigns a delayed value", v.Name())
			}
		}
	case *ast.ReturnStmt:
		return t.returnStmt(s)
	case *ast.LabeledStmt:
		if pl := t.pipes[s.Stmt]; pl != nil {
			return t.flush() + t.pipelineLoop(pl, s.Label.Name+":\n", s.Stmt)
		}
		inner := t.regionStmt(s.Stmt)
		return t.flush() + s.Label.Name + ":\n" + inner
	}
	t.shortCircuit(s)
	return t.stmtPlain(s)
}

// withInit writes a statement with an init statement: in its header when
// nothing waits, or else in a block of its own, so that the barrier can
// follow the init and the variables it declares keep their scope.
func (t *twin) withInit(init, stmt string) string {
	pre := t.flush()
	if init == "" {
		return pre + stmt
	}
	if pre == "" && !strings.Contains(init, "\n") {
		head, rest, _ := strings.Cut(stmt, " ")
		return head + " " + init + "; " + rest
	}
	return "{\n" + init + "\n" + pre + stmt + "\n}"
}

// clauses writes the clauses of a switch: their expressions are read with
// the switch's header, their bodies are statements of their own.
func (t *twin) clauses(body *ast.BlockStmt) string {
	var b strings.Builder
	b.WriteString("{\n")
	var lists []string
	for _, st := range body.List {
		cc := st.(*ast.CaseClause)
		if cc.List == nil {
			lists = append(lists, "default:\n")
		} else {
			lists = append(lists, "case "+t.exprs(cc.List)+":\n")
		}
	}
	for i, st := range body.List {
		b.WriteString(lists[i])
		for _, s := range st.(*ast.CaseClause).Body {
			if out := t.stmt(s); out != "" {
				b.WriteString(out + "\n")
			}
		}
	}
	b.WriteString("}")
	return b.String()
}

// shortCircuit refuses a delayed call on the right of && or || in eager
// code: the sequential code makes it only sometimes.
func (t *twin) shortCircuit(s ast.Stmt) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.BlockStmt:
			return n == s
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.Y, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok && t.calls[c] != nil {
						t.internal(c.Pos(), "delayed call %s on the right of %s", types.ExprString(c.Fun), n.Op)
					}
					return true
				})
			}
		}
		return true
	})
}

// forStmt writes a for loop; a condition that needs a delayed value is
// checked at the top of the body, after its barrier.
func (t *twin) forStmt(s *ast.ForStmt) string {
	if w := t.worklistLoop(s); w != "" {
		return w
	}
	init := ""
	if s.Init != nil {
		init = t.stmt(s.Init)
	}
	pre := t.flush()
	post := ""
	if s.Post != nil {
		post = t.stmt(s.Post)
		if strings.Contains(post, "\n") {
			var post bytes.Buffer
			goprinter.Fprint(&post, t.fset, s.Post)
			t.internal(s.Post.Pos(), "the post statement %s of this for reads a delayed value", post.String())
		}
	}
	cond := ""
	if s.Cond != nil {
		cond = t.expr(s.Cond)
	}
	condPre := t.flush()
	body := t.block(s.Body)
	if condPre == "" {
		if s.Init == nil && s.Post == nil {
			return pre + "for " + cond + " " + body
		}
		return pre + "for " + init + "; " + cond + "; " + post + " " + body
	}
	return pre + "for " + init + "; ; " + post + " {\n" + condPre + "if !(" + cond + ") {\nbreak\n}\n" + body[2:]
}

// returnStmt ends the twin: every task added so far must have run, so that
// the error is the one the sequential function meets first.
func (t *twin) returnStmt(s *ast.ReturnStmt) string {
	var res []string
	for _, e := range s.Results {
		res = append(res, t.expr(e))
	}
	if t.addErr && len(s.Results) > 0 {
		res = append(res, "nil")
	}
	var b strings.Builder
	for _, p := range t.pre {
		b.WriteString(p + "\n")
	}
	fmt.Fprintf(&b, "if %s, %s := %s.Finish(%s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, strings.Join(t.waits, ", "), t.be, t.fail, t.bi, t.be)
	t.pre, t.waits = nil, nil
	if len(s.Results) == 0 {
		// Named results: copy back those the twin lifted.
		for _, v := range t.namedLifted() {
			fmt.Fprintf(&b, "%s = %s.Must()\n", v.Name(), t.lifted[v])
		}
		b.WriteString("return")
		return b.String()
	}
	b.WriteString("return " + strings.Join(res, ", "))
	return b.String()
}

func (t *twin) namedLifted() []*types.Var {
	var out []*types.Var
	res := t.sig.Results()
	for i := 0; i < res.Len(); i++ {
		if name := t.lifted[res.At(i)]; name != "" && name != res.At(i).Name() {
			out = append(out, res.At(i))
		}
	}
	return out
}

// assign writes an assignment or a var declaration (tok is DEFINE) inside a
// region.
func (t *twin) assign(lhs []ast.Expr, tok token.Token, rhs []ast.Expr) string {
	if len(rhs) == 1 && len(lhs) > 1 {
		if c, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok && t.calls[c] != nil {
			return t.assignCall(lhs, tok, c)
		}
	}
	if len(rhs) == 1 && len(lhs) == 1 {
		if c, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok && t.sites[c] != nil {
			return t.assignCall(lhs, tok, c)
		}
	}
	if len(lhs) == 1 && len(rhs) == 1 && tok == token.ASSIGN {
		if id, ok := lhs[0].(*ast.Ident); ok && id.Name == "_" && t.lazy(rhs[0]) {
			return "_ = " + t.lift(rhs[0], nil) // discarded: nothing waits
		}
		if v := t.identVar(lhs[0]); v != nil && t.work[v] != nil {
			return t.worklistAssign(t.work[v], rhs[0])
		}
	}
	anyLifted := false
	for _, l := range lhs {
		if t.liftedTarget(l) {
			anyLifted = true
		}
	}
	if !anyLifted {
		return t.exprs(lhs) + " " + t.renamedTok(lhs, tok).String() + " " + t.exprs(rhs)
	}
	if len(lhs) != len(rhs) {
		t.internal(lhs[0].Pos(), "%s is assigned a delayed value by a statement with several results", types.ExprString(lhs[0]))
		return ""
	}
	if len(lhs) == 1 {
		return t.assign1(lhs[0], tok, rhs[0])
	}
	// Parallel assignment: evaluate every right side first, as Go does.
	var b strings.Builder
	tmps := make([]string, len(rhs))
	for i, r := range rhs {
		tmps[i] = t.fresh("d")
		if t.liftedTarget(lhs[i]) {
			b.WriteString(tmps[i] + " := " + t.lift(r, t.typeOf(lhs[i])) + "\n")
		} else {
			b.WriteString(tmps[i] + " := " + t.expr(r) + "\n")
		}
	}
	for i, l := range lhs {
		b.WriteString(t.assignText(l, tok, tmps[i]) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldOf returns v and ".f.g" when l is v.f.g for a lifted variable v and
// fields of struct values: assigning to it makes a new value of v.
func (t *twin) fieldOf(l ast.Expr) (*types.Var, string) {
	path := ""
	e := ast.Unparen(l)
	for {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if x := t.info.Selections[sel]; x == nil || x.Kind() != types.FieldVal || x.Indirect() {
			return nil, ""
		}
		path = "." + sel.Sel.Name + path
		e = ast.Unparen(sel.X)
	}
	v := t.identVar(e)
	if path == "" || v == nil || t.lifted[v] == "" || t.work[v] != nil {
		return nil, ""
	}
	return v, path
}

// fieldNode writes the task that sets field path of v's value: with op
// "=", "+=" and the like and the value x, or with op "++" or "--".
func (t *twin) fieldNode(v *types.Var, path, op string, x string, xt types.Type) string {
	vt := t.typ(v.Type())
	if x == "" {
		return fmt.Sprintf("%s(func(v %s) %s {\nv%s%s\nreturn v\n}, %s)", t.rt("Call1"), vt, vt, path, op, t.lifted[v])
	}
	return fmt.Sprintf("%s(func(v %s, x %s) %s {\nv%s %s x\nreturn v\n}, %s, %s)", t.rt("Call2"), vt, t.typ(xt), vt, path, op, t.lifted[v], x)
}

// liftedTarget reports whether assigning to l builds a task: l is a lifted
// variable, a field of one, or m[k] for an accumulator m.
func (t *twin) liftedTarget(l ast.Expr) bool {
	if v := t.identVar(l); v != nil {
		return t.lifted[v] != "" && t.work[v] == nil
	}
	if v, _ := t.fieldOf(l); v != nil {
		return true
	}
	if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
		if v := t.identVar(ix.X); v != nil && t.lifted[v] != "" && t.work[v] == nil {
			return true
		}
	}
	return false
}

// assignText assigns a value held in a temporary to l.
func (t *twin) assignText(l ast.Expr, tok token.Token, tmp string) string {
	if v := t.identVar(l); v != nil && t.lifted[v] != "" {
		return t.defOrSet(l, tok) + t.track(tmp)
	}
	if v, path := t.fieldOf(l); v != nil {
		return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, "=", tmp, t.typeOf(l)))
	}
	if t.identVar(l) == nil {
		if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
			return "_ = " + tmp
		}
	}
	if tok == token.DEFINE && t.info.Defs[l.(*ast.Ident)] != nil {
		return l.(*ast.Ident).Name + " := " + tmp
	}
	return t.expr(l) + " = " + tmp
}

// defOrSet writes "name := " or "name = " for a lifted variable.
func (t *twin) defOrSet(l ast.Expr, tok token.Token) string {
	id := ast.Unparen(l).(*ast.Ident)
	v := t.identVar(id)
	if tok == token.DEFINE && t.info.Defs[id] != nil && !strings.Contains(t.lifted[v], ".") {
		return t.lifted[v] + " := "
	}
	return t.lifted[v] + " = "
}

// assign1 writes l tok r where l is lifted.
func (t *twin) assign1(l ast.Expr, tok token.Token, r ast.Expr) string {
	if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
		// m[k] = v on an accumulator map: a task that writes the entry, in
		// sequential order.
		m := t.identVar(ix.X)
		if tok != token.ASSIGN {
			t.internal(l.Pos(), "%s %s on accumulator %s", types.ExprString(l), tok, m.Name())
			return ""
		}
		mt := t.typ(m.Type())
		mp := under(m.Type()).(*types.Map)
		kt, vt := t.typ(mp.Key()), t.typ(mp.Elem())
		name := t.lifted[m]
		node := fmt.Sprintf("%s(func(m %s, k %s, v %s) %s {\nm[k] = v\nreturn m\n}, %s, %s, %s)", t.rt("Call3"), mt, kt, vt, mt,
			name, t.lift(ix.Index, mp.Key()), t.lift(r, mp.Elem()))
		return name + " = " + t.track(node)
	}
	if v, path := t.fieldOf(l); v != nil {
		xt := t.typeOf(l)
		if tok == token.SHL_ASSIGN || tok == token.SHR_ASSIGN {
			xt = t.typeOf(r)
		}
		return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, tok.String(), t.lift(r, xt), xt))
	}
	v := t.identVar(l)
	if v == nil {
		return t.track(t.lift(r, nil))
	}
	if tok != token.ASSIGN && tok != token.DEFINE {
		return t.lifted[v] + " = " + t.track(t.binaryNode(l, opOf(tok), r, v.Type()))
	}
	if !t.lazy(r) {
		return t.defOrSet(l, tok) + t.lift(r, v.Type()) // a plain value: no task to track
	}
	return t.defOrSet(l, tok) + t.track(t.lift(r, v.Type()))
}

// opOf turns += into +.
func opOf(tok token.Token) token.Token {
	return map[token.Token]token.Token{
		token.ADD_ASSIGN: token.ADD, token.SUB_ASSIGN: token.SUB, token.MUL_ASSIGN: token.MUL,
		token.QUO_ASSIGN: token.QUO, token.REM_ASSIGN: token.REM, token.AND_ASSIGN: token.AND,
		token.OR_ASSIGN: token.OR, token.XOR_ASSIGN: token.XOR, token.SHL_ASSIGN: token.SHL,
		token.SHR_ASSIGN: token.SHR, token.AND_NOT_ASSIGN: token.AND_NOT,
	}[tok]
}

// binaryNode writes the task x op y of type typ, for x op= y and x++. The
// right operand of a shift keeps its own type; the others have x's.
func (t *twin) binaryNode(x ast.Expr, op token.Token, y ast.Expr, typ types.Type) string {
	yType := typ
	if op == token.SHL || op == token.SHR {
		yType = t.typeOf(y)
	}
	ty, yt := t.typ(typ), t.typ(yType)
	return fmt.Sprintf("%s(func(x %s, y %s) %s {\nreturn x %s y\n}, %s, %s)", t.rt("Call2"), ty, yt, ty, op, t.lift(x, typ), t.lift(y, yType))
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
		s = fmt.Sprintf("%s(func(x %s) %s {\nreturn x\n}, %s)", t.rt("Call1"), t.typ(typ), t.typ(want), s)
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
	if t.nodeable(e) {
		var holes []hole
		sub := &printer{pkg: t.pkg, info: t.info, fset: t.fset}
		sub.hook = func(x ast.Expr) (string, bool) {
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
	ok := true
	var walk func(x ast.Expr)
	walk = func(x ast.Expr) {
		if !ok || !t.lazy(x) || t.isLeaf(x) {
			return
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
	return ok
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
