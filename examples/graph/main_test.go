package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	cfg := config{n: 8, work: time.Millisecond, dot: filepath.Join(dir, "g.dot")}
	if _, err := exec.LookPath("dot"); err == nil {
		cfg.svg = filepath.Join(dir, "g.svg")
	}
	var b strings.Builder
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`get(d, "a") = [0 1 2 3]`,
		`get(d, "b") = 6`,
		"get(graph, key) = 6, compute = 6",
		"map(addTwo, a) = [Delayed(addTwo-",
		"compute(*b) = [2 3 4 5]",
		"reduce(add, a).compute() = 6",
		"sum of 0..7 = 28",
		"reduce add x8 (tree)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	dot, err := os.ReadFile(cfg.dot)
	if err != nil {
		t.Fatal(err)
	}
	// 8 leaves summed pairwise: 7 add tasks, 6 edges between them.
	if n := strings.Count(string(dot), "shape=ellipse"); n != 7 {
		t.Errorf("DOT has %d tasks, want 7:\n%s", n, dot)
	}
	if n := strings.Count(string(dot), "->"); n != 6 {
		t.Errorf("DOT has %d edges, want 6:\n%s", n, dot)
	}
	if cfg.svg != "" {
		svg, err := os.ReadFile(cfg.svg)
		if err != nil || !strings.Contains(string(svg), "<svg") {
			t.Errorf("SVG not written: %v", err)
		}
	}
}
