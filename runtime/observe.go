package runtime

import (
	"io"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Environment variables that change what the runtime does without code.
const (
	// EnvDashboard is the variable that starts the dashboard: its value is
	// the address to serve it at, as for StartDashboard.
	EnvDashboard = core.EnvDashboard
	// EnvReport is the variable that writes the run report: its value is
	// the file to write, as for ReportTo.
	EnvReport = core.EnvReport
	// EnvVerify set to "1" turns verify mode on (see SetVerify): every call
	// of a twin also runs its sequential function on the same arguments and
	// panics with a *VerifyError at the first difference, so that a
	// package's existing tests become a differential test of every twin
	// they reach.
	EnvVerify = core.EnvVerify
	// EnvChunks set to "all" runs every call that may run in a chunk in one,
	// whatever it costs, and set to "inline" runs every call that may run in
	// the producer of a pipelined loop there: ways to test those paths.
	EnvChunks = core.EnvChunks
)

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
type Dashboard core.Dashboard

// StartDashboard starts recording tasks and serves the dashboard at addr
// until Close. An address without a host ("" or ":8787") listens on the
// loopback interface only; name the interface to listen elsewhere
// ("0.0.0.0:8787" listens on all of them). Port 0 picks a free port: see
// URL. Recording, once started, goes on for the life of the process.
func StartDashboard(addr string) (*Dashboard, error) {
	d, err := core.StartDashboard(addr)
	return (*Dashboard)(d), err
}

// URL returns the address of the dashboard's page.
func (d *Dashboard) URL() string { return (*core.Dashboard)(d).URL() }

// Close stops serving the page. Tasks are still recorded for the report.
// Close is idempotent.
func (d *Dashboard) Close() error { return (*core.Dashboard)(d).Close() }

// ReportTo starts recording tasks and writes the run report to the file at
// path, like Dask's performance_report: one self-contained HTML page with
// the dashboard's views for the whole run, which opens from disk in any
// browser. The file is brought up to date each time a compute or a twin
// returns, so it is complete once the program's last twin has returned,
// whenever the program exits. Calling it again with another path starts a
// new file. It prints one line to standard error naming the file, so that
// the report is found where it went.
func ReportTo(path string) error { return core.ReportTo(path) }

// WriteReport writes a run report of everything recorded so far to w, as
// ReportTo does to a file. It fails when nothing is being recorded.
func WriteReport(w io.Writer) error { return core.WriteReport(w) }
