package loopregion

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]int{nil, {3, 1, 2}, {5, -1, 7, -2}, {1, 200, 3}} {
		a, b, err := Report(in)
		ga, gb, gerr := ReportParallel(ctx, in)
		difftest.Same(t, "Report", []any{a, b}, []any{ga, gb}, err, gerr)

		s := Sorted(in)
		gs, err := SortedParallel(ctx, in)
		difftest.Same(t, "Sorted", []any{s}, []any{gs}, nil, err)

		v := Labeled(in)
		gv, err := LabeledParallel(ctx, in)
		difftest.Same(t, "Labeled", []any{v}, []any{gv}, nil, err)
	}
}
