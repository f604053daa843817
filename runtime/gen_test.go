package runtime_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCallsGenIsCurrent fails when calls_gen.go is not what gen.go writes:
// run go generate ./runtime and commit the result.
func TestCallsGenIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	dir := t.TempDir()
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
	want, err := os.ReadFile(filepath.Join(dir, "calls_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("calls_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("calls_gen.go is stale: run go generate ./runtime and commit it")
	}
}
