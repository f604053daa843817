package rewrite_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
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

// TestUncheckedTwinRefused checks the net under the rewriter: a generated
// file that does not type-check is refused at F's position, quoting the
// checker, and nothing is written.
func TestUncheckedTwinRefused(t *testing.T) {
	t.Parallel()
	dir := tempModule(t, "tutorial")
	// Only this module's files: TestGolden generates the same tutorial at
	// the same time, and its twins must not change.
	mine := []string{dir + string(filepath.Separator)}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		mine = append(mine, real+string(filepath.Separator))
	}
	defer rewrite.SetMangle(nil)
	rewrite.SetMangle(func(path string, src []byte) []byte {
		if !strings.HasPrefix(path, mine[0]) && !strings.HasPrefix(path, mine[len(mine)-1]) {
			return src
		}
		// An unused variable in one twin, as a rewriter bug would leave.
		i := bytes.Index(src, []byte("func EvenOddParallel("))
		if i < 0 {
			return src
		}
		j := bytes.IndexByte(src[i:], '{')
		out := append([]byte{}, src[:i+j+1]...)
		out = append(out, "\n\tunused := 1\n"...)
		return append(out, src[i+j+1:]...)
	})
	before := listFiles(t, filepath.Join(dir, "tutorial"))
	res, err := rewrite.Generate(rewrite.Config{Dir: dir, Patterns: []string{"./tutorial"}})
	var refused *rewrite.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("Generate = %v, want a *RefusedError", err)
	}
	if len(res.Files) != 0 {
		t.Errorf("refused run returned %d files", len(res.Files))
	}
	if len(refused.Diagnostics) != 1 {
		t.Fatalf("diagnostics = %v, want one", refused.Diagnostics)
	}
	d := refused.Diagnostics[0]
	for _, want := range []string{"internal error: the twin EvenOddParallel does not type-check", "declared and not used: unused", "nothing was written"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q lacks %q", d.Message, want)
		}
	}
	if filepath.Base(d.Pos.Filename) != "tutorial.go" || d.Pos.Line != 43 {
		t.Errorf("position %s, want F's in tutorial.go", d.Pos)
	}
	if after := listFiles(t, filepath.Join(dir, "tutorial")); !slices.Equal(before, after) {
		t.Errorf("files changed: before %v, after %v", before, after)
	}
}
