package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestSumsMatch hashes a small tree with the loop and its twin; run fails
// when their lines differ by a byte. The lines are sha256sum's.
func TestSumsMatch(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	if err := run(context.Background(), &b, config{files: 9, size: 4096, dir: dir, verbose: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) < 9 {
		t.Fatalf("output:\n%s", b.String())
	}
	for _, line := range lines[:9] {
		sum, rel, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("line %q is not \"sum  path\"", line)
		}
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256(data); hex.EncodeToString(want[:]) != sum {
			t.Errorf("%s: sum %s, want %x", rel, sum, want)
		}
	}
}

// TestMissingFile fails as the loop fails: with the first file that cannot
// be read, in the loop's order.
func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	if err := makeTree(dir, 6, 100); err != nil {
		t.Fatal(err)
	}
	files, err := list(dir)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files[:2], append([]string{"missing-a", "missing-b"}, files[2:]...)...)
	var seq, par strings.Builder
	_, err = hashAll(&seq, dir, files)
	_, perr := hashAllParallel(context.Background(), &par, dir, files)
	if err == nil || perr == nil || err.Error() != perr.Error() {
		t.Fatalf("errors: loop %v, twin %v", err, perr)
	}
	if seq.String() != par.String() {
		t.Errorf("the twin printed\n%s\nthe loop\n%s", par.String(), seq.String())
	}
}
