// Package timing prints the examples' timing tables: each row is one piece of
// work done sequentially and in parallel, with the speed-up. When the
// environment variable DASKGEN_TIMINGS names a file, rows are also appended
// to it as JSON lines, for the examples runner to gather.
package timing

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// Row is one measured piece of work.
type Row struct {
	Example    string        `json:"example"`
	Work       string        `json:"work"`
	Sequential time.Duration `json:"sequential"`
	Parallel   time.Duration `json:"parallel"`
	How        string        `json:"how"` // what the parallel version uses
}

// Speedup is how many times faster the parallel run was.
func (r Row) Speedup() float64 {
	if r.Parallel <= 0 {
		return 0
	}
	return float64(r.Sequential) / float64(r.Parallel)
}

// Table collects rows for one example.
type Table struct {
	Example string
	Rows    []Row
}

// Time runs f and returns how long it took.
func Time(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// Add records a row.
func (t *Table) Add(work, how string, sequential, parallel time.Duration) {
	t.Rows = append(t.Rows, Row{Example: t.Example, Work: work, Sequential: sequential, Parallel: parallel, How: how})
}

// Print writes the table to w, and appends its rows to $DASKGEN_TIMINGS.
func (t *Table) Print(w io.Writer) error {
	Write(w, t.Rows)
	path := os.Getenv("DASKGEN_TIMINGS")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("timings file: %w", err)
	}
	enc := json.NewEncoder(f)
	for _, r := range t.Rows {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("timings file: %w", err)
		}
	}
	return f.Close()
}

// Write prints rows as an aligned table.
func Write(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "example\twork\tsequential\tparallel\tspeed-up\tparallel with\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1fx\t%s\t\n", r.Example, r.Work,
			r.Sequential.Round(time.Millisecond), r.Parallel.Round(time.Millisecond), r.Speedup(), r.How)
	}
	tw.Flush()
}
