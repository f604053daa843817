package pipelined

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"example.com/golden/difftest"
)

var names = [][]string{
	nil,
	{"a"},
	{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"},
	{"ok", "bad1", "fine", "bad2", "also fine"},
	{"bad", "x", "yy", "zzz", "wwww", "vvvvv", "uuuuuu", "ttttttt", "ssssssss", "rrrrrrrrr", "bad-last"},
}

var ints = [][]int{nil, {1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 6, 9}, {5, -4, 3, -2, 1, 0, 30, 31, 32, 33}}

func TestStores(t *testing.T) {
	ctx := context.Background()
	for _, in := range names {
		difftest.Same(t, "Sizes", []any{Sizes(in)}, results(SizesParallel(ctx, in)), nil, errOf(SizesParallel(ctx, in)))

		items := make([]Item, len(in))
		for i, n := range in {
			items[i] = Item{Name: n}
		}
		twin := slices.Clone(items)
		Score(items)
		if err := ScoreParallel(ctx, twin); err != nil {
			t.Fatal(err)
		}
		difftest.Same(t, "Score", []any{items}, []any{twin}, nil, nil)

		ws, wh := Weighed(in)
		gws, gwh, err := WeighedParallel(ctx, in)
		difftest.Same(t, "Weighed", []any{ws, wh}, []any{gws, gwh}, nil, err)

		st := Totals(in)
		gst, err := TotalsParallel(ctx, in)
		difftest.Same(t, "Totals", []any{st}, []any{gst}, nil, err)

		want := &Index{sizes: map[string]int{"keep": 1}}
		got := &Index{sizes: map[string]int{"keep": 1}}
		want.Fill(in)
		if err := got.FillParallel(ctx, in); err != nil {
			t.Fatal(err)
		}
		difftest.Same(t, "Fill", []any{want.sizes}, []any{got.sizes}, nil, nil)
	}
}

// TestIterationMemory checks the loops whose eager part keeps pointers
// into its iterations, and one that does not, over more iterations than
// their window's slots.
func TestIterationMemory(t *testing.T) {
	ctx := context.Background()
	for _, in := range append(names, strings.Split(strings.Repeat("abc,de,f,", 40), ",")) {
		items := make([]Item, len(in))
		for i, n := range in {
			items[i] = Item{Name: n}
		}
		got, err := EnrichedParallel(ctx, items)
		difftest.Same(t, "Enriched", []any{deref(Enriched(items))}, []any{deref(got)}, nil, err)

		s, err := DeferredParallel(ctx, in)
		difftest.Same(t, "Deferred", []any{Deferred(in)}, []any{s}, nil, err)

		out, err := ReusedParallel(ctx, in)
		difftest.Same(t, "Reused", []any{Reused(in)}, []any{out}, nil, err)
	}
}

// TestAliasing runs loops that write memory their range or their calls
// read through another slice of the same array: the twins must see the
// writes where F does.
func TestAliasing(t *testing.T) {
	ctx := context.Background()
	for _, in := range ints[1:] {
		a, b := slices.Clone(in), slices.Clone(in)
		got, err := ShiftUpParallel(ctx, b)
		difftest.Same(t, "ShiftUp", []any{ShiftUp(a)}, []any{got}, nil, err)

		if len(in) < 2 {
			continue
		}
		n := len(in)
		a, b = slices.Clone(in), slices.Clone(in)
		got, err = IntoParallel(ctx, b[1:], b[:n-1])
		difftest.Same(t, "Into shifted up", []any{Into(a[1:], a[:n-1]), a}, []any{got, b}, nil, err)

		a, b = slices.Clone(in), slices.Clone(in)
		got, err = IntoParallel(ctx, b[:n-1], b[1:])
		difftest.Same(t, "Into shifted down", []any{Into(a[:n-1], a[1:]), a}, []any{got, b}, nil, err)

		a, b = slices.Clone(in), slices.Clone(in)
		got, err = IntoParallel(ctx, make([]int, n), b)
		difftest.Same(t, "Into apart", []any{Into(make([]int, n), a)}, []any{got}, nil, err)
	}
}

func deref[T any](ps []*T) []T {
	var out []T
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}

func TestTests(t *testing.T) {
	ctx := context.Background()
	for _, in := range ints {
		out := Filter(in)
		gout, err := FilterParallel(ctx, in)
		difftest.Same(t, "Filter", []any{out}, []any{gout}, nil, err)

		b, s, g := CountBad(in)
		gb, gs, gg, err := CountBadParallel(ctx, in)
		difftest.Same(t, "CountBad", []any{b, s, g}, []any{gb, gs, gg}, nil, err)

		for _, limit := range []int{0, 1, 2, 5} {
			out := FirstN(in, limit)
			gout, err := FirstNParallel(ctx, in, limit)
			difftest.Same(t, fmt.Sprint("FirstN ", limit), []any{out}, []any{gout}, nil, err)
		}

		c := Chain(in)
		gc, err := ChainParallel(ctx, in)
		difftest.Same(t, "Chain", []any{c}, []any{gc}, nil, err)

		s, k := Scaled(in)
		gs, gk, err := ScaledParallel(ctx, in)
		difftest.Same(t, "Scaled", []any{s, k}, []any{gs, gk}, nil, err)
	}
	for _, in := range names {
		for want := range 13 {
			n, ok := FindFirst(in, want)
			gn, gok, err := FindFirstParallel(ctx, in, want)
			difftest.Same(t, "FindFirst", []any{n, ok}, []any{gn, gok}, nil, err)
		}
	}
}

func TestEffects(t *testing.T) {
	ctx := context.Background()
	for _, in := range names {
		r := Report(in)
		gr, err := ReportParallel(ctx, in)
		difftest.Same(t, "Report", []any{r}, []any{gr}, nil, err)

		n, err := Collect(in)
		gn, gerr := CollectParallel(ctx, in)
		difftest.Same(t, "Collect", []any{n}, []any{gn}, err, gerr)
	}
	for _, text := range []string{"", "a=1\nb=2\n\n  c=3  \n", "a=1\nnope\nb=2\n", strings.Repeat("k=v\n", 3000) + "broken\n" + "x=y\n"} {
		var w, gw strings.Builder
		n, err := Lines(strings.NewReader(text), &w)
		gn, gerr := LinesParallel(ctx, strings.NewReader(text), &gw)
		difftest.Same(t, "Lines", []any{n, w.String()}, []any{gn, gw.String()}, err, gerr)
	}
}

func TestLazyInit(t *testing.T) {
	ctx := context.Background()
	for _, in := range []string{"", ">= 1.0", ">= 1.0, < 2.0, != 1.5.1", "1.2,~> 3.4,<=5", ">= 1.0, bogus, < 2.0, also bogus", strings.Repeat("> 0.1,", 500) + "< 9"} {
		cs, err := Constraints(in)
		gcs, gerr := ConstraintsParallel(ctx, in)
		difftest.Same(t, "Constraints", []any{values(cs)}, []any{values(gcs)}, err, gerr)
	}
	for _, in := range [][]string{nil, {"1.2.3"}, {"v1.0.0", "2.3.4", " 10.0.1 "}, {"1.0.0", "bad", "2.0.0", "worse"}, strings.Split(strings.Repeat("3.2.1,", 800)+"x", ",")} {
		ms, err := Majors(in)
		gms, gerr := MajorsParallel(ctx, in)
		difftest.Same(t, "Majors", []any{ms}, []any{gms}, err, gerr)
	}
}

// values copies what the pointers point to, which is what F and the twin
// must agree on.
func values(cs []*Constraint) []Constraint {
	var out []Constraint
	for _, c := range cs {
		out = append(out, *c)
	}
	return out
}

func results[T any](v T, _ error) []any { return []any{v} }
func errOf[T any](_ T, err error) error { return err }

var lineSets = [][]string{
	nil,
	{"a=1"},
	{"a=1", "bb=22", "ccc=333", "dddd=4444", "e=", "=f", "g=gggggg"},
	{"k=v", "broken", "x=yyy", "also broken", "z=zzzz"},
	{"bad"},
}

// TestCommuting checks loops whose eager parts only store at their own
// index, which the producers run when the iteration's values are known:
// the stores, the first error and its wrapping are F's.
func TestCommuting(t *testing.T) {
	ctx := context.Background()
	for _, in := range lineSets {
		rs, err := Parsed(in)
		grs, gerr := ParsedParallel(ctx, in)
		difftest.Same(t, "Parsed", []any{rs}, []any{grs}, err, gerr)

		vals := Valid(in)
		gvals, err := ValidParallel(ctx, in)
		difftest.Same(t, "Valid", []any{vals}, []any{gvals}, nil, err)

		scores, broken := Graded(in)
		gscores, gbroken, err := GradedParallel(ctx, in)
		difftest.Same(t, "Graded", []any{scores, broken}, []any{gscores, gbroken}, nil, err)
	}
}

func TestIssuePartGuards(t *testing.T) {
	ctx := context.Background()
	for _, text := range []string{"", "a=1", " a = 1 \n\n# c\nb=2\n  \n", "a=1\n# note\nno equals\nb=2", "x=1\n\n\n#=2"} {
		m, err := Settings(text)
		gm, gerr := SettingsParallel(ctx, text)
		difftest.Same(t, "Settings", []any{m}, []any{gm}, err, gerr)
	}
	for _, refs := range [][]string{nil, {"A/x", "https://B/yy", "a/zzz"}, {"a/x", "b/", "c/y"}, {"a/x", "b/badname", "c/y"}} {
		m, err := Owners(refs)
		gm, gerr := OwnersParallel(ctx, refs)
		difftest.Same(t, "Owners", []any{m}, []any{gm}, err, gerr)
	}
	for _, xs := range [][]string{nil, {"a", "bad", "a", "cc"}} {
		m := Overwrites(xs)
		gm, gerr := OverwritesParallel(ctx, xs)
		difftest.Same(t, "Overwrites", []any{m}, []any{gm}, nil, gerr)
	}
}

func TestErrorOnly(t *testing.T) {
	ctx := context.Background()
	for _, in := range names {
		err := FirstInvalid(in)
		gerr := FirstInvalidParallel(ctx, in)
		difftest.Same(t, "FirstInvalid", nil, nil, err, gerr)
		n := Invalid(in)
		gn, gerr := InvalidParallel(ctx, in)
		difftest.Same(t, "Invalid", []any{n}, []any{gn}, nil, gerr)
		n = Unchecked(in)
		gn, gerr = UncheckedParallel(ctx, in)
		difftest.Same(t, "Unchecked", []any{n}, []any{gn}, nil, gerr)
		v := fmt.Sprint(Verdicts(in))
		gv, gerr := VerdictsParallel(ctx, in)
		difftest.Same(t, "Verdicts", []any{v}, []any{fmt.Sprint(gv)}, nil, gerr)
	}
}
