package rewrite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daskgen/daskgen/rewrite"
)

// TestWriteAllOrNothing writes nothing when one of the files, in any
// package, cannot be written, leaves no temporary file, and names the file
// it meant to write.
func TestWriteAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "a", "a_daskgen.go")
	bad := filepath.Join(dir, "gone", "b_daskgen.go") // its directory does not exist
	if err := os.MkdirAll(filepath.Dir(ok), 0o755); err != nil {
		t.Fatal(err)
	}
	res := &rewrite.Result{Files: []rewrite.File{
		{Path: ok, Source: []byte("package a\n")},
		{Path: bad, Source: []byte("package b\n")},
	}}
	err := res.Write()
	if err == nil || !strings.Contains(err.Error(), "writing "+bad) || strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("Write = %v, want an error that names %s", err, bad)
	}
	entries, _ := os.ReadDir(filepath.Dir(ok))
	for _, e := range entries {
		t.Errorf("left behind in a/: %s", e.Name())
	}

	// Both writable: both written.
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if b, err := os.ReadFile(f.Path); err != nil || string(b) != string(f.Source) {
			t.Errorf("%s: %q, %v", f.Path, b, err)
		}
	}
}
