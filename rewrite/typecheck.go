package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// typecheck checks each package's Go files with its generated files in
// place of the old ones, the way the compiler will, and returns a refusal
// for every twin or wrapper that does not type-check: a generated file that
// would break the user's build is never written. The refusal is at F's
// position (or the delayed function's) and quotes the checker. loaded is
// every package Generate loaded, rt daskgen's runtime among them: one
// universe of types.
func typecheck(loaded []*packages.Package, rt *packages.Package, gens []*gen, files [][]File, warnings *[]Diagnostic) []Diagnostic {
	type unit struct {
		g     *gen
		fset  *token.FileSet
		files []*ast.File
		gen   map[*ast.File]bool
	}
	var units []unit
	var out []Diagnostic
	for k, g := range gens {
		if len(files[k]) == 0 {
			continue
		}
		u := unit{g: g, fset: token.NewFileSet(), gen: map[*ast.File]bool{}}
		replaced := map[string]bool{}
		for _, f := range files[k] {
			replaced[f.Path] = true
		}
		for _, name := range g.pkg.CompiledGoFiles {
			if replaced[name] || isGenerated(name) {
				continue // an earlier generated file, or the one replacing it
			}
			f, err := parser.ParseFile(u.fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				return nil // the load reported it; nothing to add
			}
			u.files = append(u.files, f)
		}
		for _, gf := range files[k] {
			f, err := parser.ParseFile(u.fset, gf.Path, gf.Source, parser.SkipObjectResolution)
			if err != nil {
				out = append(out, g.internalAt(g.firstPos(), fmt.Sprintf("does not parse: %v", err)))
				continue
			}
			u.files = append(u.files, f)
			u.gen[f] = true
		}
		units = append(units, u)
	}
	if len(units) == 0 {
		return out
	}
	if rt == nil || len(rt.Errors) > 0 || rt.Types == nil {
		// The module cannot build the twins yet (its go.mod lacks what the
		// runtime needs): the files are written, and the build says what
		// go.mod needs, but daskgen says it could not check them.
		why := "it is not in the module's requirements"
		if rt != nil && len(rt.Errors) > 0 {
			why = strings.ReplaceAll(rt.Errors[0].Msg, "\n", " ")
		}
		g := units[0].g
		*warnings = append(*warnings, Diagnostic{Pos: g.pkg.Fset.Position(g.firstPos()),
			Message: fmt.Sprintf("the generated files were not type-checked: they import %s, which does not load here (%s); run go mod tidy", runtimePath, why)})
		return out
	}
	byPath := map[string]*types.Package{}
	packages.Visit(loaded, nil, func(p *packages.Package) {
		if p.Types != nil {
			byPath[p.PkgPath] = p.Types
		}
	})
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if p := byPath[path]; p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("package %s was not loaded", path)
	})
	for _, u := range units {
		var errs []types.Error
		conf := types.Config{Importer: imp, Sizes: u.g.pkg.TypesSizes, Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				errs = append(errs, te)
			}
		}}
		if m := u.g.pkg.Module; m != nil && m.GoVersion != "" {
			conf.GoVersion = "go" + m.GoVersion
		}
		conf.Check(u.g.pkg.PkgPath, u.fset, u.files, nil)
		seen := map[token.Pos]bool{}
		for _, e := range errs {
			// Only what the generated files get wrong is daskgen's: other
			// errors (a test helper calling a twin not generated yet) are
			// not in the files checked here.
			pos := u.fset.Position(e.Pos)
			at := u.g.twinAt(u.fset, u.files, u.gen, e.Pos)
			if !at.IsValid() || seen[at] {
				continue
			}
			seen[at] = true
			out = append(out, u.g.internalAt(at, fmt.Sprintf("does not type-check (%s:%d: %s)", shortName(pos.Filename), pos.Line, e.Msg)))
		}
	}
	return out
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func shortName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// firstPos is the position of the package's first marked function.
func (g *gen) firstPos() token.Pos {
	if len(g.plan.Regions) > 0 {
		return g.plan.Regions[0].Func.Name.Pos()
	}
	if len(g.plan.Delayed) > 0 {
		return g.plan.Delayed[0].Decl.Name.Pos()
	}
	return token.NoPos
}

// twinAt returns the position, in the user's source, of the function whose
// generated code holds pos: F for FParallel, f for f's wrapper. It returns
// NoPos for a position in a file that is not generated.
func (g *gen) twinAt(fset *token.FileSet, files []*ast.File, gen map[*ast.File]bool, pos token.Pos) token.Pos {
	for _, f := range files {
		if !gen[f] || pos < f.Pos() || pos > f.End() {
			continue
		}
		name := ""
		for _, d := range f.Decls {
			if d.Pos() <= pos && pos <= d.End() {
				switch d := d.(type) {
				case *ast.FuncDecl:
					name = d.Name.Name
				case *ast.GenDecl:
					for _, s := range d.Specs {
						if vs, ok := s.(*ast.ValueSpec); ok && len(vs.Names) > 0 {
							name = vs.Names[0].Name
						}
					}
				}
			}
		}
		for _, r := range g.plan.Regions {
			if twinName(r.Func.Name.Name) == name {
				return r.Func.Name.Pos()
			}
		}
		for _, d := range g.plan.Delayed {
			if strings.HasPrefix(name, wrapperName(d.Func)) {
				return d.Decl.Name.Pos()
			}
		}
		return g.firstPos()
	}
	return token.NoPos
}

// internalAt is the refusal of a generated twin or wrapper that is wrong: a
// bug in daskgen, which says so, and what the user can do meanwhile.
func (g *gen) internalAt(pos token.Pos, what string) Diagnostic {
	name := "the generated code"
	for _, r := range g.plan.Regions {
		if r.Func.Name.Pos() == pos {
			name = "the twin " + twinName(r.Func.Name.Name)
		}
	}
	for _, d := range g.plan.Delayed {
		if d.Decl.Name.Pos() == pos {
			name = "the wrapper of " + d.Decl.Name.Name
		}
	}
	return Diagnostic{Pos: g.pkg.Fset.Position(pos), fromRewriter: true,
		Message: fmt.Sprintf("internal error: %s %s, so nothing was written; please report this daskgen bug with the function, and meanwhile leave this function unmarked or mark only its loop", name, what)}
}
