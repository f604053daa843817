package rewrite_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/daskgen/daskgen/analyzer"
	"github.com/daskgen/daskgen/rewrite"
)

// vetRefusals runs the analyzer as daskgen vet and go vet -vettool do,
// with every dependency's syntax (the standard library's bodies included),
// and returns its refusals as "file:line:col: message", the file relative
// to dir.
func vetRefusals(t *testing.T, dir string, patterns ...string) []string {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax | packages.NeedModule, Dir: dir, Env: append(os.Environ(), "GOFLAGS=-mod=mod")}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{analyzer.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Fatalf("%s: %v", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			switch d.Category {
			case analyzer.CatMutation, analyzer.CatUnsupported, analyzer.CatDirective:
				out = append(out, rel(dir, rewrite.Diagnostic{Pos: act.Package.Fset.Position(d.Pos), Message: d.Message}))
			}
		}
	}
	slices.Sort(out)
	return out
}

// generateRefusals runs generation and returns its refusals as vetRefusals
// does, failing t on a refusal that the analyzer did not make.
func generateRefusals(t *testing.T, dir string, patterns ...string) []string {
	t.Helper()
	_, err := rewrite.Generate(rewrite.Config{Dir: dir, Patterns: patterns})
	return refusalsOf(t, dir, err)
}

// refusalsOf is generateRefusals for the error of a generation in dir.
func refusalsOf(t *testing.T, dir string, err error) []string {
	t.Helper()
	var refused *rewrite.RefusedError
	if err != nil && !errors.As(err, &refused) {
		t.Fatal(err)
	}
	var out []string
	if refused != nil {
		for _, d := range refused.Diagnostics {
			if rewrite.FromRewriter(d) {
				t.Errorf("the rewriter refused what the analyzer allowed: %s", d)
			}
			out = append(out, rel(dir, d))
		}
	}
	slices.Sort(out)
	return out
}

func rel(dir string, d rewrite.Diagnostic) string {
	if r, err := filepath.Rel(dir, d.Pos.Filename); err == nil {
		d.Pos.Filename = filepath.ToSlash(r)
	}
	return d.String()
}

// TestVetAgreesWithGenerate checks the promise of one analysis: on every
// golden and refused case, vet (which sees the standard library's bodies)
// and generate (which drops them) refuse exactly the same things, at the
// same positions, with the same words.
func TestVetAgreesWithGenerate(t *testing.T) {
	t.Parallel()
	// One run of each over all the cases: generation reports the
	// analyzer's refusals of every package before it writes anything. The
	// generation is the one TestRefused checks against its golden files.
	run := sharedRefusals(t)
	cases, dir := run.cases, run.dir
	var patterns []string
	for _, c := range cases {
		patterns = append(patterns, "./"+filepath.Base(c))
	}
	vet := vetRefusals(t, dir, patterns...)
	gen := refusalsOf(t, dir, run.err)
	if diff := cmp.Diff(vet, gen); diff != "" {
		t.Errorf("vet and generate disagree (-vet +generate):\n%s", diff)
	}
	for _, c := range cases {
		name := filepath.Base(c)
		n := 0
		for _, g := range gen {
			if strings.HasPrefix(g, name+"/") {
				n++
			}
		}
		if refusedCase := filepath.Dir(c) == "refused"; refusedCase != (n > 0) {
			t.Errorf("%s: %d refusals; a case under refused/ must be refused, and only those", c, n)
		}
	}
}

// TestDotlessModule checks a module whose path has no dot (module myapp),
// as local projects name theirs: its packages are not the standard
// library, so a delayed function that writes a package variable through a
// helper, in its own package or another of the module, is refused by vet
// and generate alike. (Both once took such packages for standard ones and
// accepted the writes.)
func TestDotlessModule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module myapp\n\ngo 1.24\n")
	write(t, filepath.Join(dir, "util", "util.go"), "package util\n\nvar Hits = map[string]int{}\n\nfunc Note(s string) { Hits[s]++ }\n")
	write(t, filepath.Join(dir, "app", "app.go"), `package app

import "myapp/util"

var seen = map[string]int{}

func note(s string) { seen[s]++ }

//daskgen:delayed
func size(s string) int {
	note(s)
	return len(s)
}

//daskgen:delayed
func size2(s string) int {
	util.Note(s)
	return len(s)
}

//daskgen:parallel
func Total(xs []string) int {
	t := 0
	for _, x := range xs {
		t += size(x) + size2(x)
	}
	return t
}
`)
	want := []string{
		"app/app.go:11:2: delayed function size writes package variable app.seen; its tasks run concurrently and in any order, so return the value instead of storing it",
		"app/app.go:17:2: delayed function size2 writes package variable util.Hits; its tasks run concurrently and in any order, so return the value instead of storing it",
	}
	if diff := cmp.Diff(want, vetRefusals(t, dir, "./app")); diff != "" {
		t.Errorf("vet (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, generateRefusals(t, dir, "./app")); diff != "" {
		t.Errorf("generate (-want +got):\n%s", diff)
	}
}
