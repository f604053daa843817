package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestRun runs the tutorial with short sleeps; run fails when a delayed
// result differs from the sequential one.
func TestRun(t *testing.T) {
	dot := filepath.Join(t.TempDir(), "loop.dot")
	var b strings.Builder
	if err := run(context.Background(), &b, config{work: time.Millisecond, seed: 5, dot: dot}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"z = add(inc(1), inc(2)) = 5",
		"before computing: Delayed(sum-",
		"for loop: total = 44",
		"is_even: total = 90",
		"future of inc(1): 2",
		"unreliable loop, sequential: I died after 1 attempts",
		"unreliable loop, twin with retries=3: ",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
	src, err := os.ReadFile(dot)
	if err != nil {
		t.Fatal(err)
	}
	// Eight incs feed a collect, which feeds sum.
	if n := strings.Count(string(src), "->"); n != 9 {
		t.Errorf("the loop's graph has %d edges, want 9:\n%s", n, src)
	}
}
