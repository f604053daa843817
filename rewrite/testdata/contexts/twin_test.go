package contexts

import (
	"context"
	"errors"
	"testing"

	"example.com/golden/difftest"
)

func TestOwnContext(t *testing.T) {
	s := &Store{base: 100}
	ctx := context.WithValue(context.Background(), tenantKey{}, "acme")
	for _, in := range [][]int{nil, {1, 2, 3}, {4, -5, 6, -7}} {
		v, err := s.All(ctx, in)
		gv, gerr := s.AllParallel(ctx, in)
		difftest.Same(t, "All", []any{v}, []any{gv}, err, gerr)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AllParallel(cancelled, []int{1, 2}); !errors.Is(err, context.Canceled) && !difftest.OnNATS() {
		t.Errorf("AllParallel with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestFieldsAndNoResults(t *testing.T) {
	in := []string{"a", "bb", "ccc"}
	v := Named(in)
	gv, err := NamedParallel(context.Background(), in)
	difftest.Same(t, "Named", []any{v}, []any{gv}, nil, err)

	s := &Store{base: 1}
	want, got := map[int]int{}, map[int]int{}
	Touch(context.Background(), s, []int{1, -2, 3}, want)
	if err := TouchParallel(context.Background(), s, []int{1, -2, 3}, got); err != nil {
		t.Fatal(err)
	}
	difftest.Same(t, "Touch", []any{want}, []any{got}, nil, nil)
}
