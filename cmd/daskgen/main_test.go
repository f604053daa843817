package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// daskgenBin is the command, built once by TestMain.
var daskgenBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "daskgen-test-")
	if err != nil {
		panic(err)
	}
	daskgenBin = filepath.Join(dir, "daskgen")
	if out, err := exec.Command("go", "build", "-o", daskgenBin, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildDaskgen(t *testing.T) string {
	t.Helper()
	return daskgenBin
}

// module writes a small module with one file into a temporary directory.
func module(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/m\n\ngo 1.24\n",
		"main.go": src,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const buggy = `package main

import "fmt"

//daskgen:delayed
func total(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

//daskgen:parallel
func sums(n int) []int {
	var out []int
	buf := make([]int, 3)
	for i := 0; i < n; i++ {
		buf[0] = i
		out = append(out, total(buf))
	}
	return out
}

func main() { fmt.Println(sums(3)) }
`

const candidate = `package main

import "fmt"

//daskgen:delayed
func inc(x int) int { return x + 1 }

func main() {
	t := 0
	for i := range 10 {
		t += inc(i)
	}
	fmt.Println(t)
}
`

const want = "main.go:19:3: buf is passed to delayed call total at line 20 and changed here before the graph runs"

func run(t *testing.T, dir string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

func TestVetStandalone(t *testing.T) {
	t.Parallel()
	bin := buildDaskgen(t)
	dir := module(t, buggy)
	out, code := run(t, dir, bin, "vet", "./...")
	if code != 3 || !strings.Contains(out, want) {
		t.Errorf("daskgen vet: exit %d, output:\n%s\nwant exit 3 and %q", code, out, want)
	}
}

func TestVetAsVettool(t *testing.T) {
	t.Parallel()
	bin := buildDaskgen(t)
	dir := module(t, buggy)
	out, code := run(t, dir, "go", "vet", "-vettool="+bin, "./...")
	if code == 0 || !strings.Contains(out, want) {
		t.Errorf("go vet -vettool: exit %d, output:\n%s\nwant a failure and %q", code, out, want)
	}
}

func TestVetCleanCodeAndCandidateFix(t *testing.T) {
	t.Parallel()
	bin := buildDaskgen(t)
	dir := module(t, candidate)
	if out, code := run(t, dir, bin, "vet", "./..."); code != 0 || out != "" {
		t.Errorf("clean code: exit %d, output:\n%s", code, out)
	}
	out, code := run(t, dir, bin, "vet", "-candidate", "-fix", "./...")
	if code == 1 {
		t.Fatalf("daskgen vet -candidate -fix: exit %d:\n%s", code, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "\t//daskgen:parallel\n\tfor i := range 10 {") {
		t.Errorf("the fix did not mark the loop:\n%s", src)
	}
	// The marked loop is now clean.
	if out, code := run(t, dir, bin, "vet", "-candidate", "./..."); code != 0 {
		t.Errorf("after the fix: exit %d, output:\n%s", code, out)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	bin := buildDaskgen(t)
	out, code := run(t, t.TempDir(), bin, "-h")
	if code != 0 || !strings.Contains(out, "daskgen [flags] [packages]") || !strings.Contains(out, "-check") {
		t.Errorf("-h: exit %d, output:\n%s", code, out)
	}
	out, code = run(t, t.TempDir(), bin, "-nosuchflag")
	if code != 2 || !strings.Contains(out, "flag provided but not defined") {
		t.Errorf("bad flag: exit %d, output:\n%s", code, out)
	}
}

func TestVetTypeErrorsAreClear(t *testing.T) {
	t.Parallel()
	dir := module(t, "package main\n\nfunc main() {\n\tvar x int = \"s\"\n\t_ = x\n}\n")
	out, code := run(t, dir, buildDaskgen(t), "vet", "./...")
	if code != 1 || !strings.Contains(out, "main.go:4:14") || !strings.Contains(out, "cannot use") {
		t.Errorf("type error: exit %d, output:\n%s\nwant exit 1 and the position of the error", code, out)
	}
}

func TestVetMalformedDirective(t *testing.T) {
	t.Parallel()
	dir := module(t, "package main\n\n//daskgen:delayed retries=x\nfunc f(x int) int { return x }\n\nfunc main() { _ = f(1) }\n")
	out, code := run(t, dir, buildDaskgen(t), "vet", "./...")
	if code != 3 || !strings.Contains(out, `main.go:3:1: option "retries=x": retries must be a whole number of at least 0`) {
		t.Errorf("malformed directive: exit %d, output:\n%s", code, out)
	}
}

// nothingToDo is clean code with one note: a parallel function that calls
// no delayed function.
const nothingToDo = `package main

//daskgen:parallel
func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func main() { _ = sum(nil) }
`

const wantNote = "main.go:3:1: parallel function sum calls no delayed function, so it has nothing to run in parallel"

// TestVetNotesDoNotFail: a note is printed with its position, by daskgen vet
// and by go vet, and neither fails on it; only refusals fail (the tests
// above).
func TestVetNotesDoNotFail(t *testing.T) {
	t.Parallel()
	bin := buildDaskgen(t)
	dir := module(t, nothingToDo)
	if out, code := run(t, dir, bin, "vet", "./..."); code != 0 || !strings.Contains(out, wantNote) {
		t.Errorf("daskgen vet: exit %d, output:\n%s\nwant exit 0 and %q", code, out, wantNote)
	}
	if out, code := run(t, dir, "go", "vet", "-vettool="+bin, "./..."); code != 0 || !strings.Contains(out, wantNote) {
		t.Errorf("go vet -vettool: exit %d, output:\n%s\nwant exit 0 and %q", code, out, wantNote)
	}
	// A package with tests is checked twice, as itself and with its
	// tests; its note is printed once.
	if err := os.WriteFile(filepath.Join(dir, "main_test.go"), []byte("package main\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) { _ = sum(nil) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, dir, bin, "vet", "./..."); code != 0 || strings.Count(out, wantNote) != 1 {
		t.Errorf("daskgen vet of a package with tests: exit %d, output:\n%s\nwant exit 0 and %q once", code, out, wantNote)
	}
	// Candidates are notes too.
	if out, code := run(t, module(t, candidate), bin, "vet", "-candidate", "./..."); code != 0 || !strings.Contains(out, "main.go:10:2:") {
		t.Errorf("daskgen vet -candidate: exit %d, output:\n%s\nwant exit 0 and the candidate loop", code, out)
	}
}
