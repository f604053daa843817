package fidelity

import (
	"context"
	"fmt"
	"testing"

	"example.com/golden/difftest"
)

func TestSwitch(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]string{nil, {"aa.a", "b.b"}, {"a.a", "bb.b"}, {"aa.a", "x.b", "b.a"}, {"c.c", "bbb.b", "a.a"}} {
		n, err := Sizes(in)
		gn, gerr := SizesParallel(ctx, in)
		difftest.Same(t, "Sizes", []any{n}, []any{gn}, err, gerr)
		n, err = SizesIf(in)
		gn, gerr = SizesIfParallel(ctx, in)
		difftest.Same(t, "SizesIf", []any{n}, []any{gn}, err, gerr)
	}
}

func TestVariadic(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][][]string{nil, {{}, {"a"}, {"a", "b"}}, {{"a", "b", "c", "d"}, {"x"}}} {
		s, err := Joins(in)
		gs, gerr := JoinsParallel(ctx, in)
		difftest.Same(t, "Joins", []any{s}, []any{gs}, err, gerr)
	}
}

func TestFields(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][2]string{{"aa", "bb"}, {"a", "bb"}, {"aa", "x"}} {
		st, err := Fields(in[0], in[1])
		gst, gerr := FieldsParallel(ctx, in[0], in[1])
		difftest.Same(t, "Fields", []any{st}, []any{gst}, err, gerr)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := []string{"t0", "t1"}
	r, err := Tenants(ctx, in)
	gr, gerr := TenantsParallel(ctx, in)
	difftest.Same(t, "Tenants", []any{r}, []any{gr}, err, gerr)
	r, err = Tenants(context.Background(), in)
	gr, gerr = TenantsParallel(context.Background(), in)
	difftest.Same(t, "Tenants", []any{r}, []any{gr}, err, gerr)
}

func TestTotal7(t *testing.T) {
	for _, in := range []string{"aa", "a"} {
		n, err := Total7(in)
		gn, gerr := Total7Parallel(context.Background(), in)
		difftest.Same(t, "Total7", []any{n}, []any{gn}, err, gerr)
	}
}

func TestShared(t *testing.T) {
	ctx := context.Background()
	parent := make([]string, 1, 8) // spare capacity, as a command tree's
	parent[0] = "root"
	for _, subs := range [][]string{nil, {"a", "b", "c"}, {"a", "bad", "c"}} {
		r, err := Walk(parent, subs)
		gr, gerr := WalkParallel(ctx, parent, subs)
		difftest.Same(t, "Walk", []any{r}, []any{gr}, err, gerr)
		r, err = WalkFresh(parent, subs)
		gr, gerr = WalkFreshParallel(ctx, parent, subs)
		difftest.Same(t, "WalkFresh", []any{r}, []any{gr}, err, gerr)
	}
	for _, in := range []string{"", "a=1\nb=2\nc=3\n", "a=1\nb\nc=3\n"} {
		e, err := Entries(in)
		ge, gerr := EntriesParallel(ctx, in)
		difftest.Same(t, "Entries", []any{e}, []any{ge}, err, gerr)
	}
}

func TestScrape(t *testing.T) {
	in := []string{"a", "b", "c"}
	r, err := Scrape(context.Background(), in)
	gr, gerr := ScrapeParallel(context.Background(), in)
	difftest.Same(t, "Scrape", []any{r}, []any{gr}, err, gerr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err = Scrape(ctx, in)
	gr, gerr = ScrapeParallel(ctx, in)
	difftest.Same(t, "Scrape cancelled", []any{r}, []any{gr}, err, gerr)
}

func TestShortest(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]string{nil, {"aa", "bbbb", "cccccc", "dddd"}, {"aaaa", "b", "cc"}, {"ab"}} {
		s, err := Shortest(in)
		gs, gerr := ShortestParallel(ctx, in)
		difftest.Same(t, "Shortest", []any{s}, []any{gs}, err, gerr)
	}
}

func TestPointers(t *testing.T) {
	ctx := context.Background()
	deref := func(ps []*int) []int {
		var out []int
		for _, p := range ps {
			out = append(out, *p)
		}
		return out
	}
	for _, in := range [][]string{nil, {"aa.a", "bbbb.a"}, {"aa.a", "b.a"}} {
		ps, err := Pointers(in)
		gps, gerr := PointersParallel(ctx, in)
		difftest.Same(t, "Pointers", []any{deref(ps)}, []any{deref(gps)}, err, gerr)
	}
}

func TestDigests(t *testing.T) {
	ctx := context.Background()
	var files []string
	for i := range 40 {
		files = append(files, fmt.Sprint("file", i))
	}
	for _, in := range [][]string{nil, files[:3], files} {
		d, err := Digests(in)
		gd, gerr := DigestsParallel(ctx, in)
		difftest.Same(t, "Digests", []any{d}, []any{gd}, err, gerr)
	}
}

func TestFlatten(t *testing.T) {
	ctx := context.Background()
	for _, in := range [][]string{nil, {"a", "bb"}, {"a-b", "", "ccc", "d-e-f", "g"}} {
		out := Flatten(in)
		gout, err := FlattenParallel(ctx, in)
		difftest.Same(t, "Flatten", []any{fmt.Sprint(out)}, []any{fmt.Sprint(gout)}, nil, err)
	}
}
