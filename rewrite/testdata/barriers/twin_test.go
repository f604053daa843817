package barriers

import (
	"context"
	"errors"
	"testing"

	"example.com/golden/difftest"
	"github.com/daskgen/daskgen/runtime"
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

		rv := RangeVar(in)
		grv, err := RangeVarParallel(ctx, in)
		difftest.Same(t, "RangeVar", []any{rv}, []any{grv}, nil, err)

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

// TestPages runs the paging loops, whose calls run where they are called,
// on a listing that ends, one whose third page fails and one with no user.
func TestPages(t *testing.T) {
	ctx := context.Background()
	for _, user := range []string{"octocat", "flaky", ""} {
		all, err := AllRepos(user)
		gall, gerr := AllReposParallel(ctx, user)
		difftest.Same(t, "AllRepos", []any{all}, []any{gall}, err, gerr)

		n, err := Cursor(user)
		gn, gerr := CursorParallel(ctx, user)
		difftest.Same(t, "Cursor", []any{n}, []any{gn}, err, gerr)
	}
}

// TestPagePanics checks that a call that runs where it is called and
// panics makes the twin panic with the call's value, as F panics.
func TestPagePanics(t *testing.T) {
	defer func() {
		r := recover()
		pe, ok := r.(*runtime.PanicError)
		if !ok || pe.Value != "page 4 of panicky" {
			t.Fatalf("recovered %v, want a *runtime.PanicError with page 4 of panicky", r)
		}
	}()
	AllReposParallel(context.Background(), "panicky")
	t.Fatal("AllReposParallel did not panic")
}

// TestPagesCancelled checks that a cancelled twin makes no call where it
// is called: it ends with the context's error, as its waits do.
func TestPagesCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := AllReposParallel(ctx, "octocat"); !errors.Is(err, context.Canceled) {
		t.Fatalf("AllReposParallel with a cancelled context = %v, want context.Canceled", err)
	}
}
