package multi

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]int{nil, {0, 1, 6, 7, 8, 100, -15}} {
		a, b, c := Split(in)
		ga, gb, gc, err := SplitParallel(ctx, in)
		difftest.Same(t, "Split", []any{a, b, c}, []any{ga, gb, gc}, nil, err)
	}
	for _, in := range [][]string{nil, {"1", "22"}, {"1", "x", "3", "y"}, {"5", "500", "x"}, {"7", "8", "9", "1000"}} {
		a, b, err := Parse(in)
		ga, gb, gerr := ParseParallel(ctx, in)
		difftest.Same(t, "Parse", []any{a, b}, []any{ga, gb}, err, gerr)
	}
}

func TestArity(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]int{nil, {0, 1, 6, 7, 8, 100, -15}} {
		want := Arity(in)
		got, err := ArityParallel(ctx, in)
		difftest.Same(t, "Arity", []any{want}, []any{got}, nil, err)
	}
}
