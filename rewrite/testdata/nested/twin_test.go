package nested

import (
	"context"
	"testing"

	"example.com/golden/difftest"
)

var pkgSets = [][]Pkg{
	nil,
	{{Name: "empty"}},
	{{Name: "a", Files: []string{"x.go", "yy.go"}}, {Name: "bb", Files: []string{"z.go"}}},
	{
		{Name: "one", Files: []string{"a.go", "bb.go", "ccc.go"}},
		{Name: "two", Files: []string{"", "dddd.go", "next", "never.go"}},
		{Name: "three", Files: []string{"e.go", "bad.go", "f.go"}},
		{Name: "four", Files: []string{"g.go", "bad2.go"}},
	},
	{
		{Name: "p0", Files: []string{"a", "b", "stop-here-long-name", "c"}},
		{Name: "p1", Files: []string{"end", "bad.go"}},
		{Name: "p2", Files: []string{"bad3.go"}},
	},
	eightByTwo(),
}

func eightByTwo() []Pkg {
	var ps []Pkg
	for i := range 8 {
		ps = append(ps, Pkg{Name: string(rune('a' + i)), Files: []string{"x.go", "longer_file.go"}})
	}
	return ps
}

func TestNested(t *testing.T) {
	ctx := context.Background()
	for _, in := range pkgSets {
		r, err := Totals(in, 0.5)
		gr, gerr := TotalsParallel(ctx, in, 0.5)
		difftest.Same(t, "Totals", []any{r}, []any{gr}, err, gerr)

		w := Weights(in)
		gw, gerr := WeightsParallel(ctx, in)
		difftest.Same(t, "Weights", []any{w}, []any{gw}, nil, gerr)

		for _, pats := range [][]string{{"go"}, {"a", "b", "x"}, {"zzz", ".go"}} {
			m := Matches(in, pats)
			gm, gerr := MatchesParallel(ctx, in, pats)
			difftest.Same(t, "Matches", []any{m}, []any{gm}, nil, gerr)
		}

		g, err := Guarded(in)
		gg, gerr := GuardedParallel(ctx, in)
		difftest.Same(t, "Guarded", []any{g}, []any{gg}, err, gerr)

		for _, n := range []int{0, 1, 5} {
			c := Counted(in, n)
			gc, gerr := CountedParallel(ctx, in, n)
			difftest.Same(t, "Counted", []any{c}, []any{gc}, nil, gerr)
		}

		ar, err := Around(in)
		gar, gerr := AroundParallel(ctx, in)
		difftest.Same(t, "Around", []any{ar}, []any{gar}, err, gerr)

		tw := Twice(in)
		gtw, gerr := TwiceParallel(ctx, in)
		difftest.Same(t, "Twice", []any{tw}, []any{gtw}, nil, gerr)

		ca := Carried(in)
		gca, gerr := CarriedParallel(ctx, in)
		difftest.Same(t, "Carried", []any{ca}, []any{gca}, nil, gerr)
	}
}

// TestManyInner runs more inner iterations than a window holds, and many
// outer iterations, so that iterations' memory is reused.
func TestManyInner(t *testing.T) {
	ctx := context.Background()
	var in []Pkg
	for i := range 300 {
		p := Pkg{Name: string(rune('a' + i%26))}
		for k := range i % 17 {
			p.Files = append(p.Files, string(rune('a'+k))+".go")
		}
		in = append(in, p)
	}
	in = append(in, Pkg{Name: "big", Files: make([]string, 3000)})
	w := Weights(in)
	gw, err := WeightsParallel(ctx, in)
	difftest.Same(t, "Weights", []any{w}, []any{gw}, nil, err)
	c := Counted(in[:40], 30)
	gc, err := CountedParallel(ctx, in[:40], 30)
	difftest.Same(t, "Counted", []any{c}, []any{gc}, nil, err)
}

// picky calls f and returns what it returned, or what it panicked with.
func picky(f func() float64) (v float64, panicked any) {
	defer func() { panicked = recover() }()
	return f(), nil
}

// TestPanics checks that the twin panics where F panics and only there,
// though its issue part evaluates the inner loop's range and guards ahead.
func TestPanics(t *testing.T) {
	ctx := context.Background()
	long := "a-name-longer-than-seven"
	for _, c := range []struct {
		pkgs  []Pkg
		limit int
	}{
		{[]Pkg{{Name: "a", Files: []string{"x", "y"}}, {Name: "stop"}, {Name: "b", Files: []string{"z"}}}, 2},
		{[]Pkg{{Name: "a", Files: []string{long, ""}}, {Name: "b", Files: []string{"!x", "y"}}}, 2},
		{[]Pkg{{Name: "a", Files: []string{"x", ""}}}, 2},
		{[]Pkg{{Name: "a", Files: []string{"x"}}, {Name: "b", Files: []string{"x", "y"}}}, 2},
		{[]Pkg{{Name: "a", Files: []string{"x", "y"}}, {Name: "stop"}, {Name: "b", Files: []string{"z", ""}}}, 2},
	} {
		v, p := picky(func() float64 { return Picky(c.pkgs, c.limit) })
		gv, gp := picky(func() float64 {
			v, err := PickyParallel(ctx, c.pkgs, c.limit)
			if err != nil {
				t.Fatalf("PickyParallel(%v, %d): %v", c.pkgs, c.limit, err)
			}
			return v
		})
		if (p == nil) != (gp == nil) || v != gv {
			t.Errorf("Picky(%v, %d) = %v, panic %v; PickyParallel = %v, panic %v", c.pkgs, c.limit, v, p, gv, gp)
		}
	}
}

// TestAroundPanics checks that the guard after the inner loop, which the
// issue part evaluates ahead, panics only where F panics.
func TestAroundPanics(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]Pkg{
		{{Name: "a", Files: []string{"x", "skip", "y"}}, {Name: "_b", Files: []string{"z"}}, {Name: "c"}},
		{{Name: "a", Files: []string{"x"}}, {Name: "bad", Files: []string{"z"}}, {Name: "", Files: []string{"w"}}},
		{{Name: "a", Files: []string{"x"}}, {Name: "", Files: []string{"w"}}},
	} {
		var v, gv []float64
		var err, gerr error
		_, p := picky(func() float64 { v, err = Around(in); return 0 })
		_, gp := picky(func() float64 { gv, gerr = AroundParallel(ctx, in); return 0 })
		if (p == nil) != (gp == nil) {
			t.Errorf("Around(%v): panic %v; AroundParallel: panic %v", in, p, gp)
		}
		if p == nil {
			difftest.Same(t, "Around", []any{v}, []any{gv}, err, gerr)
		}
	}
}
