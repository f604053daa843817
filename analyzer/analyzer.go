package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/daskgen/daskgen/internal/directive"
)

// Analyzer is the daskgen analyzer. Its result is the package's *Plan.
var Analyzer = &analysis.Analyzer{
	Name:       "daskgen",
	Doc:        Doc,
	URL:        "https://pkg.go.dev/github.com/daskgen/daskgen/analyzer",
	Requires:   []*analysis.Analyzer{inspect.Analyzer},
	Run:        run,
	ResultType: reflect.TypeFor[*Plan](),
	FactTypes:  []analysis.Fact{new(DelayedFact), new(WritesFact), new(AliasFact)},
}

var (
	candidate bool
	extra     funcList
)

func init() {
	Analyzer.Flags.BoolVar(&candidate, "candidate", false, "report loops that could be marked //daskgen:parallel, with a fix that marks them")
	Analyzer.Flags.Var(&extra, "delayed", "comma-separated `functions` to treat as delayed besides the marked ones, as pkg/path.Func or pkg/path.Type.Method (for -candidate)")
}

// funcList is a flag of function names.
type funcList map[string]bool

func (l *funcList) String() string {
	var names []string
	for n := range *l {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func (l *funcList) Set(s string) error {
	m := funcList{}
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			m[n] = true
		}
	}
	*l = m
	return nil
}

// DelayedFact marks a function or method declared //daskgen:delayed, so that
// parallel code in other packages knows its calls are tasks.
type DelayedFact struct {
	Pure    bool
	Retries int // -1 when not set
	Limit   int
}

// AFact marks DelayedFact as a fact.
func (*DelayedFact) AFact() {}

// String returns the fact as tests match it: "delayed" and its options.
func (f *DelayedFact) String() string {
	s := "delayed"
	if f.Pure {
		s += " pure"
	}
	if f.Retries >= 0 {
		s += " retries=" + strconv.Itoa(f.Retries)
	}
	if f.Limit > 0 {
		s += " limit=" + strconv.Itoa(f.Limit)
	}
	return s
}

// WritesFact records what a function writes besides its own locals: package
// variables, and memory reachable through its receiver or parameters. It is
// exported for every function that writes any, so that callers in other
// packages see it.
type WritesFact struct {
	Globals  []string // package variables, as pkg.Name, sorted
	Receiver bool     // memory reachable through the receiver
	Params   []int    // memory reachable through these parameters (0-based), sorted
	// Calls lists where the function calls function values it is given, or
	// that package variables hold (opts.OnCode(line)), directly or through
	// the functions it calls: what those do, daskgen cannot see. Its entries
	// are "param N", "receiver" and package variables as pkg.Name, sorted.
	Calls []string
}

// AFact marks WritesFact as a fact.
func (*WritesFact) AFact() {}

// String returns the fact as tests match it, such as "writes params 0".
func (f *WritesFact) String() string {
	var parts []string
	if len(f.Globals) > 0 {
		parts = append(parts, "globals "+strings.Join(f.Globals, " "))
	}
	if f.Receiver {
		parts = append(parts, "receiver")
	}
	if len(f.Params) > 0 {
		var ps []string
		for _, p := range f.Params {
			ps = append(ps, strconv.Itoa(p))
		}
		parts = append(parts, "params "+strings.Join(ps, " "))
	}
	if len(f.Calls) > 0 {
		parts = append(parts, "calls "+strings.Join(f.Calls, " "))
	}
	return "writes " + strings.Join(parts, "; ")
}

func (f *WritesFact) empty() bool {
	return len(f.Globals) == 0 && !f.Receiver && len(f.Params) == 0 && len(f.Calls) == 0
}

// Diagnostic categories. Directive, mutation and unsupported are
// refusals: daskgen writes no twin while one stands, and vet fails. Sync,
// nothing, candidate and trusted are notes: they say where a loop waits,
// which directive has nothing to do, which loop could be marked and which
// writes daskgen takes the user's word for, and never make generation or
// vet fail.
const (
	CatDirective   = "directive"
	CatMutation    = "mutation"
	CatUnsupported = "unsupported"
	CatSync        = "sync"
	CatNothing     = "nothing"
	CatCandidate   = "candidate"
	// CatTrusted notes writes of shared state that a delayed function
	// marked locked says are guarded and order-independent.
	CatTrusted = "trusted"
)

// Refuses reports whether a diagnostic of the category refuses the code (a
// refusal), rather than informing about it (a note).
func Refuses(category string) bool {
	switch category {
	case CatDirective, CatMutation, CatUnsupported:
		return true
	}
	return false
}

type pass struct {
	*analysis.Pass
	plan   *Plan
	writes map[*types.Func]*writeSummary
	// aliases says, for the package's functions, which parameters their
	// results may share memory with.
	aliases map[*types.Func]*AliasFact
	// lazy are the package's lazily initialized function values: see
	// lazyValues.
	lazy map[*types.Var]bool
	// pure are the package's functions and methods that only compute: see
	// summarizePure.
	pure map[*types.Func]bool
}

func (p *pass) report(pos token.Pos, category, format string, args ...any) {
	p.Report(analysis.Diagnostic{Pos: pos, Category: category, Message: fmt.Sprintf(format, args...)})
}

func run(ap *analysis.Pass) (any, error) {
	p := &pass{Pass: ap, plan: &Plan{}}
	ins := ap.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	var regions []*Region
	for _, f := range ap.Files {
		if ast.IsGenerated(f) {
			p.cgoDirectives(f)
			continue
		}
		regions = append(regions, p.directives(f)...)
	}
	p.summarizeWrites(ins)
	p.summarizePure(ins)
	for _, d := range p.plan.Delayed {
		p.checkDelayed(d)
	}
	for _, r := range regions {
		if p.analyzeRegion(r, true) {
			p.plan.Regions = append(p.plan.Regions, r)
		}
	}
	if candidate {
		p.candidates(ins, regions)
	}
	return p.plan, nil
}

// directives reads the file's directives, checks where they are, exports the
// facts of delayed functions and returns the parallel regions.
func (p *pass) directives(f *ast.File) []*Region {
	used := map[*ast.CommentGroup]bool{}
	var regions []*Region
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Doc == nil {
			continue
		}
		used[fd.Doc] = true
		ds, errs := directive.All(fd.Doc)
		p.reportErrs(errs)
		var delayed, parallel *directive.Directive
		for i := range ds {
			d := &ds[i]
			switch {
			case d.Name == directive.Delayed && delayed != nil, d.Name == directive.Parallel && parallel != nil:
				p.report(d.Pos, CatDirective, "%s%s given twice for %s; keep one", directive.Prefix, d.Name, fd.Name.Name)
			case d.Name == directive.Delayed:
				delayed = d
			default:
				parallel = d
			}
		}
		obj, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
		if obj == nil {
			continue
		}
		if delayed != nil && parallel != nil {
			p.report(parallel.Pos, CatDirective, "%s is both //daskgen:delayed and //daskgen:parallel; a delayed function runs as one task, so keep one of the two", fd.Name.Name)
			continue
		}
		if delayed != nil {
			p.declareDelayed(fd, obj, *delayed)
		}
		if parallel != nil {
			if parallel.Unordered {
				p.report(parallel.Pos, CatDirective, "unordered applies to a worklist loop, not to the function %s; put //daskgen:parallel unordered on the line above the loop", fd.Name.Name)
				continue
			}
			if fd.Body == nil {
				p.report(parallel.Pos, CatDirective, "%s has no body to make parallel", fd.Name.Name)
				continue
			}
			regions = append(regions, &Region{Func: fd, Obj: obj, Directive: *parallel})
		}
	}
	// Directives on for statements: the comment group must end on the line
	// directly above the for.
	loops := map[int]ast.Stmt{} // line -> for statement starting there
	encl := map[ast.Stmt]*ast.FuncDecl{}
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			var s ast.Stmt
			switch n := n.(type) {
			case *ast.ForStmt:
				s = n
			case *ast.RangeStmt:
				s = n
			case *ast.FuncLit:
				return true
			default:
				return true
			}
			line := p.Fset.Position(s.Pos()).Line
			loops[line] = s
			encl[s] = fd
			return true
		})
		// A labeled loop starts at its label.
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if ls, ok := n.(*ast.LabeledStmt); ok {
				switch ls.Stmt.(type) {
				case *ast.ForStmt, *ast.RangeStmt:
					loops[p.Fset.Position(ls.Pos()).Line] = ls.Stmt
				}
			}
			return true
		})
	}
	// Loops in package variables' initializers (var R = func() T { for ...
	// }()): no function of the package holds them.
	inits := map[int]string{} // line -> the variable whose initializer has a for statement there
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for _, v := range vs.Values {
				ast.Inspect(v, func(n ast.Node) bool {
					switch n.(type) {
					case *ast.ForStmt, *ast.RangeStmt:
						inits[p.Fset.Position(n.Pos()).Line] = vs.Names[0].Name
					}
					return true
				})
			}
		}
	}
	for _, cg := range f.Comments {
		if used[cg] {
			continue
		}
		ds, errs := directive.All(cg)
		p.reportErrs(errs)
		if len(ds) == 0 {
			continue
		}
		loop := loops[p.Fset.Position(cg.End()).Line+1]
		for _, d := range ds {
			switch {
			case loop == nil && inits[p.Fset.Position(cg.End()).Line+1] != "" && d.Name == directive.Parallel:
				v := inits[p.Fset.Position(cg.End()).Line+1]
				p.report(d.Pos, CatDirective, "//daskgen:parallel is above a loop in the initializer of package variable %s, which is no function daskgen can write a twin of; move the loop into a function of its own marked //daskgen:parallel, and initialize %s with its twin", v, v)
			case loop == nil:
				p.report(d.Pos, CatDirective, "%s%s is not attached to anything; put it in the doc comment of a function, or (for parallel) on the line directly above a for statement", directive.Prefix, d.Name)
			case d.Name == directive.Delayed:
				p.report(d.Pos, CatDirective, "//daskgen:delayed marks a function, not a loop; put it in the doc comment of the slow function the loop calls")
			default:
				fd := encl[loop]
				if fd == nil {
					p.report(d.Pos, CatDirective, "//daskgen:parallel is on a loop outside any function body")
					continue
				}
				obj, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
				regions = append(regions, &Region{Func: fd, Obj: obj, Loop: loop, Directive: d})
			}
		}
	}
	// A parallel loop inside a parallel function, or inside another parallel
	// loop, says nothing new.
	for _, r := range regions {
		if r.Loop == nil {
			continue
		}
		for _, o := range regions {
			if o == r || o.Func != r.Func {
				continue
			}
			if o.Loop == nil || (o.Loop.Pos() < r.Loop.Pos() && r.Loop.End() <= o.Loop.End()) {
				p.report(r.Directive.Pos, CatDirective, "this loop is already inside the parallel %s; remove this directive", regionName(o))
				r.Directive.Name = "" // mark it dropped
				break
			}
		}
	}
	return slices.DeleteFunc(regions, func(r *Region) bool { return r.Directive.Name == "" })
}

func regionName(r *Region) string {
	if r.Loop == nil {
		return "function " + r.Func.Name.Name
	}
	return "loop of " + r.Func.Name.Name
}

func (p *pass) reportErrs(errs []*directive.Error) {
	for _, e := range errs {
		p.report(e.Pos, CatDirective, "%s", e.Msg)
	}
}

// declareDelayed checks a delayed function's signature and exports its fact.
func (p *pass) declareDelayed(fd *ast.FuncDecl, obj *types.Func, d directive.Directive) {
	sig := obj.Type().(*types.Signature)
	res := sig.Results()
	if res.Len() == 0 {
		p.report(d.Pos, CatUnsupported, "delayed function %s returns nothing; a delayed function returns its result or an error (or both, the error last), which later code reads", fd.Name.Name)
		return
	}
	for i := 0; i < res.Len()-1; i++ {
		if isError(res.At(i).Type()) {
			p.report(d.Pos, CatUnsupported, "delayed function %s returns an error before its last result; put the error last", fd.Name.Name)
			return
		}
	}
	if fd.Body == nil {
		p.report(d.Pos, CatDirective, "delayed function %s has no body; daskgen cannot check it", fd.Name.Name)
	}
	if sig.Recv() != nil && sig.RecvTypeParams().Len() > 0 {
		p.report(d.Pos, CatUnsupported, "delayed method %s has a receiver with type parameters, which daskgen does not support yet; make it a generic function that takes the receiver as its first argument", fd.Name.Name)
		return
	}
	n := sig.Params().Len()
	if n > 0 && isContextType(sig.Params().At(0).Type()) {
		n-- // the task's context
	}
	if sig.Recv() != nil {
		n++
	}
	if n > 6 {
		p.report(d.Pos, CatUnsupported, "delayed function %s takes %d arguments; daskgen supports up to 6, so pass a struct", fd.Name.Name, n)
		return
	}
	fact := &DelayedFact{Pure: d.Pure, Retries: d.Retries, Limit: d.Limit}
	p.ExportObjectFact(obj, fact)
	p.plan.Delayed = append(p.plan.Delayed, &Delayed{Decl: fd, Func: obj, Directive: d})
}

func isError(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

// delayedFact returns the fact of the function a call calls, if it is
// delayed (marked, or named by -delayed).
func (p *pass) delayedFact(call *ast.CallExpr) (*types.Func, *DelayedFact) {
	fn, _ := typeutil.Callee(p.TypesInfo, call).(*types.Func)
	if fn == nil {
		return nil, nil
	}
	fn = fn.Origin()
	var fact DelayedFact
	if p.ImportObjectFact(fn, &fact) {
		return fn, &fact
	}
	if len(extra) > 0 && extra[qualifiedName(fn)] {
		// A function named with -delayed counts only if it is pure as far as
		// facts tell: one that writes through its receiver or parameters (like
		// exec.Cmd.Run, which sets cmd.ProcessState) would have eager code read
		// its effects before the task ran.
		if w := p.writesOf(fn); w != nil && (w.Receiver || len(w.Params) > 0) {
			return nil, nil
		}
		return fn, &DelayedFact{Retries: -1}
	}
	return nil, nil
}

// qualifiedName is pkg/path.Func or pkg/path.Type.Method.
func qualifiedName(fn *types.Func) string {
	if fn.Pkg() == nil {
		return fn.Name()
	}
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		if ptr, ok := t.(*types.Pointer); ok {
			t = ptr.Elem()
		}
		if named, ok := t.(*types.Named); ok {
			return fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// checkDelayed reports a delayed function that writes shared state.
func (p *pass) checkDelayed(d *Delayed) {
	s := p.writes[d.Func]
	if d.Directive.Locked {
		p.checkLocked(d, s)
		return
	}
	if s == nil {
		return
	}
	switch {
	case len(s.globals) > 0:
		g := s.firstGlobal()
		p.report(s.globals[g], CatMutation, "delayed function %s writes package variable %s; its tasks run concurrently and in any order, so return the value instead of storing it", d.Func.Name(), g)
	case s.receiver.IsValid():
		p.report(s.receiver, CatMutation, "delayed method %s writes through its receiver; its tasks run concurrently, so return a new value instead of changing the receiver", d.Func.Name())
	default:
		for i, pos := range s.params {
			if pos.IsValid() {
				name := d.Func.Type().(*types.Signature).Params().At(i).Name()
				p.report(pos, CatMutation, "delayed function %s writes through its parameter %s; the caller's value would change while other tasks read it, so return a new value instead", d.Func.Name(), name)
				return
			}
		}
		if s.calls.IsValid() {
			what := "calls the function value " + s.callsName
			if s.callsVia != "" {
				what = "passes " + s.callsName + " to " + s.callsVia + ", which calls a function value in it"
			}
			p.report(s.calls, CatMutation, "delayed function %s %s: daskgen cannot check what that value does, and its tasks would call it concurrently and in any order, where F calls it in order. Call it in eager code with the task's results, or leave %s unmarked",
				d.Func.Name(), what, d.Func.Name())
		}
	}
}

// checkLocked notes what a delayed function marked locked writes, which the
// user vouches for: a lock guards it and its outcome does not depend on the
// order of the calls (a memo cache). Calls of function values stay refused:
// the lock says nothing about what they do.
func (p *pass) checkLocked(d *Delayed, s *writeSummary) {
	name := d.Func.Name()
	if s == nil {
		p.report(d.Directive.Pos, CatTrusted, "delayed function %s is marked locked but writes nothing shared; remove locked", name)
		return
	}
	if s.calls.IsValid() {
		p.report(s.calls, CatMutation, "delayed function %s calls the function value %s: locked vouches for its writes, not for what a function value does; call it in eager code with the task's results", name, s.callsName)
		return
	}
	var what []string
	if g := s.firstGlobal(); g != "" {
		what = append(what, "package variable "+g)
	}
	if s.receiver.IsValid() {
		what = append(what, "its receiver")
	}
	sig := d.Func.Type().(*types.Signature)
	for i, pos := range s.params {
		if pos.IsValid() {
			what = append(what, "its parameter "+sig.Params().At(i).Name())
		}
	}
	p.report(d.Directive.Pos, CatTrusted, "delayed function %s writes %s; it is marked locked, so daskgen trusts that a lock guards those writes and that what they leave does not depend on the order of its concurrent calls (a memo cache); if that is not so, its twins differ from F", name, strings.Join(what, " and "))
}

// cgoDirectives reports the directives of a file that imports "C": the
// analysis sees cgo's rewrite of it, a generated file, and daskgen cannot
// write a twin next to it.
func (p *pass) cgoDirectives(f *ast.File) {
	if len(f.Comments) == 0 || !strings.Contains(f.Comments[0].Text(), "Code generated by cmd/cgo") {
		return
	}
	for _, cg := range f.Comments {
		ds, _ := directive.All(cg)
		for _, d := range ds {
			p.report(d.Pos, CatUnsupported, "%s%s is in a file that imports \"C\": daskgen does not write twins for cgo files; move the marked function to a file of the package without import \"C\", and call the C code from there", directive.Prefix, d.Name)
		}
	}
}
