package analyzer_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/daskgen/daskgen/analyzer"
)

var update = flag.Bool("update", false, "update the .golden plan files")

// The tests that run the analyzer as it is run in parallel; TestCandidate,
// which changes its flags, runs before them (as every test that does not
// call t.Parallel does).

func TestDiagnosticsAndFacts(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer,
		"example.com/slow", "crosspkg", "safe", "directives", "nothing", "mutation", "unsupported", "syncs", "worklist", "odd", "nested")
}

func TestCandidate(t *testing.T) {
	if err := analyzer.Analyzer.Flags.Set("candidate", "true"); err != nil {
		t.Fatal(err)
	}
	defer analyzer.Analyzer.Flags.Set("candidate", "false")
	if err := analyzer.Analyzer.Flags.Set("delayed", "strings.ToUpper,example.com/slow.Fill"); err != nil {
		t.Fatal(err)
	}
	defer analyzer.Analyzer.Flags.Set("delayed", "")
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, "candidate")
}

// TestPlans checks the plan of each fixture package against
// testdata/plans/<pkg>.txt; go test -update rewrites them. The packages are
// loaded once: loading (the standard library from source) costs more than
// analysing them.
func TestPlans(t *testing.T) {
	t.Parallel()
	pkgs := []string{"crosspkg", "safe", "syncs", "directives", "worklist", "nested"}
	results := analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, pkgs...)
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			var got strings.Builder
			for _, r := range results {
				if r.Pass.Pkg.Path() != pkg {
					continue
				}
				got.WriteString(r.Result.(*analyzer.Plan).Dump(r.Pass.Fset))
			}
			golden := filepath.Join("testdata", "plans", pkg+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("plan of %s differs from %s (-want +got):\n%s", pkg, golden, diff)
			}
		})
	}
}
