package generic

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

type name string

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]float64{nil, {-1, 0.5, 2}} {
		ns := []int{-20, 3, 40}
		a, b := Clamped(in, ns)
		ga, gb, err := ClampedParallel(ctx, in, ns)
		difftest.Same(t, "Clamped", []any{a, b}, []any{ga, gb}, nil, err)
	}
	for _, in := range [][]name{nil, {"a", "b"}} {
		v, err := Indexed(in)
		gv, gerr := IndexedParallel(ctx, in)
		difftest.Same(t, "Indexed", []any{v}, []any{gv}, err, gerr)
	}
}

func TestMethodsThroughConstraints(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]user{nil, {{1}, {22}, {333}}} {
		v, err := byKey(in)
		gv, gerr := byKeyParallel(ctx, in)
		difftest.Same(t, "byKey[user]", []any{v}, []any{gv}, err, gerr)
	}
	for _, in := range [][]team{nil, {{"a"}, {"bc"}}, {{"a"}, {""}, {"c"}}} {
		v, err := byKey(in)
		gv, gerr := byKeyParallel(ctx, in)
		difftest.Same(t, "byKey[team]", []any{v}, []any{gv}, err, gerr)
	}
	for _, in := range [][]code{nil, {1, 20, 300}} {
		v, err := ByCode(in)
		gv, gerr := ByCodeParallel(ctx, in)
		difftest.Same(t, "ByCode[code]", []any{v}, []any{gv}, err, gerr)
	}
	for _, in := range [][]label{{"x", "yz"}} {
		v, err := ByCode(in)
		gv, gerr := ByCodeParallel(ctx, in)
		difftest.Same(t, "ByCode[label]", []any{v}, []any{gv}, err, gerr)
	}
}
