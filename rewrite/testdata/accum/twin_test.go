package accum

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	floats := [][]float64{nil, {1}, {0.1, 0.2, 0.3, 1e-17, 1e17, -1e17, 3.3333}, {1e308, 1e308, -1e308}}
	for _, in := range floats {
		a, b, c := Floats(in)
		ga, gb, gc, err := FloatsParallel(ctx, in)
		difftest.Same(t, "Floats", []any{a, b, c}, []any{ga, gb, gc}, nil, err)
	}
	ints := [][]int{nil, {3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {-5, 5, -5, 0}}
	for _, in := range ints {
		v := Spread(in)
		gv, err := SpreadParallel(ctx, in)
		difftest.Same(t, "Spread", []any{v}, []any{gv}, nil, err)

		m1, m2 := Counts(in)
		gm1, gm2, err := CountsParallel(ctx, in)
		difftest.Same(t, "Counts", []any{m1, m2}, []any{gm1, gm2}, nil, err)

		a, b, c, d := Ints(in)
		ga, gb, gc, gd, err := IntsParallel(ctx, in)
		difftest.Same(t, "Ints", []any{a, b, c, d}, []any{ga, gb, gc, gd}, nil, err)

		s := Strings(in)
		gs, err := StringsParallel(ctx, in)
		difftest.Same(t, "Strings", []any{s}, []any{gs}, nil, err)
	}
}
