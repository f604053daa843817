package unordered

import (
	"context"
	"slices"
	"testing"

	"example.com/golden/difftest"
)

// An unordered twin promises the same multiset of results, not the order.
func TestTwins(t *testing.T) {
	ctx := context.Background()
	for _, start := range []string{"/", "/c", "/a/1"} {
		want, err := Crawl(start, map[string]bool{"/missing": true})
		got, gerr := CrawlParallel(ctx, start, map[string]bool{"/missing": true})
		slices.Sort(want)
		slices.Sort(got)
		difftest.Same(t, "Crawl "+start, []any{want}, []any{got}, err, gerr)
	}
	_, err := Crawl("/", nil)
	_, gerr := CrawlParallel(ctx, "/", nil)
	if err == nil || gerr == nil || err.Error() != gerr.Error() {
		t.Errorf("Crawl with a missing page: twin error %v, want %v", gerr, err)
	}
}

func TestNatural(t *testing.T) {
	ctx := context.Background()
	for _, start := range []string{"/", "/c", "/a/1"} {
		want, n, err := Natural(start, map[string]bool{"/missing": true})
		got, gn, gerr := NaturalParallel(ctx, start, map[string]bool{"/missing": true})
		slices.Sort(want)
		slices.Sort(got)
		difftest.Same(t, "Natural "+start, []any{want, n}, []any{got, gn}, err, gerr)
	}
	_, _, err := Natural("/", nil)
	_, _, gerr := NaturalParallel(ctx, "/", nil)
	if err == nil || gerr == nil || err.Error() != gerr.Error() {
		t.Errorf("Natural with a missing page: twin error %v, want %v", gerr, err)
	}
}
