package methods

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	s := &Store{prefix: "p:"}
	for _, in := range [][]string{nil, {"a"}, {"ab", "cd", "e"}} {
		a, b := s.All(in...)
		ga, gb, err := s.AllParallel(ctx, in...)
		difftest.Same(t, "All", []any{a, b}, []any{ga, gb}, nil, err)

		v := Joined(s, in)
		gv, err := JoinedParallel(ctx, s, in)
		difftest.Same(t, "Joined", []any{v}, []any{gv}, nil, err)

		w := Weighted(ctx, in, 3)
		gw, err := WeightedParallel(ctx, in, 3)
		difftest.Same(t, "Weighted", []any{w}, []any{gw}, nil, err)
		w = Weighted(ctx, in, 0.5)
		gw, err = WeightedParallel(ctx, in, 0.5)
		difftest.Same(t, "Weighted", []any{w}, []any{gw}, nil, err)
	}
}
