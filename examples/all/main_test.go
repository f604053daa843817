package main

import (
	"slices"
	"testing"
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
