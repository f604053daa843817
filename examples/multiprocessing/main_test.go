package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestRun runs the four ways on short calls; run fails when any of them
// returns something else than the for loop.
func TestRun(t *testing.T) {
	var b strings.Builder
	if err := run(context.Background(), &b, config{calls: 12, delay: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"For loop: ", "Map: ", "Goroutine pool (8): ", "daskgen: ", "12 mocked calls"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
