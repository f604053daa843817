package tutorial

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

var inputs = [][]int{nil, {1}, {1, 2, 3, 4, 5, 6, 7, 8}, {-3, 0, 3}}

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range inputs {
		got, err := TotalParallel(ctx, in)
		difftest.Same(t, "Total", []any{Total(in)}, []any{got}, nil, err)
		got, err = EvenOddParallel(ctx, in)
		difftest.Same(t, "EvenOdd", []any{EvenOdd(in)}, []any{got}, nil, err)
		got, err = PairsParallel(ctx, in)
		difftest.Same(t, "Pairs", []any{Pairs(in)}, []any{got}, nil, err)
	}
}

func TestRetries(t *testing.T) {
	if difftest.OnNATS() {
		t.Skip("unreliable counts its calls in each process")
	}
	got, err := RetriedParallel(context.Background(), []int{1, 2, 3})
	if err != nil {
		t.Fatalf("RetriedParallel: %v, want the retries to succeed", err)
	}
	difftest.Same(t, "Retried", []any{[]int{10, 20, 30}}, []any{got}, nil, err)
}
