package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/daskgen/daskgen/examples/internal/browser"
)

// TestReportShowsNATSWorkers runs the delayed example's delayed calls on
// two worker processes of an embedded NATS JetStream server, with the run
// report on, and opens the report in Chromium: the task stream has a lane
// for each worker process, and tasks on both.
func TestReportShowsNATSWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an example and runs a cluster")
	}
	ctx := browser.New(t)
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	srv := embeddedNATS(t)
	exe := filepath.Join(t.TempDir(), "delayed")
	build := exec.Command("go", "build", "-o", exe, "./examples/delayed")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"DASKGEN_NATS_URL=" + srv.ClientURL()}
	args := []string{"-work", "20ms"}
	workers := startWorkers(t, 2, exe, args, env)
	report := filepath.Join(t.TempDir(), "run.html")
	out := runExample(t, exe, args, append(env, "DASKGEN_REPORT="+report))
	if !strings.Contains(out, "running delayed calls on the NATS workers") {
		t.Fatalf("the run did not use the cluster:\n%s", out)
	}

	if err := chromedp.Run(ctx, chromedp.Navigate("file://"+report), chromedp.WaitReady("#stream", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// Tasks per lane of the task stream, for the lanes of worker processes
	// (host:pid); the client's own goroutines are "worker N".
	lanes, ok, err := browser.Poll(ctx, 10*time.Second, `(() => {
		const n = {};
		for (const r of document.querySelectorAll("rect.task")) {
			const l = r.dataset.lane;
			if (!l.startsWith("worker ")) n[l] = (n[l] || 0) + 1;
		}
		return n;
	})()`, func(m map[string]int) bool { return len(m) >= 2 })
	if !ok {
		t.Fatalf("the report shows the worker processes' lanes %v, want two (%v)", lanes, err)
	}
	for _, w := range workers {
		found := false
		for l, n := range lanes {
			found = found || (strings.HasSuffix(l, ":"+strconv.Itoa(w.Process.Pid)) && n > 0)
		}
		if !found {
			t.Errorf("no tasks on the lane of worker process %d: %v", w.Process.Pid, lanes)
		}
	}
	browser.Screenshot(t, ctx, "report-nats.png")
}
