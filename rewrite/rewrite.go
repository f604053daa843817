package rewrite

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/daskgen/daskgen/analyzer"
	"github.com/daskgen/daskgen/internal/directive"
)

// Config says which packages to generate for.
type Config struct {
	Dir      string   // the directory to load packages from; "" is the current one
	Patterns []string // package patterns, as for go build; none means "."
	Tags     []string // build tags
	// Force replaces a file named like a generated one (x_daskgen.go) that
	// daskgen did not write. Without it, such a file is a refusal.
	Force bool
}

// Diagnostic is a message about a position in the source.
type Diagnostic struct {
	Pos     token.Position
	Message string

	fromRewriter bool // the rewriter refused what the analyzer's plan allowed: a bug
}

// String returns "file:line:col: message".
func (d Diagnostic) String() string { return d.Pos.String() + ": " + d.Message }

// Result is what one run of the generator produced. When Refused is not
// empty, Files is empty: generation is all or nothing.
type Result struct {
	Files    []File       // the generated files, sorted by path
	Remove   []string     // generated files whose source no longer needs one
	Twins    []string     // the twins written, as "pkg.FParallel"
	Barriers []Diagnostic // where a twin waits for a delayed value
	Warnings []Diagnostic // directives with nothing to do, and writes a locked delayed function vouches for
	Refused  []Diagnostic // why the code cannot have a twin, one per problem
}

// RefusedError is returned by Generate when some code cannot have a twin.
type RefusedError struct {
	Diagnostics []Diagnostic
}

// Error lists the diagnostics, one per line.
func (e *RefusedError) Error() string {
	var lines []string
	for _, d := range e.Diagnostics {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
	packages.NeedDeps | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax | packages.NeedTypesSizes |
	packages.NeedModule

// Generate loads the packages, analyzes them and writes their twins in
// memory. It returns a *RefusedError, with the result, when some code cannot
// have a twin, and other errors for packages that do not load or type-check.
func Generate(cfg Config) (*Result, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	var flags []string
	if len(cfg.Tags) > 0 {
		flags = []string{"-tags=" + strings.Join(cfg.Tags, ",")}
	}
	// Earlier generated files may no longer compile against the source they
	// came from: load the packages without them.
	first, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedFiles, Dir: cfg.Dir, BuildFlags: flags}, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %w", err)
	}
	overlay := map[string][]byte{}
	old := map[string]bool{}
	testDirectives := testFileDirectives(first)
	for _, p := range first {
		for _, f := range p.GoFiles {
			if isGenerated(f) {
				overlay[f] = []byte("package " + p.Name + "\n")
				old[f] = true
			}
		}
	}
	// The runtime comes along, whether or not the packages import it yet,
	// so that the generated files are type-checked in the same universe
	// of types as their package before anything is written.
	roots := map[string]bool{}
	for _, p := range first {
		roots[p.PkgPath] = true
	}
	all, err := packages.Load(&packages.Config{Mode: loadMode, Dir: cfg.Dir, BuildFlags: flags, Overlay: overlay, ParseFile: parseFile}, append(slices.Clip(patterns), twinimplPath)...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %w", err)
	}
	var pkgs []*packages.Package
	var rt *packages.Package
	for _, p := range all {
		if roots[p.PkgPath] {
			pkgs = append(pkgs, p)
		}
		if p.PkgPath == twinimplPath {
			rt = p
		}
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages matching %s", strings.Join(patterns, " "))
	}
	// Code that calls twins or wrappers not generated yet does not
	// type-check; that is expected on the first run, and only that.
	var loadErrs []string
	missing := false
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p == rt && !roots[p.PkgPath] {
			return // checked with the generated files, if it is needed
		}
		var kept []packages.Error
		here := false
		for _, e := range p.Errors {
			switch {
			case e.Kind == packages.TypeError && missingGenerated(e.Msg):
				missing, here = true, true
			case e.Kind == packages.TypeError && strings.HasPrefix(e.Pos, goroot) && strings.Contains(e.Msg, "imported") && strings.HasSuffix(e.Msg, "and not used"):
				// The import was used by a body that parseFile dropped.
			default:
				kept = append(kept, e)
				loadErrs = append(loadErrs, e.Error())
			}
		}
		if len(kept) == 0 && !here {
			p.Errors, p.IllTyped = nil, false
		}
	})
	if len(loadErrs) > 0 {
		return nil, errors.New(strings.Join(loadErrs, "\n"))
	}
	a := analyzer.Analyzer
	if missing {
		tolerant := *analyzer.Analyzer
		tolerant.RunDespiteErrors = true
		a = &tolerant
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{a}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	res := &Result{Warnings: testDirectives}
	var gens []*gen
	for _, act := range graph.Roots {
		if act.Err != nil {
			return nil, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			diag := Diagnostic{Pos: act.Package.Fset.Position(d.Pos), Message: d.Message}
			switch {
			case analyzer.Refuses(d.Category):
				res.Refused = append(res.Refused, diag)
			case d.Category == analyzer.CatNothing, d.Category == analyzer.CatTrusted:
				res.Warnings = append(res.Warnings, diag)
			}
		}
		plan, _ := act.Result.(*analyzer.Plan)
		if plan == nil {
			continue
		}
		g := &gen{pkg: act.Package, plan: plan}
		gens = append(gens, g)
		for _, r := range plan.Regions {
			for _, b := range r.Barriers {
				if b.Return {
					continue
				}
				msg := b.What + " is waited for: " + b.Reason
				switch {
				case b.Pipelined && b.Commutes:
					msg += " (pipelined: waits for its own iteration only; the loop's eager parts commute, so the producers run them once the iteration's values are known)"
				case b.Pipelined:
					msg += " (pipelined: waits for its own iteration only)"
				case b.InLoop && b.Serial != "":
					msg += " (in every iteration, one at a time: later iterations' calls cannot start ahead, because " + b.Serial + ")"
				case b.InLoop:
					msg += " (in every iteration, one at a time)"
				}
				res.Barriers = append(res.Barriers, Diagnostic{Pos: act.Package.Fset.Position(b.Pos), Message: msg})
			}
		}
	}
	if len(res.Refused) > 0 {
		return res, &RefusedError{res.Refused}
	}
	var perGen [][]File
	for _, g := range gens {
		files := g.files()
		if m := mangle.Load(); m != nil {
			for i := range files {
				files[i].Source = (*m)(files[i].Path, files[i].Source)
			}
		}
		perGen = append(perGen, files)
		res.Refused = append(res.Refused, g.refused...)
		res.Files = append(res.Files, files...)
		seen := map[*ast.FuncDecl]bool{}
		for _, r := range g.plan.Regions {
			if !seen[r.Func] {
				seen[r.Func] = true
				res.Twins = append(res.Twins, g.pkg.Name+"."+twinName(r.Func.Name.Name))
			}
		}
	}
	if len(res.Refused) == 0 {
		res.Refused = append(res.Refused, typecheck(all, rt, gens, perGen, &res.Warnings)...)
	}
	for _, f := range res.Files {
		if _, err := os.Stat(f.Path); err == nil && !isGenerated(f.Path) && !old[f.Path] && !cfg.Force {
			res.Refused = append(res.Refused, Diagnostic{Pos: token.Position{Filename: f.Path},
				Message: fmt.Sprintf("%s exists and daskgen did not write it (it lacks the line // %s); rename it, or run daskgen -force to replace it", filepath.Base(f.Path), Header)})
		}
	}
	if len(res.Refused) > 0 {
		res.Files = nil
		return res, &RefusedError{res.Refused}
	}
	slices.SortFunc(res.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	written := map[string]bool{}
	for _, f := range res.Files {
		written[f.Path] = true
	}
	for f := range old {
		if !written[f] {
			res.Remove = append(res.Remove, f)
		}
	}
	slices.Sort(res.Remove)
	return res, nil
}

// mangle, when tests set it, changes every generated file (given its path)
// before it is checked: it stands for a rewriter bug. Other tests generate
// at the same time, hence the atomic pointer and the path.
var mangle atomic.Pointer[func(path string, src []byte) []byte]

// goroot is the source of the standard library.
var goroot = filepath.Join(build.Default.GOROOT, "src") + string(filepath.Separator)

// parseFile parses a file to load. The standard library's function bodies
// are dropped: type-checking them is most of the time a run takes, and
// what the analyzer needs of them (what they write, what their results
// share) it reads from its table derived from them (analyzer/stdwrites.go),
// under go vet too, so that both give one verdict.
func parseFile(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	mode := parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution
	if !strings.HasPrefix(filename, goroot) {
		return parser.ParseFile(fset, filename, src, mode)
	}
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if f != nil {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				// panic() ends the body, so no return is missing.
				call := &ast.CallExpr{Fun: ast.NewIdent("panic"), Args: []ast.Expr{ast.NewIdent("nil")}, Lparen: fd.Body.Lbrace, Rparen: fd.Body.Lbrace}
				fd.Body.List = []ast.Stmt{&ast.ExprStmt{X: call}}
			}
		}
	}
	return f, err
}

// missingGenerated reports whether a type error is about a name that
// daskgen generates: FParallel, fDelayed, fDelayedErr.
func missingGenerated(msg string) bool {
	name := ""
	switch {
	case strings.HasPrefix(msg, "undefined: "):
		name = strings.TrimPrefix(msg, "undefined: ")
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
	case strings.Contains(msg, "has no field or method "):
		_, name, _ = strings.Cut(msg, "has no field or method ")
		name, _, _ = strings.Cut(name, ")")
		name, _, _ = strings.Cut(name, ",")
	default:
		return false
	}
	return strings.HasSuffix(name, "Parallel") || strings.HasSuffix(name, "Delayed") || strings.HasSuffix(name, "DelayedErr")
}

// isGenerated reports whether path is a file that daskgen wrote: its name
// ends in _daskgen.go and it starts with the header.
func isGenerated(path string) bool {
	if !strings.HasSuffix(path, "_daskgen.go") {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return false
	}
	return len(f.Comments) > 0 && strings.Contains(f.Comments[0].Text(), Header)
}

// Write writes the generated files and removes the stale ones, all or
// nothing: every file, in every package, is first written in full to a
// temporary file next to it; only when all of them are written are they
// renamed into place. When one cannot be written, the temporary files are
// removed and no generated file changes.
func (r *Result) Write() error {
	var tmps []string
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, f := range r.Files {
		tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".daskgen-*.go.tmp")
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w; nothing was written", f.Path, pathErr(err))
		}
		tmps = append(tmps, tmp.Name())
		_, err = tmp.Write(f.Source)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o644)
		}
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w; nothing was written", f.Path, pathErr(err))
		}
	}
	for i, f := range r.Files {
		if err := os.Rename(tmps[i], f.Path); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", f.Path, pathErr(err))
		}
	}
	for _, p := range r.Remove {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// pathErr drops the name of a temporary file from err: messages name the
// file daskgen meant to write.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Stale lists the generated files that are missing, out of date, or no
// longer needed.
func (r *Result) Stale() []string {
	var out []string
	for _, f := range r.Files {
		b, err := os.ReadFile(f.Path)
		switch {
		case err != nil:
			out = append(out, f.Path+": missing")
		case !bytes.Equal(b, f.Source):
			out = append(out, f.Path+": out of date")
		}
	}
	for _, p := range r.Remove {
		out = append(out, p+": no longer generated")
	}
	return out
}

// testFileDirectives warns of directives in the packages' _test.go files:
// daskgen writes twins for the files a package builds from, not its tests.
func testFileDirectives(pkgs []*packages.Package) []Diagnostic {
	var out []Diagnostic
	seen := map[string]bool{}
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 {
			continue
		}
		dir := filepath.Dir(p.GoFiles[0])
		if seen[dir] {
			continue
		}
		seen[dir] = true
		tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, name := range tests {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				continue
			}
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					if strings.HasPrefix(c.Text, directive.Prefix) {
						out = append(out, Diagnostic{Pos: fset.Position(c.Slash),
							Message: "directive in a test file, where daskgen writes no twin: move the marked function to a file of the package that is not a _test.go file"})
					}
				}
			}
		}
	}
	return out
}

// OnlyMissingTwins reports whether the packages (with their tests) fail to
// type-check only because code calls twins or wrappers that daskgen has not
// generated yet: then analysis can run on them as generation does.
func OnlyMissingTwins(patterns []string) bool {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo, Tests: true}, patterns...)
	if err != nil {
		return false
	}
	missing, other := false, false
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			if missingOnly(e) {
				missing = true
			} else {
				other = true
			}
		}
	})
	return missing && !other
}

// missingOnly reports whether e is about names daskgen generates and
// nothing else: a type error, or the compiler's list of them.
func missingOnly(e packages.Error) bool {
	switch e.Kind {
	case packages.TypeError:
		return missingGenerated(e.Msg)
	case packages.ListError:
		lines := strings.Split(strings.TrimSpace(e.Msg), "\n")
		n := 0
		for _, line := range lines {
			if strings.HasPrefix(line, "# ") {
				continue
			}
			// file:line:col: message
			parts := strings.SplitN(line, ": ", 2)
			if len(parts) != 2 || !missingGenerated(parts[1]) {
				return false
			}
			n++
		}
		return n > 0
	}
	return false
}
