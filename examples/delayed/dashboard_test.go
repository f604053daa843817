package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
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
	// Twins are named after the functions the user wrote.
	for _, want := range []string{"forLoop", "evenOdd"} {
		found := false
		for _, g := range groups {
			found = found || g == want
		}
		if !found {
			t.Errorf("the page lists the twins %q, not %s", groups, want)
		}
	}
}

// finalState is the page's final state, or nil while the run is live.
type finalState struct {
	State                 string
	Tasks, Failed, Errors int
	Wall                  float64
}

const finalJS = `(() => { const f = document.getElementById("final");
	return f.hidden ? null : { State: f.dataset.state, Tasks: +f.dataset.tasks, Failed: +f.dataset.failed,
		Errors: +f.dataset.errors, Wall: +f.dataset.wall }; })()`

// internalName matches what the runtime or the generator calls things that
// the user did not write: the twins' names, Go's names of function
// literals, the runtime's batches and steps.
var internalName = regexp.MustCompile(`Parallel\b|\.func\d|\bsteps of\b|\bbatch of\b|\bgowrap|daskgen\.`)

// checkNames checks that every row of the page names a function of the
// user's code with its position, and that nothing internal shows anywhere.
func checkNames(t *testing.T, ctx context.Context) {
	t.Helper()
	var rows [][2]string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("tr.fn, tr.group")].map(r => [r.dataset.fn || r.dataset.group, r.dataset.pos])`, &rows)); err != nil {
		t.Fatal(err)
	}
	pos := regexp.MustCompile(`^\w+\.go:\d+$`)
	for _, r := range rows {
		if !pos.MatchString(r[1]) {
			t.Errorf("row %q has position %q, want file.go:line", r[0], r[1])
		}
	}
	var text string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.body.innerText + [...document.querySelectorAll("title")].map(e => e.textContent).join(" ")`, &text)); err != nil {
		t.Fatal(err)
	}
	if m := internalName.FindString(text); m != "" {
		t.Errorf("the page shows the internal name %q", m)
	}
}

// checkLanes checks that the task stream's lanes are worker slots: a lane
// runs one task at a time, and there are as many lanes as tasks ran at once
// at the most (between the peak of tasks that overlap strictly and that of
// tasks that touch, as the recorder's clock ticks by the millisecond).
func checkLanes(t *testing.T, ctx context.Context) {
	t.Helper()
	var bars []struct {
		Lane       string
		Start, End float64
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("rect.task")].map(r => ({Lane: r.dataset.lane, Start: +r.dataset.start, End: +r.dataset.end}))`, &bars)); err != nil {
		t.Fatal(err)
	}
	var shown string
	if err := chromedp.Run(ctx, chromedp.Text("#lanes", &shown, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	byLane := map[string][][2]float64{}
	for _, b := range bars {
		byLane[b.Lane] = append(byLane[b.Lane], [2]float64{b.Start, b.End})
	}
	if shown != strconv.Itoa(len(byLane)) {
		t.Errorf("the header shows %s lanes, the stream %d", shown, len(byLane))
	}
	for lane, ivs := range byLane {
		sort.Slice(ivs, func(i, j int) bool { return ivs[i][0] < ivs[j][0] })
		for k := 1; k < len(ivs); k++ {
			if ivs[k][0] < ivs[k-1][1] {
				t.Errorf("lane %s runs two tasks at once: %v and %v", lane, ivs[k-1], ivs[k])
			}
		}
	}
	peak := func(touching bool) int {
		type edge struct {
			at    float64
			delta int
		}
		var es []edge
		for _, b := range bars {
			es = append(es, edge{b.Start, +1}, edge{b.End, -1})
		}
		sort.Slice(es, func(i, j int) bool {
			if es[i].at != es[j].at {
				return es[i].at < es[j].at
			}
			if touching {
				return es[i].delta > es[j].delta // starts first
			}
			return es[i].delta < es[j].delta // ends first
		})
		n, top := 0, 0
		for _, e := range es {
			n += e.delta
			top = max(top, n)
		}
		return top
	}
	if lo, hi := peak(false), peak(true); len(byLane) < lo || len(byLane) > hi {
		t.Errorf("%d lanes for %d to %d tasks at once at the most", len(byLane), lo, hi)
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
	checkNames(t, ctx)
	checkLanes(t, ctx)
	var mode string
	if err := chromedp.Run(ctx, chromedp.Text("#mode", &mode, chromedp.ByQuery)); err != nil || mode != "live" {
		t.Errorf("mode = %q, %v; want live", mode, err)
	}
	browser.Screenshot(t, ctx, "dashboard-live.png")

	// The program ends (here: the dashboard closes, and the page's
	// reconnections fail, as when the program exits): the page shows the
	// run's final state and keeps it.
	failedBefore := 0
	for _, r := range base {
		failedBefore += r.Failed
	}
	d.Close()
	fin, ok, err := browser.Poll(ctx, 10*time.Second, finalJS, func(f *finalState) bool { return f != nil })
	if !ok {
		t.Fatalf("the page shows no final state after the dashboard closed (%v)", err)
	}
	total := 0
	for _, r := range rows {
		total += r.Done + r.Failed
	}
	if fin.Tasks != total {
		t.Errorf("the final state counts %d tasks, the page's rows %d", fin.Tasks, total)
	}
	if failedBefore == 0 && (fin.State != "done" || fin.Failed != 0 || fin.Errors != 0) {
		t.Errorf("final state %+v, want done with no failures", fin)
	}
	if fin.Wall <= 0 {
		t.Errorf("final state %+v has no wall time", fin)
	}
	// Reconnections go on failing every half second: the page still shows
	// the same final state, never "disconnected".
	time.Sleep(1500 * time.Millisecond)
	again, ok, err := browser.Poll(ctx, 5*time.Second, finalJS, func(f *finalState) bool { return f != nil })
	if !ok || *again != *fin {
		t.Errorf("the final state changed to %+v (%v), was %+v", again, err, fin)
	}
	if err := chromedp.Run(ctx, chromedp.Text("#mode", &mode, chromedp.ByQuery)); err != nil || mode != "ended" {
		t.Errorf("mode = %q, %v; want ended", mode, err)
	}
	browser.Screenshot(t, ctx, "dashboard-final.png")

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
	checkNames(t, ctx)
	if fin, ok, _ := browser.Poll(ctx, 5*time.Second, finalJS, func(f *finalState) bool { return f != nil }); !ok || fin.Tasks != total {
		t.Errorf("the report's final state is %+v, want %d tasks", fin, total)
	}
	if err := chromedp.Run(ctx, chromedp.Text("#mode", &mode, chromedp.ByQuery)); err != nil || mode != "report" {
		t.Errorf("mode = %q, %v; want report", mode, err)
	}
	browser.Screenshot(t, ctx, "dashboard-report.png")
}
