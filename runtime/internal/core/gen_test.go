package core_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCallsGenIsCurrent fails when a file gen.go writes (the core's
// calls_gen.go, and the fn_gen.go of runtime and of runtime/twinimpl) is not
// what it writes now: run go generate ./runtime/... and commit the result.
func TestCallsGenIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	// gen.go writes into ../.. and ../../twinimpl: give it a tree of its own.
	root := t.TempDir()
	dir := filepath.Join(root, "internal", "core")
	for _, d := range []string{dir, filepath.Join(root, "twinimpl")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile("gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gen.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "gen.go")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, out)
	}
	for _, f := range []string{"calls_gen.go", "../../fn_gen.go", "../../twinimpl/fn_gen.go"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./runtime/... and commit it", filepath.Clean(filepath.Join("runtime/internal/core", f)))
		}
	}
}
