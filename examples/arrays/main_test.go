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
	f := doSomething(0)
	a, b := f(7), f(7)
	if len(a.Array1) != 7 || a.Array1[3] != b.Array1[3] || a.Array3[6] != b.Array3[6] {
		t.Errorf("doSomething(7) = %v and %v", a, b)
	}
}
