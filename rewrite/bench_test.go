package rewrite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daskgen/daskgen/rewrite"
)

// bigPackage writes a package of about lines lines: delayed functions and
// parallel functions with loops, accumulators, error idioms and barriers.
func bigPackage(lines int) string {
	var b strings.Builder
	b.WriteString("package big\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n)\n\nvar errNeg = errors.New(\"negative\")\n\n")
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, `//daskgen:delayed
func inc%[1]d(x int) int {
	return x + %[1]d
}

//daskgen:delayed
func check%[1]d(x int) (int, float64, error) {
	if x < 0 {
		return 0, 0, fmt.Errorf("check%[1]d: %%w", errNeg)
	}
	return x * 2, float64(x) / 3, nil
}

// F%[1]d is parallel function number %[1]d.
//
//daskgen:parallel
func F%[1]d(xs []int, limit int) (int, float64, []int, error) {
	total, ftotal := 0, 0.5
	var out []int
	seen := map[int]int{}
	for i, x := range xs {
		y := inc%[1]d(x)
		v, f, err := check%[1]d(y - limit)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("item %%d: %%w", i, err)
		}
		total += v
		ftotal *= f + 1
		out = append(out, y*2)
		seen[x] = v
		if x > limit {
			continue
		}
		switch x %% 3 {
		case 0:
			total -= y
		default:
			out = append(out, inc%[1]d(i))
		}
	}
	if total > limit {
		return total, ftotal, out, nil
	}
	return total + len(seen), ftotal, out, nil
}

`, i)
	}
	return b.String()
}

// BenchmarkGenerate5000Lines generates the twins of a 5,000-line package,
// loading and type-checking included. The target is under a second.
func BenchmarkGenerate5000Lines(b *testing.B) {
	dir := tempModule(b)
	src := bigPackage(5000)
	write(b, filepath.Join(dir, "big", "big.go"), src)
	b.ReportMetric(float64(strings.Count(src, "\n")), "lines")
	for b.Loop() {
		res, err := rewrite.Generate(rewrite.Config{Dir: dir, Patterns: []string{"./big"}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != 1 {
			b.Fatalf("%d files", len(res.Files))
		}
	}
}

// TestBigPackageCompiles checks the benchmark's package: it generates
// without refusal and its twins compile.
func TestBigPackageCompiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("compiles a large package")
	}
	dir := tempModule(t)
	write(t, filepath.Join(dir, "big", "big.go"), bigPackage(600))
	res, err := rewrite.Generate(rewrite.Config{Dir: dir, Patterns: []string{"./big"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	gotool(t, dir, "vet", trimpath, "./big")
}
