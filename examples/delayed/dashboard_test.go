package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/daskgen/daskgen/examples/internal/browser"
	"github.com/daskgen/daskgen/runtime"
)

// fnRow is one function's row of the dashboard's progress table, as the
// page shows it.
type fnRow struct {
	Fn                                    string
	Done, Failed, Waiting, Running, Retry int
	Bars                                  int // its tasks in the task stream
}

// rowsJS reads the progress table and counts the task stream's bars.
const rowsJS = `[...document.querySelectorAll("tr.fn")].map(r => ({
	Fn: r.dataset.fn, Done: +r.dataset.done, Failed: +r.dataset.failed,
	Waiting: +r.dataset.waiting, Running: +r.dataset.running, Retry: +r.dataset.retried,
	Bars: document.querySelectorAll('rect.task[data-fn="' + CSS.escape(r.dataset.fn) + '"]').length,
}))`

// wantTasks is what forLoop over 1..8 and evenOdd over 0..9 call.
var wantTasks = map[string]int{"inc": 8 + 5, "double": 5, "sum": 2}

// settledFrom returns a test of whether the page shows every task done,
// with the counts of wantTasks beyond those of base, and nothing waiting or
// running. The page counts every task since recording started, which in a
// test binary run with -count above 1 includes the earlier runs' tasks.
func settledFrom(base []fnRow) func([]fnRow) bool {
	before := make(map[string]int)
	for _, r := range base {
		before[r.Fn] = r.Done
	}
	return func(rows []fnRow) bool {
		seen := 0
		for _, r := range rows {
			if r.Waiting != 0 || r.Running != 0 {
				return false
			}
			if want, ok := wantTasks[r.Fn]; ok {
				if r.Done != before[r.Fn]+want {
					return false
				}
				seen++
			}
		}
		return seen == len(wantTasks)
	}
}

// checkPage checks a settled page: every function's tasks are done, none
// failed, and the task stream has one bar per task.
func checkPage(t *testing.T, ctx context.Context, rows []fnRow) {
	t.Helper()
	total := 0
	for _, r := range rows {
		if r.Failed != 0 {
			t.Errorf("%s: %d failed", r.Fn, r.Failed)
		}
		if r.Bars != r.Done {
			t.Errorf("%s: %d bars in the task stream for %d tasks", r.Fn, r.Bars, r.Done)
		}
		total += r.Done
	}
	var bars int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("rect.task").length`, &bars)); err != nil {
		t.Fatal(err)
	}
	if bars != total {
		t.Errorf("the task stream has %d bars for %d tasks", bars, total)
	}
	var groups []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("tr.group")].map(r => r.dataset.group)`, &groups)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"delayed.forLoopParallel", "delayed.evenOddParallel"} {
		found := false
		for _, g := range groups {
			found = found || g == want
		}
		if !found {
			t.Errorf("the page lists the twins %q, not %s", groups, want)
		}
	}
}

// TestDashboardInChromium opens the live dashboard in Chromium, runs two of
// the tutorial's twins while the page is open, and waits until the page
// shows every task done with the right counts per function and one bar per
// task in the task stream. Then it opens the run report from disk and
// checks the same there. Screenshots of both are saved (see browser.Screenshot).
func TestDashboardInChromium(t *testing.T) {
	ctx := browser.New(t)
	d, err := runtime.StartDashboard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	report := filepath.Join(t.TempDir(), "run.html")
	if err := runtime.ReportTo(report); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(d.URL()), chromedp.WaitReady("#stream", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// The page renders its first feed, which counts what ran before this
	// test, and sets body's data-done.
	base, ok, err := browser.Poll(ctx, 10*time.Second, `document.body.dataset.done === undefined ? null : `+rowsJS,
		func(rows []fnRow) bool { return rows != nil })
	if !ok {
		t.Fatalf("the live page shows no feed: %v", err)
	}
	settled := settledFrom(base)

	work = 30 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		if _, err := forLoopParallel(context.Background(), []int{1, 2, 3, 4, 5, 6, 7, 8}); err != nil {
			done <- err
			return
		}
		_, err := evenOddParallel(context.Background(), []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
		done <- err
	}()
	rows, ok, err := browser.Poll(ctx, 20*time.Second, rowsJS, settled)
	if !ok {
		t.Fatalf("the live page did not settle: %+v (%v)", rows, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, rows)
	var mode string
	if err := chromedp.Run(ctx, chromedp.Text("#mode", &mode, chromedp.ByQuery)); err != nil || mode != "live" {
		t.Errorf("mode = %q, %v; want live", mode, err)
	}
	browser.Screenshot(t, ctx, "dashboard-live.png")

	if _, err := os.Stat(report); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate("file://"+report), chromedp.WaitReady("#stream", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	rows, ok, err = browser.Poll(ctx, 10*time.Second, rowsJS, settled)
	if !ok {
		t.Fatalf("the report does not show the run: %+v (%v)", rows, err)
	}
	checkPage(t, ctx, rows)
	if err := chromedp.Run(ctx, chromedp.Text("#mode", &mode, chromedp.ByQuery)); err != nil || mode != "report" {
		t.Errorf("mode = %q, %v; want report", mode, err)
	}
	browser.Screenshot(t, ctx, "dashboard-report.png")
}
