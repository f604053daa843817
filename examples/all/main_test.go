package main

import (
	"slices"
	"testing"
	"time"
)

func TestExamplesAreFoundAndReportTimings(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	names, err := examples(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"futures", "graph"} {
		if !slices.Contains(names, want) {
			t.Errorf("examples() = %v, lacks %s", names, want)
		}
	}
	if slices.Contains(names, "all") || slices.Contains(names, "internal") {
		t.Errorf("examples() = %v, lists itself or internal", names)
	}
	if testing.Short() {
		t.Skip("runs an example with go run")
	}
	rows, err := runAll(root, []string{"graph"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Example != "graph" || rows[0].Parallel <= 0 {
		t.Errorf("rows = %+v, want the graph example's three", rows)
	}
}

func TestProgress(t *testing.T) {
	for _, c := range []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{0, 3, 0, "[...] 1/3, 0s"},
		{2, 3, 12400 * time.Millisecond, "[##.] 3/3, 12s"},
	} {
		if got := progress(c.done, c.total, c.elapsed); got != c.want {
			t.Errorf("progress(%d, %d, %v) = %q, want %q", c.done, c.total, c.elapsed, got, c.want)
		}
	}
}
