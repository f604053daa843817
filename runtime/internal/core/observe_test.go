package core_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/trace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// feed is what the dashboard's page receives (see runtime/dashboard.go).
type feed struct {
	Fns    [][8]any     `json:"fns"`
	Groups [][2]string  `json:"groups"`
	Lanes  []string     `json:"lanes"`
	Tasks  [][7]float64 `json:"tasks"`
}

// counts returns a function's done, failed and retried counts, and
// whether it is in the feed.
func (f *feed) counts(name string) (done, failed, retried int, ok bool) {
	for _, fn := range f.Fns {
		if fn[0] == name {
			return int(fn[3].(float64)), int(fn[4].(float64)), int(fn[5].(float64)), true
		}
	}
	return 0, 0, 0, false
}

func (f *feed) tasksOf(name string) int {
	n := 0
	for _, t := range f.Tasks {
		if fn := f.Fns[int(t[1])]; fn[0] == name {
			n++
		}
	}
	return n
}

// observedSquare and its friends have names of their own, so that the
// counts of these tests are theirs, whatever else the process recorded.
func observedSquare(x int) int {
	time.Sleep(2 * time.Millisecond)
	return x * x
}

func observedSum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

var errFlaky = errors.New("flaky")

var feedRuns atomic.Int64

// TestDashboardFeed serves the dashboard, runs a compute and a failing one,
// and reads the page's event stream until it shows every task done with the
// right counts per function, each task once in the task stream, on a named
// lane and in a named compute.
func TestDashboardFeed(t *testing.T) {
	d, err := core.StartDashboard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !strings.HasPrefix(d.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL = %s, want a loopback address", d.URL())
	}

	// Names of this run's own, so that -count=N counts each run apart.
	run := feedRuns.Add(1)
	name := func(f string) string { return fmt.Sprintf("%s%d", f, run) }
	sq := core.Func1(observedSquare, core.Name(name("observedSquare")))
	sum := core.Func1(observedSum, core.Name(name("observedSum")))
	var parts []core.Delayed[int]
	for i := range 20 {
		parts = append(parts, sq.Call(core.Value(i)))
	}
	got, err := core.Compute(context.Background(), sum.Call(core.Collect(parts)))
	if err != nil || got != 2470 {
		t.Fatalf("Compute = %d, %v", got, err)
	}
	tries := 0
	flaky := core.Func1E(func(x int) (int, error) {
		if tries++; tries < 3 {
			return 0, errFlaky
		}
		return x, nil
	}, core.Name(name("observedFlaky")), core.Retries(2), core.Backoff(time.Millisecond))
	if _, err := core.Compute(context.Background(), flaky.Call(core.Value(1))); err != nil {
		t.Fatal(err)
	}
	broken := core.Func1E(func(x int) (int, error) { return 0, errFlaky }, core.Name(name("observedBroken")))
	if _, err := core.Compute(context.Background(), broken.Call(core.Value(1))); !errors.Is(err, errFlaky) {
		t.Fatalf("err = %v, want errFlaky", err)
	}

	all := readFeed(t, d, func(f *feed) bool {
		done, _, _, _ := f.counts(name("observedSquare"))
		return done == 20
	})
	for _, c := range []struct {
		name                  string
		done, failed, retried int
	}{
		{name("observedSquare"), 20, 0, 0},
		{name("observedSum"), 1, 0, 0},
		{name("observedFlaky"), 1, 0, 2},
		{name("observedBroken"), 0, 1, 0},
	} {
		done, failed, retried, ok := all.counts(c.name)
		if !ok || done != c.done || failed != c.failed || retried != c.retried {
			t.Errorf("%s: done %d, failed %d, retried %d (listed %v), want %d, %d, %d", c.name, done, failed, retried, ok, c.done, c.failed, c.retried)
		}
		if n := all.tasksOf(c.name); n != c.done+c.failed {
			t.Errorf("%s: %d tasks in the stream, want %d", c.name, n, c.done+c.failed)
		}
	}
	for _, tk := range all.Tasks {
		if fn := all.Fns[int(tk[1])]; fn[0] != name("observedSquare") {
			continue
		}
		if lane := all.Lanes[int(tk[0])]; !strings.HasPrefix(lane, "worker ") {
			t.Errorf("a task ran on lane %q", lane)
		}
		if g := all.Groups[int(tk[2])]; g[0] != "compute in core_test.TestDashboardFeed" || !strings.HasPrefix(g[1], "observe_test.go:") {
			t.Errorf("a task belongs to %q, want the test's compute", g)
		}
		if tk[4] < tk[3] {
			t.Errorf("a task ends at %v, before its start at %v", tk[4], tk[3])
		}
	}
}

// readFeed reads the dashboard's event stream, gathering its feeds, until
// done says the gathered feed is complete, or ten seconds pass.
func readFeed(t *testing.T, d *core.Dashboard, done func(*feed) bool) *feed {
	t.Helper()
	resp, err := http.Get(d.URL() + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	all := &feed{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 64<<20)
	deadline := time.Now().Add(10 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var f feed
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		all.Fns, all.Groups, all.Lanes = f.Fns, f.Groups, f.Lanes
		all.Tasks = append(all.Tasks, f.Tasks...)
		if done(all) {
			break
		}
	}
	return all
}

// TestDashboardListensOnLoopback checks that an address without a host
// does not listen on every interface.
func TestDashboardListensOnLoopback(t *testing.T) {
	for _, addr := range []string{":0", "0"} {
		d, err := core.StartDashboard(addr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(d.URL(), "http://127.0.0.1:") {
			t.Errorf("StartDashboard(%q) serves at %s, want loopback", addr, d.URL())
		}
		d.Close()
	}
	if _, err := core.StartDashboard("no-port"); err == nil {
		t.Error("StartDashboard(no-port) did not fail")
	}
}

var reportData = regexp.MustCompile(`<script>daskgenFeed\((.*)\);</script>`)

// TestReportFile writes a report while two computes run and checks that the
// file is the page followed by the feeds, with every task of both.
func TestReportFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.html")
	if err := core.ReportTo(path); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("reportSquare%d", feedRuns.Add(1))
	sq := core.Func1(observedSquare, core.Name(name))
	for range 2 {
		var ds []core.Delayed[int]
		for i := range 5 {
			ds = append(ds, sq.Call(core.Value(i)))
		}
		if _, err := core.ComputeSlice(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !bytes.Contains(b, []byte("window.daskgenReport = true")) {
		t.Fatalf("the report is not the page:\n%.300s", b)
	}
	var all feed
	for _, m := range reportData.FindAllSubmatch(b, -1) {
		var f feed
		if err := json.Unmarshal(m[1], &f); err != nil {
			t.Fatal(err)
		}
		all.Fns = f.Fns
		all.Tasks = append(all.Tasks, f.Tasks...)
	}
	if done, _, _, _ := all.counts(name); done != 10 {
		t.Errorf("%s: %d done in the report, want 10", name, done)
	}
	if n := all.tasksOf(name); n != 10 {
		t.Errorf("%s: %d tasks in the report's stream, want 10", name, n)
	}
	if bytes.Contains(b, []byte("http://")) || bytes.Contains(b, []byte("https://")) {
		t.Error("the report refers to the network; it must be self-contained")
	}
}

// TestTasksInExecutionTrace runs a compute under runtime/trace and reads
// the trace with go tool trace: every delayed call is a task named after
// its function.
func TestTasksInExecutionTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool trace")
	}
	path := filepath.Join(t.TempDir(), "trace.out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		t.Fatal(err)
	}
	sq := core.Func1(observedSquare, core.Name("tracedSquare"))
	sum := core.Func1(observedSum, core.Name("tracedSum"))
	var parts []core.Delayed[int]
	for i := range 7 {
		parts = append(parts, sq.Call(core.Value(i)))
	}
	_, err = core.Compute(context.Background(), sum.Call(core.Collect(parts)))
	trace.Stop()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "trace", "-d=parsed", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool trace: %v\n%.2000s", err, out)
	}
	begins := map[string]int{}
	re := regexp.MustCompile(`TaskBegin .* Type="(\w+)"`)
	for _, line := range strings.Split(string(out), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			begins[m[1]]++
		}
	}
	if begins["tracedSquare"] != 7 || begins["tracedSum"] != 1 {
		t.Errorf("trace tasks = %v, want 7 tracedSquare and 1 tracedSum", begins)
	}
}

// tracedTwin is what a generated twin does: it names F to Verify, starts
// a Twin, adds tasks and finishes.
func tracedTwin(ctx context.Context, n int) (int, error) {
	if v := core.Verify(ctx, "tracedF", "traced.go:7"); v != nil {
		return 0, errors.New("verify mode is on")
	}
	tw := core.NewTwin(ctx)
	defer tw.Close()
	sq := core.Func1(observedSquare, core.Name("tracedTwinSquare"))
	var parts []core.Delayed[int]
	for i := range n {
		parts = append(parts, core.Track(tw, sq.Call(core.Value(i))))
	}
	if _, err := tw.Finish(); err != nil {
		return 0, err
	}
	s := 0
	for _, p := range parts {
		s += p.Must()
	}
	return s, nil
}

// TestTwinTasksNestInExecutionTrace runs a twin under runtime/trace: the
// twin's call is one trace task named after F, and its delayed calls are
// trace tasks under it.
func TestTwinTasksNestInExecutionTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool trace")
	}
	path := filepath.Join(t.TempDir(), "trace.out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		t.Fatal(err)
	}
	_, err = tracedTwin(context.Background(), 5)
	trace.Stop()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "trace", "-d=parsed", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool trace: %v\n%.2000s", err, out)
	}
	re := regexp.MustCompile(`TaskBegin .*ID=(\d+) Parent=(\d+) Type="(\w+)"`)
	twins := map[string]bool{}
	nested, calls := 0, 0
	var lines []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "TaskBegin") {
			lines = append(lines, line)
		}
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[3] {
		case "tracedF":
			twins[m[1]] = true
		case "tracedTwinSquare":
			calls++
			if twins[m[2]] {
				nested++
			}
		}
	}
	if len(twins) != 1 || calls != 5 || nested != 5 {
		t.Errorf("%d twin tasks, %d calls of which %d under the twin; want 1, 5 and 5:\n%s", len(twins), calls, nested, strings.Join(lines, "\n"))
	}
}

// TestReportSaysWhere checks that writing a report prints one line naming
// the file.
func TestReportSaysWhere(t *testing.T) {
	var buf bytes.Buffer
	defer core.SetNotices(&buf)()
	path := filepath.Join(t.TempDir(), "where.html")
	if err := core.ReportTo(path); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "daskgen: writing the run report to "+path+"\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}
