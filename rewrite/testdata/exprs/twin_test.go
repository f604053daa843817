package exprs

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]string{nil, {"a/b", "cc/d/e"}, {"x/y", "", "z"}} {
		a, b, err := Items(in)
		ga, gb, gerr := ItemsParallel(ctx, in)
		difftest.Same(t, "Items", []any{a, b}, []any{ga, gb}, err, gerr)

		c, d, err := Named(in)
		gc, gd, gerr := NamedParallel(ctx, in)
		difftest.Same(t, "Named", []any{c, d}, []any{gc, gd}, err, gerr)
	}
}
