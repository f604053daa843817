package core

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Environment variables that turn observing on without code.
const (
	// EnvDashboard is the variable that starts the dashboard: its value is
	// the address to serve it at, as for StartDashboard.
	EnvDashboard = "DASKGEN_DASHBOARD"
	// EnvReport is the variable that writes the run report: its value is
	// the file to write, as for ReportTo.
	EnvReport = "DASKGEN_REPORT"
)

// notices is where the runtime says where its report goes.
var notices io.Writer = os.Stderr

//go:embed dashboard.html
var dashboardPage []byte

func init() {
	if addr := os.Getenv(EnvDashboard); addr != "" {
		if d, err := StartDashboard(addr); err != nil {
			fmt.Fprintf(os.Stderr, "daskgen: %s: %v\n", EnvDashboard, err)
		} else {
			fmt.Fprintf(os.Stderr, "daskgen: dashboard at %s\n", d.URL())
		}
	}
	if path := os.Getenv(EnvReport); path != "" {
		if err := ReportTo(path); err != nil {
			fmt.Fprintf(os.Stderr, "daskgen: %s: %v\n", EnvReport, err)
		}
	}
}

// A Dashboard serves a live page of the tasks this process runs, like
// Dask's dashboard: for each delayed function the tasks waiting, running,
// done, failed and retried; a task stream with one lane per worker slot
// (as many as tasks ran at once, one per worker process for an executor
// such as natsexec); tasks per second; and the twin or compute each task
// belongs to. Rows carry the user's names and positions: a twin is its F,
// and the small steps a twin adds count as F. The page is self-contained
// (it loads nothing from the network) and updates itself with server-sent
// events. When the program exits or Close is called, the page keeps the
// last numbers and shows the run's final state: done or failed, its wall
// time, its tasks and the errors that twins and computes returned.
type Dashboard struct {
	srv   *http.Server
	url   string
	done  chan struct{}
	close sync.Once
}

// StartDashboard starts recording tasks and serves the dashboard at addr
// until Close. An address without a host ("" or ":8787") listens on the
// loopback interface only; name the interface to listen elsewhere
// ("0.0.0.0:8787" listens on all of them). Port 0 picks a free port: see
// URL. Recording, once started, goes on for the life of the process.
func StartDashboard(addr string) (*Dashboard, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// A bare port.
		if _, perr := strconv.Atoi(addr); perr != nil {
			return nil, fmt.Errorf("dashboard address %q: %w", addr, err)
		}
		host, port = "", addr
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	rec := record()
	d := &Dashboard{url: "http://" + ln.Addr().String() + "/", done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(dashboardPage)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, req *http.Request) {
		rec.serveEvents(w, req, d.done)
	})
	d.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go d.srv.Serve(ln)
	return d, nil
}

// URL returns the address of the dashboard's page.
func (d *Dashboard) URL() string { return d.url }

// Close stops serving the page. Tasks are still recorded for the report.
// Close is idempotent.
func (d *Dashboard) Close() error {
	var err error
	d.close.Do(func() {
		close(d.done)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err = d.srv.Shutdown(ctx)
	})
	return err
}

// liveWindow is how many of the latest tasks a newly opened page receives.
const liveWindow = 50_000

// feedInterval is how often an open page is updated.
const feedInterval = 250 * time.Millisecond

// serveEvents streams the recorder's state as server-sent events, each a
// feed (see writeFeed), until the page goes away or the dashboard closes.
func (r *recorder) serveEvents(w http.ResponseWriter, req *http.Request, done <-chan struct{}) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	r.mu.Lock()
	r.collectLocked()
	cursor := max(0, len(r.events)-liveWindow)
	r.mu.Unlock()
	tick := time.NewTicker(feedInterval)
	defer tick.Stop()
	bw := bufio.NewWriter(w)
	// When the program ends, the page tries again soon: the next run of it
	// (or the next example) serves the same address.
	bw.WriteString("retry: 500\n\n")
	final := false
	for {
		bw.WriteString("data: ")
		cursor = r.writeFeed(bw, cursor, final)
		bw.WriteString("\n\n")
		if bw.Flush() != nil {
			return
		}
		if fl.Flush(); final {
			return
		}
		select {
		case <-tick.C:
		case <-req.Context().Done():
			return
		case <-done:
			// The page shows the last feed as the run's final state.
			final = true
		}
	}
}

// feed is one update of the page, in JSON: the state of every function,
// the names of twins, computes and lanes, and the tasks that ended since
// the last feed.
type feed struct {
	Now     float64      `json:"now"`   // milliseconds since recording started
	Start   int64        `json:"start"` // when recording started, Unix milliseconds
	Program string       `json:"program"`
	Fns     [][8]any     `json:"fns"`    // name, waiting, running, done, failed, retried, cancelled, position
	Groups  [][2]string  `json:"groups"` // name, position
	Lanes   []string     `json:"lanes"`
	Tasks   [][7]float64 `json:"tasks"`   // lane, function, group, start, end (ms), status, retries
	Running [][3]float64 `json:"running"` // lane, function, start (ms)
	Dropped int64        `json:"dropped"` // tasks beyond what is kept, counted but not drawn
	First   float64      `json:"first"`   // the first task's start (ms), -1 before any
	Last    float64      `json:"last"`    // the last task's end (ms)
	Errors  []string     `json:"errors"`  // the first errors that computes and twins returned
	NErrors int64        `json:"nerrors"` // how many they returned
	// Final says that no feed follows: the dashboard closed, or this is
	// the report.
	Final bool `json:"final"`
}

// writeFeed writes a feed with the tasks collected from index cursor on,
// and returns the cursor for the next one.
func (r *recorder) writeFeed(w io.Writer, cursor int, final bool) int {
	r.mu.Lock()
	running := r.collectLocked()
	f := feed{
		Now:     ms(r.clockNow()),
		Start:   r.wall.UnixMilli(),
		Program: filepath.Base(os.Args[0]),
		Dropped: r.dropped,
		First:   -1,
		Errors:  append([]string(nil), r.errs...),
		NErrors: r.nerrs,
		Final:   final,
	}
	if r.first >= 0 {
		f.First, f.Last = ms(r.first), ms(r.last)
	}
	for _, g := range r.groups {
		f.Groups = append(f.Groups, [2]string{g.name, g.pos})
	}
	runs := make([]int64, len(r.fns))
	for k, fn := range running {
		if fn < 0 {
			continue
		}
		runs[fn]++
		start := r.runningSince(k)
		f.Running = append(f.Running, [3]float64{float64(k), float64(fn), ms(start)})
	}
	for _, l := range r.lanes {
		f.Lanes = append(f.Lanes, l.name)
	}
	for i, st := range r.fns {
		ended := st.done + st.failed + st.cancelled
		waiting := max(0, st.submitted-st.skipped-ended-runs[i])
		f.Fns = append(f.Fns, [8]any{st.name, waiting, runs[i], st.done, st.failed, st.retried, st.cancelled, st.pos})
	}
	for _, ev := range r.events[min(cursor, len(r.events)):] {
		f.Tasks = append(f.Tasks, [7]float64{float64(ev.lane), float64(ev.fn), float64(ev.group), ms(ev.start), ms(ev.end), float64(ev.status), float64(ev.retries)})
	}
	cursor = len(r.events)
	r.mu.Unlock()
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // numbers and strings only
	}
	w.Write(b)
	return cursor
}

// clockNow reads the system clock, for the page's idea of now.
func (r *recorder) clockNow() int64 { return nanotime() - r.t0 }

func ms(ns int64) float64 { return float64(ns/1000) / 1000 }

// The report.

var report struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	cursor int
	err    error
}

// ReportTo starts recording tasks and writes the run report to the file at
// path, like Dask's performance_report: one self-contained HTML page with
// the dashboard's views for the whole run, which opens from disk in any
// browser. The file is brought up to date each time a compute or a twin
// returns, so it is complete once the program's last twin has returned,
// whenever the program exits. Calling it again with another path starts a
// new file. It prints one line to standard error naming the file, so that
// the report is found where it went.
func ReportTo(path string) error {
	rec := record()
	report.mu.Lock()
	defer report.mu.Unlock()
	if report.f != nil {
		report.f.Close()
	}
	f, err := os.Create(path)
	if err != nil {
		report.f, report.path = nil, ""
		return fmt.Errorf("report: %w", err)
	}
	report.f, report.path, report.cursor, report.err = f, path, 0, nil
	if _, err := f.Write(reportHead()); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fmt.Fprintf(notices, "daskgen: writing the run report to %s\n", path)
	rec.mu.Lock()
	rec.collectLocked()
	rec.mu.Unlock()
	return nil
}

// reportHead is the page, told that its data follows in the file.
func reportHead() []byte {
	return append(append([]byte(nil), dashboardPage...), "\n<script>window.daskgenReport = true;</script>\n"...)
}

// updateReport appends what happened since the last update to the report,
// if one is being written. A feed appended as a script is read by the page
// as it loads, so the file stays valid HTML after every update.
func updateReport() {
	rec := obs.Load()
	if rec == nil {
		return
	}
	report.mu.Lock()
	defer report.mu.Unlock()
	if report.f == nil || report.err != nil {
		return
	}
	var buf []byte
	w := &byteWriter{b: &buf}
	buf = append(buf, "<script>daskgenFeed("...)
	report.cursor = rec.writeFeed(w, report.cursor, true)
	buf = append(buf, ");</script>\n"...)
	if _, err := report.f.Write(buf); err != nil {
		report.err = err
		fmt.Fprintf(os.Stderr, "daskgen: report %s: %v\n", report.path, err)
	}
}

// WriteReport writes a run report of everything recorded so far to w, as
// ReportTo does to a file. It fails when nothing is being recorded.
func WriteReport(w io.Writer) error {
	rec := obs.Load()
	if rec == nil {
		return errors.New("report: nothing recorded: start the dashboard or a report first")
	}
	var buf []byte
	buf = append(buf, reportHead()...)
	buf = append(buf, "<script>daskgenFeed("...)
	rec.writeFeed(&byteWriter{b: &buf}, 0, true)
	buf = append(buf, ");</script>\n"...)
	_, err := w.Write(buf)
	return err
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}
