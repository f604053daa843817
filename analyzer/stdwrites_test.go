package analyzer

import (
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStdWritesCurrent derives the table of what standard functions write
// and share again, from the bodies of the packages user loops call most
// (and what they import), and compares it with stdwrites.go: a change of
// the analysis, or of the Go release, that changes it must come with
// `go generate ./analyzer`.
//
// It runs alone, before the parallel tests: DeriveStdWrites switches the
// analyzer to deriving, which they must not see.
func TestStdWritesCurrent(t *testing.T) {
	if runtime.Version() != stdVersion {
		t.Skipf("stdwrites.go describes %s; this is %s: run go generate ./analyzer with %s to compare", stdVersion, runtime.Version(), stdVersion)
	}
	pkgs := []string{"bufio", "bytes", "encoding/binary", "encoding/hex", "io", "sort", "slices", "strconv", "hash", "crypto/sha256", "crypto/rand", "math/rand"}
	got, err := DeriveStdWrites(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	in := func(key string) bool {
		for _, p := range pkgs {
			if strings.HasPrefix(key, p+".") && !strings.Contains(key[len(p)+1:], "/") {
				return true
			}
		}
		return false
	}
	want := map[string]string{}
	for k, v := range stdWrites {
		if in(k) {
			want[k] = v
		}
	}
	for k := range got {
		if !in(k) {
			delete(got, k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stdwrites.go is stale (-table +derived); run go generate ./analyzer:\n%s", diff)
	}
	// The effects the fidelity issue named, as the table has them.
	for key, effect := range map[string]string{
		"encoding/binary.bigEndian.PutUint32": "p0",
		"bufio.Scanner.Scan":                  "r",
		"bufio.Scanner.Bytes":                 "ar",
		"bytes.Buffer.Bytes":                  "ar",
		"io.ReadFull":                         "p1",
		"strconv.AppendInt":                   "a0 p0",
		"sort.Ints":                           "p0",
	} {
		if !strings.Contains(" "+stdWrites[key]+" ", " "+effect+" ") {
			t.Errorf("stdWrites[%q] = %q, want it to hold %q", key, stdWrites[key], effect)
		}
	}
}
