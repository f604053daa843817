package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

// TestReportsMatch checks the links with the loop and its twin; run fails
// when their reports differ by a byte.
func TestReportsMatch(t *testing.T) {
	for _, cfg := range []config{
		{links: 30, broken: 4, delay: 2 * time.Millisecond, verbose: true},
		{links: 30, broken: 4, delay: 2 * time.Millisecond, failFast: true, verbose: true},
		{links: 10, broken: 0, delay: time.Millisecond, failFast: true, verbose: true},
	} {
		var b strings.Builder
		if err := run(context.Background(), &b, cfg); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if cfg.failFast && cfg.broken > 0 {
			if n := strings.Count(out, "FAIL"); n != 1 {
				t.Errorf("-fail-fast reported %d failures, want the first one only:\n%s", n, out)
			}
			if !strings.Contains(out, "4 links checked, 1 broken") {
				t.Errorf("-fail-fast did not stop at the fourth link:\n%s", out)
			}
		}
		if !cfg.failFast && !strings.Contains(out, "30 links checked, 7 broken") {
			t.Errorf("report lacks the counts:\n%s", out)
		}
	}
}
