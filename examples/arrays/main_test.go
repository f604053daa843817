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

// TestRun runs a small loop; run fails unless the parallel arrays equal the
// sequential ones element by element.
func TestRun(t *testing.T) {
	var b strings.Builder
	if err := run(context.Background(), &b, config{a: 3, b: 5, work: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	// 3 outer iterations of 0+1+2+3+4 elements.
	if !strings.Contains(b.String(), "three arrays of 30 elements each") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestDoSomethingIsDeterministic(t *testing.T) {
	work = 0
	a1, _, a3 := doSomething(7)
	b1, _, b3 := doSomething(7)
	if len(a1) != 7 || a1[3] != b1[3] || a3[6] != b3[6] {
		t.Errorf("doSomething(7) = %v, %v and %v, %v", a1, a3, b1, b3)
	}
}
