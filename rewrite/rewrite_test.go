package rewrite_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"

	"github.com/daskgen/daskgen/rewrite"
)

var update = flag.Bool("update", false, "update .golden files")

func TestMain(m *testing.M) {
	// The temporary modules list only daskgen as a requirement; let the go
	// command add the rest to their go.mod.
	os.Setenv("GOFLAGS", "-mod=mod")
	goleak.VerifyTestMain(cleanupAfter{m})
}

// cleanupAfter runs the tests and then removes the module that several
// tests share (sharedRefusals), which outlives each of them.
type cleanupAfter struct{ m *testing.M }

func (c cleanupAfter) Run() int {
	code := c.m.Run()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	return code
}

// repoRoot is the root of the daskgen module.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// tempModule makes a module that depends on this checkout of daskgen, with
// the given packages copied from testdata: each case's in.go becomes
// <case>/<case>.go, and its other files come along.
func tempModule(t testing.TB, cases ...string) string {
	t.Helper()
	return tempModuleIn(t, t.TempDir(), cases...)
}

// tempModuleIn is tempModule in the empty directory dir.
func tempModuleIn(t testing.TB, dir string, cases ...string) string {
	t.Helper()
	root := repoRoot(t)
	gomod := "module example.com/golden\n\ngo 1.24\n\nrequire github.com/daskgen/daskgen v0.0.0\n\nreplace github.com/daskgen/daskgen => " + root + "\n"
	write(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	copyDir(t, filepath.Join("testdata", "difftest"), filepath.Join(dir, "difftest"))
	for _, c := range cases {
		src := filepath.Join("testdata", c)
		dst := filepath.Join(dir, filepath.Base(c))
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			switch {
			case name == "in.go":
				copyFile(t, filepath.Join(src, name), filepath.Join(dst, filepath.Base(c)+".go"))
			case strings.HasSuffix(name, ".go"):
				copyFile(t, filepath.Join(src, name), filepath.Join(dst, name))
			}
		}
	}
	return dir
}

func write(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(b))
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
	}
}

// goldenCases lists the directories of testdata with an in.go and an
// out.go.golden.
func goldenCases(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join("testdata", e.Name(), "in.go")); err == nil {
			cases = append(cases, e.Name())
		}
	}
	return cases
}

// refusedCases lists the cases of testdata/refused, as "refused/<name>".
func refusedCases(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "refused"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		cases = append(cases, filepath.Join("refused", e.Name()))
	}
	return cases
}

// trimpath is the flag the tests give go build, go vet and go test -c in
// their temporary modules. Each run makes its modules in new directories,
// and without -trimpath a package's directory is part of its key in the
// build cache: every run compiled the same generated packages again (most
// of TestGolden's time). With it, packages whose files are the same hit the
// cache, wherever they are; a change to a twin, a fixture or the runtime
// still compiles anew.
const trimpath = "-trimpath"

func gocmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	return cmd
}

func gotool(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gocmd(dir, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestGolden generates the twins of every case, compares them with the
// golden files, generates them again to check that generation is
// deterministic, and then compiles, vets and runs them: each case's
// twin_test.go runs the twin against the original on several inputs.
func TestGolden(t *testing.T) {
	t.Parallel()
	cases := goldenCases(t)
	dir := tempModule(t, cases...)
	cfg := rewrite.Config{Dir: dir, Patterns: []string{"./..."}}
	res, err := rewrite.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, f := range res.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		got[filepath.Dir(rel)] = f.Source
	}
	for _, c := range cases {
		golden := filepath.Join("testdata", c, "out.go.golden")
		if *update {
			if err := os.WriteFile(golden, got[c], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got[c])); diff != "" {
			t.Errorf("%s: generated file differs from %s (-want +got), run go test ./rewrite -update:\n%s", c, golden, diff)
		}
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}

	// Determinism: a second generation gives the same bytes. It reads the
	// files the first one wrote, and must not be misled by them.
	again, err := rewrite.Generate(cfg)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if diff := cmp.Diff(res.Files, again.Files); diff != "" {
		t.Errorf("second run differs (-first +second):\n%s", diff)
	}
	if stale := again.Stale(); len(stale) != 0 {
		t.Errorf("Stale after Write = %v, want none", stale)
	}
	if t.Failed() {
		return
	}
	gotool(t, dir, "vet", trimpath, "./...")

	// Each case's tests are compiled twice (with the race detector and
	// without), and each binary runs in two passes with different
	// environments: building them again for every pass took most of the
	// test's time.
	race := testBinaries(t, dir, "race", "-race")
	runTests(t, dir, race, nil)

	// Again with every call that may run in a producer run there, so that
	// the twins take the paths of inline calls and of eager parts run in
	// the producers (PipelineIndex's detach) on every input.
	runTests(t, dir, race, []string{"DASKGEN_CHUNKS=inline"})
	if t.Failed() {
		return
	}

	// Without the race detector, with a TestMain that, given
	// DASKGEN_NATS_URL, runs every delayed call on two NATS workers per
	// package.
	for _, c := range cases {
		write(t, filepath.Join(dir, c, "nats_main_test.go"), fmt.Sprintf(natsMain, c, c))
	}
	plain := testBinaries(t, dir, "plain")

	// In verify mode: every twin the tests call also runs its function and
	// panics at the first difference. Skipped: tests of functions that
	// change their arguments in place or read a reader to its end, which
	// verify mode documents it cannot compare (F's run leaves the twin's
	// different input).
	runTests(t, dir, plain, []string{"DASKGEN_VERIFY=1"}, "-test.skip", "^(TestAliasing|TestEffects)$")

	// On NATS.
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	runTests(t, dir, plain, []string{"DASKGEN_NATS_URL=" + srv.ClientURL()})
}

// testBinaries compiles the tests of every package of the module at dir
// into dir/name, with flags, and returns that directory: one binary per
// package, named after it.
func testBinaries(t *testing.T, dir, name string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := append([]string{"test", "-c", trimpath, "-o", bin + string(filepath.Separator)}, flags...)
	gotool(t, dir, append(args, "./...")...)
	return bin
}

// runTests runs each test binary in bin in its package's directory, with
// env added to the environment and args after -test.count=1, as many at a
// time as go test would, and fails t with the output of each that fails.
// A case without tests (lib) has no binary.
func runTests(t *testing.T, dir, bin string, env []string, args ...string) {
	t.Helper()
	entries, err := os.ReadDir(bin)
	if err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	g.SetLimit(goruntime.GOMAXPROCS(0))
	for _, e := range entries {
		c := strings.TrimSuffix(e.Name(), ".test")
		g.Go(func() error {
			cmd := exec.Command(filepath.Join(bin, c+".test"), append([]string{"-test.count=1"}, args...)...)
			cmd.Dir = filepath.Join(dir, c)
			cmd.Env = append(append(os.Environ(), noRaceExitSleep()), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s's tests with %q: %v\n%s", c, env, err, out)
			}
			return nil
		})
	}
	g.Wait()
}

// noRaceExitSleep is GORACE as set, with the race detector's sleep of a
// second at a binary's exit turned off: the tests run dozens of binaries.
func noRaceExitSleep() string {
	return "GORACE=atexit_sleep_ms=0 " + os.Getenv("GORACE")
}

// natsMain is a TestMain for a golden package: with DASKGEN_NATS_URL set,
// its tests run their delayed calls on two workers, which are the test
// binary itself.
const natsMain = `package %s

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/daskgen/daskgen/runtime/natsexec"
)

func TestMain(m *testing.M) {
	prefix := natsexec.Prefix(strings.ToUpper(%q))
	if natsexec.IsWorker() {
		if err := natsexec.Work(context.Background(), natsexec.URL(), prefix); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(natsexec.EnvURL) == "" {
		os.Exit(m.Run())
	}
	var workers []*exec.Cmd
	for range 2 {
		w := exec.Command(os.Args[0], "-test.run=^$")
		w.Env = append(os.Environ(), natsexec.EnvWorker+"=1")
		w.Stderr = os.Stderr
		if err := w.Start(); err != nil {
			panic(err)
		}
		workers = append(workers, w)
	}
	ex, err := natsexec.FromEnv(context.Background(), prefix)
	if err != nil {
		panic(err)
	}
	code := m.Run()
	ex.Close()
	for _, w := range workers {
		w.Process.Signal(syscall.SIGTERM)
		w.Wait()
	}
	os.Exit(code)
}
`

// refusalRun is one generation of every golden and refused case together,
// in one module, which TestRefused and TestVetAgreesWithGenerate share:
// loading the packages is most of a generation's cost, and the analyzer
// refuses each package on its own. The golden cases are there for the
// agreement check; a refused run must write nothing in them either.
type refusalRun struct {
	dir    string
	cases  []string            // the golden cases, then the refused ones
	before map[string][]string // each case's files before generation
	res    *rewrite.Result
	err    error
}

var (
	refusalOnce sync.Once
	refusals    *refusalRun
	sharedDir   string // refusals.dir, removed after the tests
)

// sharedRefusals makes the module and generates once, for whichever test
// asks first; the module lives until every test is done.
func sharedRefusals(t *testing.T) *refusalRun {
	t.Helper()
	refusalOnce.Do(func() {
		dir, err := os.MkdirTemp("", "daskgen-refusals-")
		if err != nil {
			t.Fatal(err)
		}
		sharedDir = dir
		cases := append(goldenCases(t), refusedCases(t)...)
		tempModuleIn(t, dir, cases...)
		r := &refusalRun{dir: dir, cases: cases, before: map[string][]string{}}
		var patterns []string
		for _, c := range cases {
			name := filepath.Base(c)
			patterns = append(patterns, "./"+name)
			r.before[name] = listFiles(t, filepath.Join(dir, name))
		}
		r.res, r.err = rewrite.Generate(rewrite.Config{Dir: dir, Patterns: patterns})
		refusals = r
	})
	if refusals == nil {
		t.Fatal("making the shared module of the refused cases failed: see the first test that used it (TestRefused or TestVetAgreesWithGenerate)")
	}
	return refusals
}

// TestRefused checks that code that could make a twin differ is refused with
// a positioned diagnostic naming the variable, and that nothing is written.
func TestRefused(t *testing.T) {
	t.Parallel()
	// One generation for every case (loading is most of its cost), shared
	// with TestVetAgreesWithGenerate: each package is refused on its own,
	// and each diagnostic names its file.
	run := sharedRefusals(t)
	dir := run.dir
	var refused *rewrite.RefusedError
	if !errors.As(run.err, &refused) {
		t.Fatalf("Generate = %v, want a *RefusedError", run.err)
	}
	if len(run.res.Files) != 0 {
		t.Errorf("refused run returned %d files", len(run.res.Files))
	}
	lines := map[string][]string{}
	for _, d := range refused.Diagnostics {
		// One source of truth: daskgen vet reports every refusal.
		if rewrite.FromRewriter(d) {
			t.Errorf("the rewriter refused what the analyzer allowed: %s", d)
		}
		rel, _ := filepath.Rel(dir, d.Pos.Filename)
		d.Pos.Filename = filepath.ToSlash(rel)
		name, _, _ := strings.Cut(d.Pos.Filename, "/")
		lines[name] = append(lines[name], d.String())
	}
	for _, c := range run.cases {
		name := filepath.Base(c)
		if filepath.Dir(c) != "refused" {
			// A golden case, here for TestVetAgreesWithGenerate (which
			// checks that it is not refused): nothing written there either.
			if after := listFiles(t, filepath.Join(dir, name)); !cmp.Equal(run.before[name], after) {
				t.Errorf("%s: files changed: before %v, after %v", name, run.before[name], after)
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			before := run.before[name]
			if len(lines[name]) == 0 {
				t.Fatalf("%s was not refused", name)
			}
			got := strings.Join(lines[name], "\n") + "\n"
			golden := filepath.Join("testdata", c, "refused.golden")
			if *update {
				write(t, golden, got)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("diagnostics differ from %s (-want +got):\n%s", golden, diff)
			}
			if after := listFiles(t, filepath.Join(dir, name)); !cmp.Equal(before, after) {
				t.Errorf("files changed: before %v, after %v", before, after)
			}
		})
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
