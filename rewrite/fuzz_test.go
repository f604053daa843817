package rewrite_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/daskgen/daskgen/rewrite"
)

var (
	randomBatches = flag.Int("random.batches", 2, "how many random programs TestRandomPrograms checks")
	randomSeed    = flag.Uint64("random.seed", 1, "the seed of TestRandomPrograms' first program")
)

// TestRandomPrograms is differential fuzzing of the rewriter: each seed
// drives a generator of random programs in the subset daskgen supports
// (nested loops, if, switch, break, continue and return, guards that
// leave the iteration before the calls, range variables changed before
// the calls read them, a function of the package that only computes, map
// stores, delayed functions that return only an error, calls whose error
// F drops, accumulators of
// every kind, op-assign on ints, floats and strings, the error idiom
// wrapped or not, delayed calls with several results, errors read as
// values, a delayed call that panics; and the shapes of pipelined loops:
// conditions on delayed values, stores at the loop's index and into struct
// fields, writes to a strings.Builder, collected errors, early returns,
// breaks at a limit, a function's own context reaching delayed calls).
// Each program holds funcsPerProgram
// functions; they are generated, compiled with -race, and each function's
// twin is run against the function on 24 inputs: values (with float bits),
// order, errors and panics must be the same. A program that daskgen
// refuses is a failure too: the generator only writes code that a twin
// must handle. So is a twin that would wait where the plan lists no
// barrier (the rewriter refuses it as an internal error), and a program
// that vet refuses and generate accepts.
//
// The seeds in testdata/random/seeds.txt (programs that once found a bug)
// run every time. Run it for a long time with
//
//	go test ./rewrite -run TestRandomPrograms -random.batches 400 -random.seed 1000 -timeout 2h
func TestRandomPrograms(t *testing.T) {
	// Parallel with the other tests: as a sequential test it held back
	// every parallel test of the package until its batches were done,
	// leaving a core idle for a minute.
	t.Parallel()
	seeds := regressionSeeds(t)
	for i := range uint64(*randomBatches) {
		seeds = append(seeds, *randomSeed+i)
	}
	for batch := range slices.Chunk(seeds, programsPerBatch) {
		t.Run(fmt.Sprint("seeds", batch), func(t *testing.T) {
			t.Parallel()
			checkRandomPrograms(t, batch)
		})
	}
}

// programsPerBatch is how many random programs share one temporary module:
// one generation, one vet and one build for all of them. Loading the
// packages (the standard library from source, under -race) costs more than
// checking a program, so checking programs one by one took four times as
// long.
const programsPerBatch = 8

func regressionSeeds(t *testing.T) []uint64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "random", "seeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var seeds []uint64
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		var s uint64
		if _, err := fmt.Sscan(line, &s); err != nil {
			t.Fatalf("seeds.txt: %q: %v", line, err)
		}
		seeds = append(seeds, s)
	}
	return seeds
}

// checkRandomPrograms generates the programs of seeds into one module,
// each in a package of its own, generates their twins, checks that vet
// refuses nothing, builds them with -race and runs each. Where generation
// fails for the batch, each program is checked alone, so that the failure
// names its seed and program.
func checkRandomPrograms(t *testing.T, seeds []uint64) {
	dir := tempModule(t)
	srcs := map[uint64]string{}
	var patterns []string
	for _, seed := range seeds {
		srcs[seed] = genProgram(seed)
		pkg := fmt.Sprint("prog", seed)
		write(t, filepath.Join(dir, pkg, "prog.go"), srcs[seed])
		write(t, filepath.Join(dir, pkg, "main.go"), fuzzMain)
		patterns = append(patterns, "./"+pkg)
	}
	res, err := rewrite.Generate(rewrite.Config{Dir: dir, Patterns: patterns})
	if err != nil {
		if len(seeds) == 1 {
			t.Fatalf("seed %d: %v\nprogram:\n%s", seeds[0], err, numbered(srcs[seeds[0]]))
		}
		for _, seed := range seeds {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { checkRandomPrograms(t, []uint64{seed}) })
		}
		if !t.Failed() {
			t.Fatalf("seeds %v together: %v; each alone passes", seeds, err)
		}
		return
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	// The race build runs while vet checks the same packages: the two
	// took a third of a batch's time one after the other.
	bin := filepath.Join(dir, "bin")
	type built struct {
		out []byte
		err error
	}
	build := make(chan built, 1)
	go func() {
		out, err := gocmd(dir, append([]string{"build", "-race", trimpath, "-o", bin + string(filepath.Separator)}, patterns...)...).CombinedOutput()
		build <- built{out, err}
	}()
	// One analysis: vet, which sees the standard library's bodies, must
	// refuse nothing either (it reads the twins just written as generated
	// code).
	vet := vetRefusals(t, dir, patterns...)
	b := <-build
	if len(vet) > 0 {
		t.Fatalf("seeds %v: generate accepted what vet refuses: %q (the file names the seed)", seeds, vet)
	}
	if b.err != nil {
		t.Fatalf("seeds %v: go build: %v\n%s", seeds, b.err, b.out)
	}
	// The programs run at once: their delayed functions mostly sleep.
	var wg sync.WaitGroup
	for _, seed := range seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pkg := fmt.Sprint("prog", seed)
			cmd := exec.Command(filepath.Join(bin, pkg))
			cmd.Env = append(os.Environ(), noRaceExitSleep())
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "checked ") {
				gen, _ := os.ReadFile(filepath.Join(dir, pkg, "prog_daskgen.go"))
				t.Errorf("seed %d: %v\n%s\nprogram:\n%s\ntwins:\n%s", seed, err, out, numbered(srcs[seed]), numbered(string(gen)))
			}
		}()
	}
	wg.Wait()
}

func numbered(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

const funcsPerProgram = 12

// fuzzMain runs every function of the program and its twin on the same
// inputs and exits 1 at the first difference.
const fuzzMain = `package main

import (
	"context"
	"fmt"
	"os"

	daskgen "github.com/daskgen/daskgen/runtime"
)

func run(f func() []any) (out []any, panicked any) {
	defer func() { panicked = recover() }()
	return f(), nil
}

// raised is what a panic was raised with: the twin raises a task's panic
// again as a *daskgen.PanicError, which holds the task's value.
func raised(p any) string {
	if pe, ok := p.(*daskgen.PanicError); ok {
		p = pe.Value
	}
	return fmt.Sprint(p)
}

func main() {
	inputs := [][]int{nil, {0}, {1, 2, 3}, {5, -3, 0, 7, 14, 2}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, 21}, {13, 26, 4}}
	ctx := context.WithValue(context.Background(), ctxKey{}, 5)
	n := 0
	for i, f := range funcs {
		for _, xs := range inputs {
			for _, k := range []int{0, 1, 3, 7} {
				want, wp := run(func() []any { return f.seq(ctx, xs, k) })
				got, gp := run(func() []any { return f.par(ctx, xs, k) })
				if (wp == nil) != (gp == nil) || raised(wp) != raised(gp) {
					fmt.Printf("MISMATCH f%d(%v, %d): panic %v, twin panic %v\n", i, xs, k, wp, gp)
					os.Exit(1)
				}
				if w, g := fmt.Sprintf("%#v", want), fmt.Sprintf("%#v", got); wp == nil && w != g {
					fmt.Printf("MISMATCH f%d(%v, %d):\n  sequential %s\n  twin       %s\n", i, xs, k, w, g)
					os.Exit(1)
				}
				n++
			}
			if !ctxFuncs[i] {
				continue
			}
			// F's own context, already cancelled: the twin returns what F
			// returns, F's wrapping included.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			want, wp := run(func() []any { return f.seq(cctx, xs, 3) })
			got, gp := run(func() []any { return f.par(cctx, xs, 3) })
			if w, g := fmt.Sprintf("%#v %v", want, raised(wp)), fmt.Sprintf("%#v %v", got, raised(gp)); w != g {
				fmt.Printf("MISMATCH f%d(cancelled, %v, 3):\n  sequential %s\n  twin       %s\n", i, xs, w, g)
				os.Exit(1)
			}
			n++
		}
	}
	fmt.Printf("checked %d calls of %d functions\n", n, len(funcs))
}
`

// progGen writes one random program.
type progGen struct {
	r *rand.Rand
	// r2 makes the choices of shapes added after seeds were recorded in
	// testdata/random/seeds.txt, so that r's choices, and those seeds'
	// programs, stay what they were, with the new shapes added.
	r2 *rand.Rand
	// r3 makes the choices, and picks the values, of the shapes added in
	// the eighth session (shapes3), so that neither r's nor r2's choices
	// change.
	r3     *rand.Rand
	b      strings.Builder
	indent int
	vars   [][]string // lifted int variables in scope, per block
	loops  int        // loop depth
	n      int        // names used
	loopV  []string   // eager int variables of the enclosing loops
	ctx    bool       // the function being written takes a context first
	index  []string   // the index variables of the enclosing range loops
	// ctxFuncs are the functions that take a context first.
	ctxFuncs map[int]bool
}

// The delayed functions every program has. They sleep a little, so that
// later calls often finish first.
const fuzzPrelude = `package main

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

var errDiv = errors.New("division by zero")

type ctxKey struct{}

//daskgen:delayed
func dCtx(ctx context.Context, x int) int {
	nap(x)
	v, _ := ctx.Value(ctxKey{}).(int)
	return x*2 + v
}

func nap(x int) { time.Sleep(time.Duration((x*7919)%5) * 50 * time.Microsecond) }

// mix only computes: the issue part of a pipelined loop may call it ahead.
func mix(v int) int { return v*7%11 - 3 }

//daskgen:delayed
func dInc(x int) int { nap(x); return x + 1 }

//daskgen:delayed
func dMul(x, y int) int { nap(x + y); return x*y - 3 }

//daskgen:delayed
func dF(x float64) float64 { nap(int(x)); return x*1.1 + 0.3 }

//daskgen:delayed
func dDiv(x, y int) (int, error) {
	nap(x)
	if y == 0 {
		return 0, errDiv
	}
	if x%7 == 6 {
		return x, fmt.Errorf("unlucky %d", x)
	}
	return x / y, nil
}

//daskgen:delayed
func dPair(x int) (int, int) { nap(x); return x / 2, x % 5 }

//daskgen:delayed
func dTriple(x int) (int, string, error) {
	nap(x)
	if x < -2 {
		return 0, "", fmt.Errorf("negative %d: %w", x, errDiv)
	}
	return x * 3, fmt.Sprint("t", x), nil
}

//daskgen:delayed
func dList(x int) []int { nap(x); return []int{x, x * x} }

//daskgen:delayed
func dStr(x int) string { nap(x); return fmt.Sprint("s", x%4) }

//daskgen:delayed
func dCtxE(ctx context.Context, x int) (int, error) {
	nap(x)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return x + 7, nil
}

//daskgen:delayed
func dSum(base int, xs ...int) (int, error) {
	nap(base)
	for _, x := range xs {
		base += x
	}
	if base%9 == 8 {
		return base, fmt.Errorf("sum %d", base)
	}
	return base, nil
}

//daskgen:delayed
func dSumList(xs []int) int {
	nap(len(xs))
	t := 0
	for i, x := range xs {
		t += (i + 1) * x
	}
	return t
}

//daskgen:delayed
func dBytes(b []byte) int {
	nap(len(b))
	t := 0
	for _, c := range b {
		t = t*3 + int(c)
	}
	return t
}

var (
	_ = slices.Clone[[]int]
	_ = bytes.Clone
)

//daskgen:delayed
func dCheck(x int) error {
	nap(x)
	if x%5 == 4 {
		return fmt.Errorf("check %d", x)
	}
	return nil
}

//daskgen:delayed
func dBoom(x int) int {
	if x == 21 {
		panic("boom")
	}
	return x - 1
}

`

func genProgram(seed uint64) string {
	g := &progGen{r: rand.New(rand.NewPCG(seed, 0x5eed)), r2: rand.New(rand.NewPCG(seed, 0x5eed2)), r3: rand.New(rand.NewPCG(seed, 0x5eed3)), ctxFuncs: map[int]bool{}}
	g.b.WriteString(fuzzPrelude)
	for i := range funcsPerProgram {
		g.function(i)
	}
	g.b.WriteString("var funcs = []struct {\n\tseq func(context.Context, []int, int) []any\n\tpar func(context.Context, []int, int) []any\n}{\n")
	for i := range funcsPerProgram {
		args := "xs, k"
		if g.ctxFuncs[i] {
			args = "ctx, xs, k"
		}
		fmt.Fprintf(&g.b, "\t{func(ctx context.Context, xs []int, k int) []any { a, b, c, d, e, err := f%d(%s); return []any{a, b, c, d, e, fmt.Sprint(err)} },\n", i, args)
		fmt.Fprintf(&g.b, "\t\tfunc(ctx context.Context, xs []int, k int) []any { a, b, c, d, e, err := f%dParallel(ctx, xs, k); return []any{a, b, c, d, e, fmt.Sprint(err)} }},\n", i)
	}
	g.b.WriteString("}\n\n// ctxFuncs are the functions that take a context first.\nvar ctxFuncs = map[int]bool{")
	for i := range funcsPerProgram {
		if g.ctxFuncs[i] {
			fmt.Fprintf(&g.b, "%d: true, ", i)
		}
	}
	g.b.WriteString("}\n")
	return strings.Replace(g.b.String(), "import (\n", "import (\n\t\"context\"\n", 1)
}

func (g *progGen) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("\t", g.indent))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteString("\n")
}

func (g *progGen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

const results = "acc + st.N*7 + st.Sum, facc, append(list, out...), append(strs, sb.String()), m"

func (g *progGen) function(i int) {
	g.n = 0
	g.ctx = g.r.IntN(4) == 0
	g.ctxFuncs[i] = g.ctx
	g.index = nil
	g.line("//daskgen:parallel")
	if g.ctx {
		g.line("func f%d(ctx context.Context, xs []int, k int) (int, float64, []int, []string, map[int]int, error) {", i)
	} else {
		g.line("func f%d(xs []int, k int) (int, float64, []int, []string, map[int]int, error) {", i)
	}
	g.indent++
	g.line("acc, facc := %d, %d.25", g.r.IntN(5), g.r.IntN(3))
	g.line("var list []int")
	g.line("var strs []string")
	g.line("m := map[int]int{}")
	g.line("out := make([]int, len(xs)+1)")
	g.line("var sb strings.Builder")
	g.line("var st struct{ N, Sum int }")
	g.vars = [][]string{nil}
	g.loopV = []string{"k"}
	g.use(fmt.Sprintf("dInc(%s)", g.eager())) // at least one delayed call
	g.stmts(2+g.r.IntN(3), 0)
	g.line("return %s, nil", results)
	g.indent--
	g.line("}")
	g.line("")
}

func (g *progGen) scope() []string {
	var all []string
	for _, vs := range g.vars {
		all = append(all, vs...)
	}
	return all
}

// eager returns an int expression on eager values.
func (g *progGen) eager() string {
	v := g.loopV[g.r.IntN(len(g.loopV))]
	if g.r2.IntN(6) == 0 {
		v = "mix(" + v + ")" // a function of the package that only computes
	}
	switch g.r.IntN(4) {
	case 0:
		return v
	case 1:
		return fmt.Sprintf("%s+%d", v, g.r.IntN(5))
	case 2:
		return fmt.Sprintf("%s*%s", v, g.loopV[g.r.IntN(len(g.loopV))])
	}
	return fmt.Sprint(g.r.IntN(9) - 2)
}

// lazy returns an int expression that involves delayed values.
func (g *progGen) lazy() string {
	vs := g.scope()
	if len(vs) > 0 && g.r.IntN(3) > 0 {
		v := vs[g.r.IntN(len(vs))]
		switch g.r.IntN(4) {
		case 0:
			return v
		case 1:
			return fmt.Sprintf("%s*%d+%s", v, g.r.IntN(4)+1, g.eager())
		case 2:
			return fmt.Sprintf("dMul(%s, %s)", v, g.eager())
		}
		return fmt.Sprintf("(%s - %s)", v, g.eager())
	}
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("dInc(%s)", g.eager())
	case 1:
		return fmt.Sprintf("dMul(%s, %s)", g.eager(), g.eager())
	case 2:
		if g.ctx {
			return fmt.Sprintf("dCtx(ctx, %s)", g.eager())
		}
	}
	return fmt.Sprintf("dBoom(%s)", g.eager())
}

func (g *progGen) declare(v string) { g.vars[len(g.vars)-1] = append(g.vars[len(g.vars)-1], v) }

func (g *progGen) block(n, depth int) {
	g.indent++
	g.vars = append(g.vars, nil)
	g.stmts(n, depth)
	g.vars = g.vars[:len(g.vars)-1]
	g.indent--
}

// use writes a statement that reads v, so that no variable is unused.
func (g *progGen) use(v string) {
	switch g.r.IntN(6) {
	case 0:
		g.line("acc += %s", v)
	case 1:
		g.line("list = append(list, %s)", v)
	case 2:
		g.line("m[%s] = %s", g.eager(), v)
	case 3:
		g.line("acc ^= %s * 3", v)
	case 4:
		g.line("facc += float64(%s) / 3", v)
	default:
		g.line("acc -= %s %% 5", v)
	}
}

func (g *progGen) stmts(n, depth int) {
	for range n {
		g.stmt(depth)
	}
}

func (g *progGen) stmt(depth int) {
	g.stmt1(depth)
	if g.r3.IntN(5) == 0 {
		g.shapes3()
	}
	switch g.r2.IntN(12) {
	case 0, 1:
		g.errorOnly(g.loops > 0)
	case 2:
		// A histogram: a delayed value as the key of an increment.
		g.line("m[%s%%4]++", g.lazy())
	}
}

// shapes3 writes one of the shapes that a fidelity hunt on loops from real
// projects found mishandled: a paging loop whose header variable the body
// sets from a call's result (the call runs where it is called, and the
// assignment waits), and the comma-ok results of a map index or a type
// assertion on a delayed value. Every choice comes from r3.
func (g *progGen) shapes3() {
	ev := func() string { return g.loopV[g.r3.IntN(len(g.loopV))] }
	switch g.r3.IntN(3) {
	case 0:
		kk, cur, nx := g.name("kk"), g.name("cur"), g.name("nx")
		g.line("%s := 0", kk)
		g.line("for %s := %s + 1; %s%%5 != 0 && %s < 4; %s++ {", cur, ev(), cur, kk, kk)
		g.line("	%s, err := dDiv(%s+7, %s%%3)", nx, cur, cur)
		g.line("	if err != nil {")
		g.line("		return %s, 0, nil, nil, nil, fmt.Errorf(\"page %%d: %%w\", %s, err)", kk, cur)
		g.line("	}")
		if g.r3.IntN(2) == 0 {
			g.line("	if %s > 40 {", nx)
			g.line("		break")
			g.line("	}")
		}
		g.line("	acc += %s %% 7", nx)
		g.line("	%s = %s", cur, nx)
		g.line("}")
		g.line("acc += %s", kk)
	case 1:
		mm, w, ok := g.name("mm"), g.name("w"), g.name("ok")
		g.line("%s := map[int]int{0: %s, 1: %s}", mm, ev(), ev())
		g.line("if %s, %s := %s[dInc(%s)%%3]; %s {", w, ok, mm, ev(), ok)
		g.line("	acc += %s", w)
		g.line("} else {")
		g.line("	acc--")
		g.line("}")
	default:
		a, sv, ok := g.name("a"), g.name("sv"), g.name("ok")
		g.line("var %s any = dStr(%s)", a, ev())
		g.line("if %s, %s := %s.(string); %s {", sv, ok, a, ok)
		g.line("	strs = append(strs, %s)", sv)
		g.line("}")
	}
}

// errorOnly writes a call of a delayed function that returns only an
// error, or one whose error F drops: the shapes of validation loops.
func (g *progGen) errorOnly(inLoop bool) {
	switch g.r2.IntN(5) {
	case 0:
		g.line("if err := dCheck(%s); err != nil {", g.eager())
		g.line("\treturn 1, 0, nil, nil, nil, fmt.Errorf(\"check: %%w\", err)")
		g.line("}")
	case 1:
		g.line("if err := dCheck(%s); err != nil {", g.eager())
		g.line("\tstrs = append(strs, err.Error())")
		if inLoop {
			g.line("\tcontinue")
		}
		g.line("}")
	case 2:
		g.line("dCheck(%s)", g.eager())
	case 3:
		g.line("dDiv(%s, %s)", g.eager(), g.eager())
	default:
		g.line("if dCheck(%s) != nil {", g.eager())
		g.line("\tacc++")
		g.line("}")
	}
}

func (g *progGen) stmt1(depth int) {
	inLoop := g.loops > 0
	kinds := 27
	if depth >= 2 {
		kinds = 10 // no more nesting
	}
	k := g.r.IntN(kinds)
	if depth >= 2 && g.r.IntN(4) == 0 {
		k = 21 + g.r.IntN(6) // the fidelity shapes nest no statements
	}
	if k >= 21 {
		g.fidelityStmt(k)
		return
	}
	if k == 20 {
		g.mapLoop()
		return
	}
	if k >= 14 {
		g.pipelineStmt(k, inLoop)
		return
	}
	switch k {
	case 0, 1:
		v := g.name("v")
		g.line("%s := %s", v, g.lazy())
		g.declare(v)
		g.use(v)
	case 2:
		g.use(g.lazy())
	case 3:
		g.line("facc += dF(float64(%s))", g.eager())
		if g.r.IntN(2) == 0 {
			g.line("facc *= dF(%d.5) / 7", g.r.IntN(3))
		}
	case 4:
		g.line("list = append(list, dList(%s)...)", g.eager())
	case 5:
		g.line("strs = append(strs, dStr(%s))", g.eager())
		if g.r.IntN(3) == 0 {
			g.line("strs = append(strs, \"x\")")
		}
	case 6:
		q, r := g.name("q"), g.name("r")
		if g.r.IntN(3) == 0 {
			g.line("%s, _ := dPair(%s)", q, g.eager())
			g.declare(q)
			g.use(q)
			return
		}
		g.line("%s, %s := dPair(%s)", q, r, g.eager())
		g.declare(q)
		g.declare(r)
		g.use(q)
		g.use(r)
	case 7:
		// The error idiom, wrapped or not.
		w := g.name("w")
		g.line("%s, err := dDiv(%s, %s)", w, g.eager(), g.eager())
		g.line("if err != nil {")
		switch g.r.IntN(3) {
		case 0:
			g.line("\treturn 0, 0, nil, nil, nil, err")
		case 1:
			g.line("\treturn %d, 1.5, nil, []string{\"e\"}, nil, fmt.Errorf(\"at %%d: %%w\", %s, err)", g.r.IntN(9), g.eager())
		default:
			g.line("\treturn -1, 0, []int{%s}, nil, nil, errors.Join(errors.New(\"div\"), err)", g.eager())
		}
		g.line("}")
		g.declare(w)
		g.use(w)
	case 8:
		// Several results with the idiom.
		a, s := g.name("a"), g.name("s")
		g.line("%s, %s, err := dTriple(%s)", a, s, g.eager())
		g.line("if err != nil {")
		g.line("\treturn 0, 0, nil, nil, nil, fmt.Errorf(\"triple: %%w\", err)")
		g.line("}")
		g.declare(a)
		g.use(a)
		g.line("strs = append(strs, %s)", s)
	case 9:
		// An error read as a value: a barrier.
		g.line("if _, e := dDiv(%s, %s); e != nil {", g.eager(), g.eager())
		g.line("\tstrs = append(strs, e.Error())")
		g.line("}")
	case 10:
		// A loop over the input, or a counted one.
		g.loops++
		if g.r.IntN(3) > 0 {
			i, x := g.name("i"), g.name("x")
			g.line("for %s, %s := range xs {", i, x)
			if g.r2.IntN(3) == 0 {
				// The range variable, changed before the calls read it.
				g.line("\t%s = mix(%s) + %s", x, x, i)
			}
			g.line("\tacc += %s - %s", x, i)
			g.loopV = append(g.loopV, i, x)
			g.index = append(g.index, i)
			g.block(2+g.r.IntN(3), depth+1)
			g.index = g.index[:len(g.index)-1]
			g.loopV = g.loopV[:len(g.loopV)-2]
		} else {
			j := g.name("j")
			g.line("for %s := 0; %s < k%%4+1; %s++ {", j, j, j)
			g.line("\tfacc -= float64(%s)", j)
			g.loopV = append(g.loopV, j)
			g.block(1+g.r.IntN(3), depth+1)
			g.loopV = g.loopV[:len(g.loopV)-1]
		}
		g.line("}")
		g.loops--
	case 11:
		// An eager condition, or one on a delayed value (a barrier).
		if vs := g.scope(); len(vs) > 0 && g.r.IntN(2) == 0 {
			g.line("if %s > %d {", vs[g.r.IntN(len(vs))], g.r.IntN(6))
		} else {
			g.line("if %s%%3 == %d {", g.eager(), g.r.IntN(3))
		}
		g.block(1+g.r.IntN(2), depth+1)
		if g.r.IntN(2) == 0 {
			g.line("} else {")
			g.block(1+g.r.IntN(2), depth+1)
		}
		g.line("}")
	case 12:
		g.line("switch %s %% 3 {", g.eager())
		for c := range 2 {
			g.line("case %d:", c)
			g.block(1, depth+1)
		}
		g.line("default:")
		g.block(1, depth+1)
		g.line("}")
	case 13:
		// Leaving a loop early, or the function.
		switch {
		case inLoop && g.r.IntN(3) == 0:
			g.line("if %s%%4 == 1 {", g.eager())
			g.line("\tcontinue")
			g.line("}")
		case inLoop && g.r.IntN(2) == 0:
			g.line("if %s > %d {", g.eager(), g.r.IntN(8))
			g.line("\tbreak")
			g.line("}")
		default:
			cond := fmt.Sprintf("%s == %d", g.eager(), g.r.IntN(6))
			if vs := g.scope(); len(vs) > 0 {
				cond = fmt.Sprintf("%s%%5 == 2", vs[g.r.IntN(len(vs))])
			}
			g.line("if %s {", cond)
			g.line("\treturn %s, nil", results)
			g.line("}")
		}
	}
}

// fidelityStmt writes one of the shapes on which twins once returned
// something else than F or did not compile: a shared err assigned in
// switch cases or an if/else if chain and checked after it, a variadic
// delayed function called with none, one and spread arguments, delayed
// results assigned into fields of one value with a shared err, a slice
// built by append from one that outlives the iteration (copied, as
// daskgen asks), a view of a reused buffer (copied), and a delayed call
// that returns F's own cancelled context's error.
func (g *progGen) fidelityStmt(k int) {
	switch k {
	case 21:
		n := g.name("n")
		g.line("{")
		g.indent++
		g.line("var %s int", n)
		g.line("var err error")
		g.line("switch %s %% 3 {", g.eager())
		g.line("case 0:")
		g.line("	%s, err = dDiv(%s, %s)", n, g.eager(), g.eager())
		g.line("case 1:")
		g.line("	%s, err = dSum(%s, %s)", n, g.eager(), g.eager())
		g.line("default:")
		if g.loops > 0 && g.r.IntN(2) == 0 {
			g.line("	continue")
		} else {
			g.line("	%s = %s", n, g.eager())
		}
		g.line("}")
		g.line("if err != nil {")
		g.line("	return %s, 0, nil, nil, nil, fmt.Errorf(\"switch: %%w\", err)", n)
		g.line("}")
		g.use(n)
		g.indent--
		g.line("}")
	case 22:
		n := g.name("n")
		g.line("{")
		g.indent++
		g.line("var %s int", n)
		g.line("var err error")
		g.line("if %s %% 3 == 0 {", g.eager())
		g.line("	%s, err = dSum(%s)", n, g.eager())
		g.line("} else if %s %% 3 == 1 {", g.eager())
		g.line("	%s, err = dSum(%s, %s)", n, g.eager(), g.eager())
		g.line("} else {")
		g.line("	%s, err = dSum(%s, xs...)", n, g.eager())
		g.line("}")
		g.line("if err != nil {")
		g.line("	return 0, 0, nil, nil, nil, err")
		g.line("}")
		g.use(n)
		g.indent--
		g.line("}")
	case 23:
		ft := g.name("ft")
		g.line("{")
		g.indent++
		g.line("var %s struct{ A, B int }", ft)
		g.line("var err error")
		g.line("%s.A, err = dDiv(%s, %s)", ft, g.eager(), g.eager())
		g.line("if err != nil {")
		g.line("	return %s.A, 0, nil, nil, nil, err", ft)
		g.line("}")
		g.line("%s.B, err = dSum(%s, %s)", ft, g.eager(), g.eager())
		g.line("if err != nil {")
		g.line("	return %s.A + %s.B, 0, nil, nil, nil, err", ft, ft)
		g.line("}")
		g.use(ft + ".A*2 + " + ft + ".B")
		g.indent--
		g.line("}")
	case 24:
		p, v := g.name("p"), g.name("v")
		g.line("%s := append(list, %s)", p, g.eager())
		g.line("%s := dSumList(slices.Clone(%s))", v, p)
		g.declare(v)
		g.use(v)
	case 25:
		bb, v := g.name("bb"), g.name("v")
		g.line("var %s bytes.Buffer", bb)
		g.line("fmt.Fprintf(&%s, \"%%d.%%d\", %s, %s)", bb, g.eager(), g.eager())
		g.line("%s := dBytes(bytes.Clone(%s.Bytes()))", v, bb)
		g.line("%s.WriteString(\"tail\")", bb)
		g.declare(v)
		g.use(v)
	case 26:
		if !g.ctx {
			g.use(g.lazy())
			return
		}
		c := g.name("c")
		g.line("%s, err := dCtxE(ctx, %s)", c, g.eager())
		g.line("if err != nil {")
		g.line("	return -2, 0, nil, nil, nil, fmt.Errorf(\"ctx at %%d: %%w\", %s, err)", g.eager())
		g.line("}")
		g.declare(c)
		g.use(c)
	}
}

// mapLoop writes a loop whose eager parts commute (analyzer
// Pipeline.Detached): it stores each iteration's results at its index in
// a slice of its own, behind the error idiom or not, and folds the slice
// in order afterwards.
func (g *progGen) mapLoop() {
	col, c, i, x, v, w := g.name("col"), g.name("c"), g.name("i"), g.name("x"), g.name("v"), g.name("w")
	g.line("%s := make([]int, len(xs))", col)
	g.line("for %s, %s := range xs {", i, x)
	g.indent++
	g.line("%s := dInc(%s + %s)", v, x, g.eager())
	switch g.r.IntN(3) {
	case 0:
		g.line("%s, err := dDiv(%s, %s%%3)", w, x, v)
		g.line("if err != nil {")
		g.line("\treturn 0, 0, nil, nil, nil, fmt.Errorf(\"col %%d: %%w\", %s, err)", i)
		g.line("}")
		g.line("%s[%s] = %s*3 - %s + %s", col, i, v, i, w)
	case 1:
		// The error as a value, and stores chosen by the results.
		g.line("%s, err := dDiv(%s, %s%%3)", w, x, v)
		g.line("if err != nil {")
		if g.r.IntN(2) == 0 {
			g.line("\t%s[%s] = -1", col, i)
		} else {
			g.line("\tcontinue")
		}
		g.line("} else if %s > %d {", w, g.r.IntN(4))
		g.line("\t%s[%s] = %s*3 - %s", col, i, w, i)
		g.line("} else {")
		g.line("\t%s[%s] = %s", col, i, v)
		g.line("}")
	default:
		g.line("%s := dMul(%s, %d)", w, x, g.r.IntN(5))
		g.line("%s[%s] = %s*3 - %s + %s", col, i, v, i, w)
	}
	g.indent--
	g.line("}")
	g.line("for _, %s := range %s {", c, col)
	g.line("\tacc = acc*31 + %s", c)
	g.line("}")
}

// pipelineStmt writes one of the statements that make a loop pipelined:
// the eager part does something with each iteration's own results.
func (g *progGen) pipelineStmt(k int, inLoop bool) {
	switch k {
	case 14:
		// A store at the loop's index (or at 0 outside loops).
		at := "0"
		if len(g.index) > 0 {
			at = g.index[len(g.index)-1]
		}
		g.line("out[%s] = %s", at, g.lazy())
	case 15:
		// A write to a builder: effects in F's order.
		g.line("fmt.Fprintf(&sb, \"%%d;\", %s)", g.lazy())
	case 16:
		// Struct-field totals.
		v := g.name("v")
		g.line("%s := %s", v, g.lazy())
		g.declare(v)
		g.line("st.N++")
		g.line("st.Sum += %s %% 11", v)
	case 17:
		// Errors collected instead of returned.
		w := g.name("w")
		g.line("%s, err := dDiv(%s, %s)", w, g.eager(), g.eager())
		g.line("if err != nil {")
		g.line("\tstrs = append(strs, err.Error())")
		if inLoop {
			g.line("\tcontinue")
		} else {
			g.line("\t%s = -1", w)
		}
		g.line("}")
		g.declare(w)
		g.use(w)
	case 18:
		// A filter on a delayed test, and a limit.
		g.line("if %s %% 3 != 0 {", g.lazy())
		g.line("\tlist = append(list, %s)", g.eager())
		g.line("}")
		if inLoop {
			g.line("if len(list) > %d {", 2+g.r.IntN(4))
			g.line("\tbreak")
			g.line("}")
		}
	case 19:
		// Return at the first match.
		g.line("if %s == %d {", g.lazy(), g.r.IntN(8))
		g.line("\treturn %s, nil", results)
		g.line("}")
	}
}
