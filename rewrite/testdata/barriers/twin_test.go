package barriers

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]int{nil, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, {0, 11, 22}} {
		for _, limit := range []int{3, 9, 11} {
			i, ok := FirstHigh(in, limit)
			gi, gok, err := FirstHighParallel(ctx, in, limit)
			difftest.Same(t, "FirstHigh", []any{i, ok}, []any{gi, gok}, nil, err)

			v := Until(limit, in2(in))
			gv, err := UntilParallel(ctx, limit, in2(in))
			difftest.Same(t, "Until", []any{v}, []any{gv}, nil, err)
		}
		out, n := Classes(in)
		gout, gn, err := ClassesParallel(ctx, in)
		difftest.Same(t, "Classes", []any{out, n}, []any{gout, gn}, nil, err)

		bands := Banded(in)
		gbands, err := BandedParallel(ctx, in)
		difftest.Same(t, "Banded", []any{bands}, []any{gbands}, nil, err)

		s := Printed(in)
		gs, err := PrintedParallel(ctx, in)
		difftest.Same(t, "Printed", []any{s}, []any{gs}, nil, err)
	}
}

func TestRanges(t *testing.T) {
	w := map[string]int{"a": 1, "bb": 2, "ccc": 3}
	for _, s := range []string{"", "héllo", "日本"} {
		a, b := Ranges(s, w, len(s))
		ga, gb, err := RangesParallel(context.Background(), s, w, len(s))
		difftest.Same(t, "Ranges", []any{a, b}, []any{ga, gb}, nil, err)
	}
}

func in2(xs []int) int { return len(xs) % 11 }
