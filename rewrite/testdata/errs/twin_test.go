package errs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime"

	"example.com/golden/difftest"
)

var inputs = [][]int{nil, {1, 2, 3}, {1, -2, 3, -4, 5}, {-1, -2}, {5, 4, 3, 2, 1, 0, -1}, {2, 2, 2, 2, 2, 2, 2, 2, 2, -9}}

func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, in := range inputs {
		v, err := Squares(in)
		gv, gerr := SquaresParallel(ctx, in)
		difftest.Same(t, "Squares", []any{v}, []any{gv}, err, gerr)
		if err != nil && !difftest.OnNATS() && !errors.Is(gerr, ErrBad) {
			t.Errorf("SquaresParallel error %v is not ErrBad", gerr)
		}

		n, v, err := Wrapped(in)
		gn, gv, gerr := WrappedParallel(ctx, in)
		difftest.Same(t, "Wrapped", []any{n, v}, []any{gn, gv}, err, gerr)

		tot, err := Declared(in)
		gtot, gerr := DeclaredParallel(ctx, in)
		difftest.Same(t, "Declared", []any{tot}, []any{gtot}, err, gerr)

		v = Ignored(in)
		gv, gerr = IgnoredParallel(ctx, in)
		difftest.Same(t, "Ignored", []any{v}, []any{gv}, nil, gerr)

		bad, err := Handled(in)
		gbad, gerr := HandledParallel(ctx, in)
		difftest.Same(t, "Handled", []any{bad}, []any{gbad}, err, gerr)

		out, total, err := Partial(in)
		gout, gtotal, gerr := PartialParallel(ctx, in)
		difftest.Same(t, "Partial", []any{out, total}, []any{gout, gtotal}, err, gerr)
	}
}

func TestEagerPanic(t *testing.T) {
	table := []string{"a", "b", "c", "d", "e", "f"}
	for _, in := range [][]int{{1, 2}, {1, -2, 3}, {0, 5, -1, 9}} {
		v, n, err := Indexed(in, table)
		gv, gn, gerr := IndexedParallel(context.Background(), in, table)
		difftest.Same(t, "Indexed", []any{v, n}, []any{gv, gn}, err, gerr)
	}
	// Where the sequential function panics too, the twin does.
	defer func() {
		if r := recover(); r == nil {
			t.Error("IndexedParallel with an index out of range did not panic")
		}
	}()
	IndexedParallel(context.Background(), []int{1, 9}, table)
}

func TestPanic(t *testing.T) {
	defer func() {
		r := recover()
		pe, ok := r.(*runtime.PanicError)
		if !ok || pe.Value != "thirteen" {
			t.Fatalf("recovered %v, want a *runtime.PanicError with thirteen", r)
		}
	}()
	PanicsParallel(context.Background(), []int{1, 13, 2})
	t.Fatal("PanicsParallel did not panic")
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	xs := make([]int, 5)
	for i := range xs {
		xs[i] = 1
	}
	// check sleeps len(xs)-i ms per item, so some tasks are still running
	// (and Squares, which verify mode runs too, takes 1.5 s).
	_, err := SquaresParallel(ctx, append(xs, make([]int, 50)...))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SquaresParallel with an expired context = %v, want DeadlineExceeded", err)
	}
}
