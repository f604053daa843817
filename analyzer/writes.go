package analyzer

//go:generate go run ./internal/stdgen -o stdwrites.go

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// writeSummary is what one function writes besides its locals, with the
// position of the first write of each thing.
type writeSummary struct {
	globals  map[string]token.Pos
	receiver token.Pos
	params   []token.Pos // by parameter index
	// calls is where the function first calls a function value it did not
	// make (a parameter, a field of one, the receiver's, a package
	// variable's), or passes one to a function that calls it; callsName is
	// that value as written, and callsVia the function it is passed to.
	calls     token.Pos
	callsName string
	callsVia  string
	callsWhat map[string]bool // "param N", "receiver", pkg.Name
}

func (s *writeSummary) firstGlobal() string {
	best := ""
	for g, pos := range s.globals {
		if best == "" || pos < s.globals[best] {
			best = g
		}
	}
	return best
}

func (s *writeSummary) fact() *WritesFact {
	f := &WritesFact{Receiver: s.receiver.IsValid()}
	for c := range s.callsWhat {
		f.Calls = append(f.Calls, c)
	}
	slices.Sort(f.Calls)
	for g := range s.globals {
		f.Globals = append(f.Globals, g)
	}
	slices.Sort(f.Globals)
	for i, pos := range s.params {
		if pos.IsValid() {
			f.Params = append(f.Params, i)
		}
	}
	return f
}

// summarizeWrites computes what every function of the package writes,
// iterating until calls within the package settle, and exports WritesFacts.
//
// Limits: it follows writes through a parameter's own name, not through
// copies of it (q := p; q.x = 1 is missed), and not through calls of
// interface methods. Calls of function values the function is given are
// recorded instead (callsValue), and refused in delayed functions.
func (p *pass) summarizeWrites(ins *inspector.Inspector) {
	var decls []*ast.FuncDecl
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		if fd := n.(*ast.FuncDecl); fd.Body != nil {
			decls = append(decls, fd)
		}
	}
	// The summaries take the lazy values as lazy; a value whose literal
	// turns out not to be (with the summaries of what it calls) is dropped,
	// and the summaries made again without it.
	lits := p.lazyCandidates()
	p.lazy = map[*types.Var]bool{}
	for v := range lits {
		p.lazy[v] = true
	}
	for {
		p.summarize(decls)
		dropped := false
		for v, lit := range lits {
			if p.lazy[v] && !p.lazyLiteral(lit) {
				delete(p.lazy, v)
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	for obj, s := range p.writes {
		p.ExportObjectFact(obj, s.fact())
	}
	p.summarizeAliases(decls)
}

// summarize makes the write summaries of decls, iterating until calls
// within the package settle.
func (p *pass) summarize(decls []*ast.FuncDecl) {
	p.writes = map[*types.Func]*writeSummary{}
	for round := 0; round < 10; round++ {
		changed := false
		for _, fd := range decls {
			obj, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
			if obj == nil {
				continue
			}
			s := p.scanWrites(fd, obj)
			old := p.writes[obj]
			if s != nil && (old == nil || !sameFact(old.fact(), s.fact())) {
				p.writes[obj] = s
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}

func sameFact(a, b *WritesFact) bool {
	return a.Receiver == b.Receiver && slices.Equal(a.Globals, b.Globals) && slices.Equal(a.Params, b.Params) && slices.Equal(a.Calls, b.Calls)
}

// scanWrites summarizes one function, or returns nil when it writes nothing
// shared.
func (p *pass) scanWrites(fd *ast.FuncDecl, obj *types.Func) *writeSummary {
	sig := obj.Type().(*types.Signature)
	w := &writer{p: p, params: map[*types.Var]int{}, s: &writeSummary{
		globals:   map[string]token.Pos{},
		params:    make([]token.Pos, sig.Params().Len()),
		callsWhat: map[string]bool{},
	}}
	for i := 0; i < sig.Params().Len(); i++ {
		w.params[sig.Params().At(i)] = i
	}
	if sig.Recv() != nil {
		w.recv = sig.Recv()
	}
	w.returned = returnedLiterals(fd.Body)
	ast.Inspect(fd.Body, w.visit)
	s := w.s
	if len(s.globals) == 0 && !s.receiver.IsValid() && !slices.ContainsFunc(s.params, token.Pos.IsValid) && len(s.callsWhat) == 0 {
		return nil
	}
	return s
}

type writer struct {
	p *pass
	// returned are the function literals the function returns without
	// calling them: what they write is their caller's business.
	returned map[*ast.FuncLit]bool
	params   map[*types.Var]int
	recv     *types.Var
	s        *writeSummary
	// once counts the sync.Once initializers being scanned: their writes
	// of package variables are a lazy initialization, not a shared write.
	once int
}

func (w *writer) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncLit:
		if w.returned[n] {
			return false // made and handed back, not called here
		}
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && w.p.TypesInfo.Defs[id] != nil {
				continue // a new local
			}
			w.assign(lhs, lhs.Pos())
		}
	case *ast.IncDecStmt:
		w.assign(n.X, n.X.Pos())
	case *ast.RangeStmt:
		if n.Tok == token.ASSIGN {
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if e != nil {
					w.assign(e, e.Pos())
				}
			}
		}
	case *ast.CallExpr:
		if lit := w.onceInit(n); lit != nil {
			w.once++
			ast.Inspect(lit.Body, w.visit)
			w.once--
			return false
		}
		w.call(n)
	}
	return true
}

// onceInit returns the function literal of a lazy initialization,
// once.Do(func() { ... }) on a sync.Once that a package variable holds.
// sync.Once runs the literal exactly once, and every caller of Do returns
// after it has finished, so the package variables it sets hold the same
// values after the first call whichever task makes it: the twin's order of
// calls does not show. The literal's other effects (writes through
// parameters, calls of function values) are checked as usual. This assumes
// that the initializer computes the same values whenever it runs, as a
// lazy initialization does.
func (w *writer) onceInit(call *ast.CallExpr) *ast.FuncLit {
	fn, _ := typeutil.Callee(w.p.TypesInfo, call).(*types.Func)
	if fn == nil || fn.FullName() != "(*sync.Once).Do" || len(call.Args) != 1 {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if v := rootVar(w.p.TypesInfo, sel.X); v == nil || !isGlobal(v) {
		return nil
	}
	lit, _ := ast.Unparen(call.Args[0]).(*ast.FuncLit)
	return lit
}

// assign records a store to e itself.
func (w *writer) assign(e ast.Expr, pos token.Pos) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v, ok := w.p.TypesInfo.Uses[e].(*types.Var); ok && isGlobal(v) {
			w.global(v, pos)
		}
	case *ast.SelectorExpr:
		if v := qualifiedVar(w.p.TypesInfo, e); v != nil {
			w.global(v, pos)
			return
		}
		if sel := w.p.TypesInfo.Selections[e]; sel != nil && sel.Kind() == types.FieldVal {
			if sel.Indirect() || isPointer(w.p.TypesInfo.TypeOf(e.X)) {
				w.through(e.X, pos)
			} else {
				w.assign(e.X, pos)
			}
		}
	case *ast.IndexExpr:
		switch under(w.p.TypesInfo.TypeOf(e.X)).(type) {
		case *types.Slice, *types.Map, *types.Pointer:
			w.through(e.X, pos)
		case *types.Array:
			w.assign(e.X, pos)
		}
	case *ast.StarExpr:
		w.through(e.X, pos)
	}
}

// through records a store into memory reachable from e.
func (w *writer) through(e ast.Expr, pos token.Pos) {
	v := rootVar(w.p.TypesInfo, e)
	switch {
	case v == nil:
	case isGlobal(v):
		w.global(v, pos)
	case v == w.recv:
		if !w.s.receiver.IsValid() {
			w.s.receiver = pos
		}
	default:
		if i, ok := w.params[v]; ok && !w.s.params[i].IsValid() {
			w.s.params[i] = pos
		}
	}
}

// callsValue records that the function calls a function value reached
// from e (directly when via is "", else through function via): one that
// a parameter, the receiver or a package variable gives it. Values the
// function makes itself (a function literal in a local) are its own.
func (w *writer) callsValue(e ast.Expr, pos token.Pos, via string) {
	v := rootVar(w.p.TypesInfo, e)
	name := types.ExprString(e)
	switch {
	case v == nil:
	case w.p.lazy[v] && isVarItself(w.p.TypesInfo, e, v):
		// A sync.OnceValue of the package's own: its literal runs once, and
		// lazyValues checked what it does.
	case isGlobal(v):
		if !w.p.isStd(v.Pkg()) || w.p.Pkg == v.Pkg() {
			w.callsRecord(v.Pkg().Name()+"."+v.Name(), pos, name, via)
		}
	case v == w.recv:
		w.callsRecord("receiver", pos, name, via)
	default:
		if i, ok := w.params[v]; ok {
			w.callsRecord("param "+strconv.Itoa(i), pos, name, via)
		}
	}
}

func (w *writer) callsRecord(what string, pos token.Pos, name, via string) {
	if w.s.callsWhat == nil {
		return // a region's mutation check, which looks at writes only
	}
	w.s.callsWhat[what] = true
	if !w.s.calls.IsValid() {
		w.s.calls, w.s.callsName, w.s.callsVia = pos, name, via
	}
}

// lazyCandidates finds the package variables that hold a lazy initializer:
//
//	var pattern = sync.OnceValue(func() *regexp.Regexp { ... })
//
// (or sync.OnceValues, sync.OnceFunc) and that nothing in the package
// assigns or takes the address of, with their literals. Calling one runs
// its literal once, and every caller gets the same values whichever calls
// first, so a call of it is not a call of an unknown function value, as
// long as the literal is what lazyLiteral accepts.
func (p *pass) lazyCandidates() map[*types.Var]*ast.FuncLit {
	lits := map[*types.Var]*ast.FuncLit{}
	for _, f := range p.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if len(vs.Values) != len(vs.Names) {
					continue
				}
				for i, id := range vs.Names {
					v, _ := p.TypesInfo.Defs[id].(*types.Var)
					call, ok := ast.Unparen(vs.Values[i]).(*ast.CallExpr)
					if v == nil || !ok || len(call.Args) != 1 {
						continue
					}
					fn, _ := typeutil.Callee(p.TypesInfo, call).(*types.Func)
					if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
						continue
					}
					switch fn.Name() {
					case "OnceValue", "OnceValues", "OnceFunc":
						if lit, ok := ast.Unparen(call.Args[0]).(*ast.FuncLit); ok {
							lits[v] = lit
						}
					}
				}
			}
		}
	}
	if len(lits) == 0 {
		return nil
	}
	// Not lazy: a variable the package assigns or lends.
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			var targets []ast.Expr
			switch n := n.(type) {
			case *ast.AssignStmt:
				targets = n.Lhs
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					targets = []ast.Expr{n.X}
				}
			}
			for _, e := range targets {
				if v := rootVar(p.TypesInfo, e); v != nil {
					delete(lits, v)
				}
			}
			return true
		})
	}
	return lits
}

// lazyLiteral reports whether the literal of a lazy value does what a lazy
// initialization may: compute, and set package variables (as a sync.Once
// literal may, see onceInit); not call function values it did not make.
func (p *pass) lazyLiteral(lit *ast.FuncLit) bool {
	w := &writer{p: p, params: map[*types.Var]int{}, once: 1, s: &writeSummary{
		globals:   map[string]token.Pos{},
		callsWhat: map[string]bool{},
	}}
	ast.Inspect(lit.Body, w.visit)
	return len(w.s.callsWhat) == 0
}

// isVarItself reports whether e is v itself (v, or pkg.v), not a part of it.
func isVarItself(info *types.Info, e ast.Expr, v *types.Var) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return info.Uses[e] == v
	case *ast.SelectorExpr:
		return info.Uses[e.Sel] == v
	}
	return false
}

// std reports whether pkg is in the standard library: by Go's convention,
// the first element of its path has no dot.
func std(pkg *types.Package) bool {
	if pkg == nil {
		return true
	}
	first, _, _ := strings.Cut(pkg.Path(), "/")
	return !strings.Contains(first, ".")
}

// isStd reports whether pkg is in the standard library. By Go's convention
// the first element of a standard package's path has no dot (std), but a
// user's module may be named so too (module myapp): the packages of the
// pass's own module are never standard.
func (p *pass) isStd(pkg *types.Package) bool {
	if pkg == nil {
		return true
	}
	if m := p.Module; m != nil && m.Path != "" && m.Path != "std" && (pkg.Path() == m.Path || strings.HasPrefix(pkg.Path(), m.Path+"/")) {
		return false
	}
	return std(pkg)
}

func (w *writer) global(v *types.Var, pos token.Pos) {
	if w.once > 0 || (w.p.isStd(v.Pkg()) && w.p.Pkg != v.Pkg()) {
		return
	}
	name := v.Pkg().Name() + "." + v.Name()
	if _, ok := w.s.globals[name]; !ok {
		w.s.globals[name] = pos
	}
}

// call records what a call writes, from the callee's summary or fact.
func (w *writer) call(call *ast.CallExpr) {
	info := w.p.TypesInfo
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "copy", "clear", "delete", "append":
				// append writes into its slice's spare capacity, when it
				// has any.
				if len(call.Args) > 0 && !(b.Name() == "append" && w.p.full(call.Args[0])) {
					w.through(call.Args[0], call.Pos())
				}
			}
			return
		}
	}
	if _, ok := typeutil.Callee(info, call).(*types.Var); ok {
		// A call of a function value: one the function was given, or that
		// a package variable holds, could do anything.
		w.callsValue(call.Fun, call.Pos(), "")
		return
	}
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return
	}
	fn = fn.Origin()
	fact := w.p.writesOf(fn)
	if fact == nil {
		return
	}
	if fn.Pkg() == w.p.Pkg || !w.p.isStd(fn.Pkg()) {
		sig := fn.Type().(*types.Signature)
		for _, c := range fact.Calls {
			switch {
			case c == "receiver":
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && info.Selections[sel] != nil {
					w.callsValue(sel.X, call.Pos(), fn.Name())
				}
			case strings.HasPrefix(c, "param "):
				i, _ := strconv.Atoi(strings.TrimPrefix(c, "param "))
				for j, arg := range call.Args {
					if j == i || (i == sig.Params().Len()-1 && j > i && sig.Variadic()) {
						w.callsValue(arg, call.Pos(), fn.Name())
					}
				}
			default:
				w.callsRecord(c, call.Pos(), c, fn.Name())
			}
		}
	}
	for _, g := range fact.Globals {
		if (w.p.isStd(fn.Pkg()) && fn.Pkg() != w.p.Pkg) || w.once > 0 {
			// The standard library's own state (caches, the scheduler) is
			// its business; a sync.Once initializer's is a lazy one.
			break
		}
		if _, ok := w.s.globals[g]; !ok {
			w.s.globals[g] = call.Pos()
		}
	}
	if fact.Receiver {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && info.Selections[sel] != nil {
			w.through(sel.X, call.Pos())
		}
	}
	nparams := fn.Type().(*types.Signature).Params().Len()
	for _, i := range fact.Params {
		for j, arg := range call.Args {
			if j == i || (i == nparams-1 && j > i && fn.Type().(*types.Signature).Variadic()) {
				w.through(arg, call.Pos())
			}
		}
	}
}

// writesOf returns what fn writes: its summary when it is in this package,
// its fact otherwise.
func (p *pass) writesOf(fn *types.Func) *WritesFact {
	if fn.Pkg() == nil {
		return nil // a method of the universe's error
	}
	if readsInto(fn) || appendsInto(fn) {
		return &WritesFact{Params: []int{0}}
	}
	if fn.Pkg() == p.Pkg {
		if s := p.writes[fn]; s != nil {
			return s.fact()
		}
		return nil
	}
	if p.isStd(fn.Pkg()) && !p.isStd(p.Pkg) && !deriving {
		// User code calling into the standard library: one table for
		// every driver, whichever bodies it loaded.
		return stdFact(fn)
	}
	var f WritesFact
	if p.ImportObjectFact(fn, &f) {
		return &f
	}
	return nil
}

// readsInto reports whether fn is a Read or ReadAt method (of io.Reader,
// io.ReaderAt, or a type that has one, an interface included): by their
// contract, they write into their []byte argument.
func readsInto(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil || (fn.Name() != "Read" && fn.Name() != "ReadAt") || sig.Params().Len() == 0 {
		return false
	}
	sl, ok := sig.Params().At(0).Type().Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := sl.Elem().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

// appendsInto reports whether fn is an interface method that, by its
// contract, appends to its []byte argument and returns the result, like
// hash.Hash's Sum(b) or an AppendText(b): the append may write into b's
// spare capacity. (Functions with bodies are summarized from them.)
func appendsInto(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil || !types.IsInterface(sig.Recv().Type()) || sig.Params().Len() == 0 || sig.Results().Len() == 0 {
		return false
	}
	if fn.Name() != "Sum" && !strings.HasPrefix(fn.Name(), "Append") {
		return false
	}
	return isBytes(sig.Params().At(0).Type()) && isBytes(sig.Results().At(0).Type())
}

func isBytes(t types.Type) bool {
	sl, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := sl.Elem().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

// rootVar returns the variable an expression like a.b[i].c or *p starts from.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			if v == nil {
				v, _ = info.Defs[x].(*types.Var)
			}
			return v
		case *ast.SelectorExpr:
			if v := qualifiedVar(info, x); v != nil {
				return v
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

// qualifiedVar returns the package variable pkg.V that e names, if any.
func qualifiedVar(info *types.Info, e *ast.SelectorExpr) *types.Var {
	if id, ok := e.X.(*ast.Ident); ok {
		if _, ok := info.Uses[id].(*types.PkgName); ok {
			v, _ := info.Uses[e.Sel].(*types.Var)
			return v
		}
	}
	return nil
}

func isGlobal(v *types.Var) bool {
	return v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}

func isPointer(t types.Type) bool {
	_, ok := under(t).(*types.Pointer)
	return ok
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// DeriveStdWrites analyzes the standard packages the patterns match (and
// what they import) from their bodies and returns, for every function and
// method of a package that is not internal, what it writes through its
// receiver and parameters, in stdWrites' form. It is what stdgen writes,
// and what the test that keeps stdwrites.go current compares it with.
func DeriveStdWrites(patterns []string) (map[string]string, error) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax}, patterns...)
	if err != nil {
		return nil, err
	}
	deriving = true
	defer func() { deriving = false }()
	graph, err := checker.Analyze([]*analysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	table := map[string]string{}
	for act := range graph.All() {
		if act.Analyzer != Analyzer || !std(act.Package.Types) || hiddenPath(act.Package.PkgPath) {
			continue
		}
		for _, of := range act.AllObjectFacts() {
			fn, ok := of.Object.(*types.Func)
			if !ok || fn.Pkg() != act.Package.Types || !fn.Exported() {
				continue // user code calls only exported functions and methods
			}
			var s string
			switch f := of.Fact.(type) {
			case *WritesFact:
				s = stdEntry(f)
			case *AliasFact:
				s = aliasEntry(f)
			}
			if s == "" {
				continue
			}
			key := qualifiedName(fn)
			if table[key] != "" {
				s = table[key] + " " + s
			}
			table[key] = sortEntry(s)
		}
	}
	return table, nil
}

// deriving is set while DeriveStdWrites runs: the standard library's facts
// then come from its bodies, not from the table being made.
var deriving bool

// hiddenPath reports whether a package path cannot be imported by user
// code: internal and vendored packages, and the go command's own.
func hiddenPath(path string) bool {
	for _, el := range strings.Split(path, "/") {
		if el == "internal" || el == "vendor" {
			return true
		}
	}
	return path == "cmd" || strings.HasPrefix(path, "cmd/")
}

// stdEntry writes what a standard function writes, in stdWrites' form.
func stdEntry(f *WritesFact) string {
	var parts []string
	if f.Receiver {
		parts = append(parts, "r")
	}
	for _, p := range f.Params {
		parts = append(parts, "p"+strconv.Itoa(p))
	}
	return strings.Join(parts, " ")
}

// aliasEntry writes what a standard function's results share, in
// stdWrites' form: "ar" for its receiver, "aN" for its parameter N.
func aliasEntry(f *AliasFact) string {
	var parts []string
	if f.Receiver {
		parts = append(parts, "ar")
	}
	for _, p := range f.Params {
		parts = append(parts, "a"+strconv.Itoa(p))
	}
	return strings.Join(parts, " ")
}

func sortEntry(s string) string {
	parts := strings.Fields(s)
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// stdFact returns what a standard function writes, from stdWrites.
func stdFact(fn *types.Func) *WritesFact {
	s, ok := stdWrites[qualifiedName(fn)]
	if !ok {
		return nil
	}
	f := &WritesFact{}
	for _, part := range strings.Fields(s) {
		switch {
		case part == "r":
			f.Receiver = true
		case strings.HasPrefix(part, "p"):
			if i, err := strconv.Atoi(part[1:]); err == nil {
				f.Params = append(f.Params, i)
			}
		}
	}
	if !f.Receiver && len(f.Params) == 0 {
		return nil
	}
	return f
}

// returnedLiterals finds the function literals that body returns, as they
// are or as parts of composite literals it returns (return &Lexer{match:
// func(...) {...}}): a constructor that builds a closure does not run it,
// so what the closure would write is written by whoever calls it later,
// whose own summary records the call of a function value. A literal
// returned after it was stored in a variable is not one of these.
func returnedLiterals(body *ast.BlockStmt) map[*ast.FuncLit]bool {
	out := map[*ast.FuncLit]bool{}
	var mark func(e ast.Expr)
	mark = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.FuncLit:
			out[e] = true
		case *ast.UnaryExpr:
			if e.Op == token.AND {
				mark(e.X)
			}
		case *ast.CompositeLit:
			for _, el := range e.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					el = kv.Value
				}
				mark(el)
			}
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				mark(r)
			}
		}
		return true
	})
	return out
}
