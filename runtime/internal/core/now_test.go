package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// TestNowRunsAtOnce: a call the twin waits for before it issues another
// (FnN.Now) runs at once, in the twin's goroutine, and gives a plain value,
// where a wait would have run it in place; otherwise it is a task, as Call
// makes it.
func TestNowRunsAtOnce(t *testing.T) {
	for _, c := range hereCases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "recorded" {
				core.Record() // the dashboard shows it as a task
			} else {
				defer core.PauseRecording()()
			}
			tw := core.NewTwin(context.Background(), c.opts...)
			defer tw.Close()
			ranOn.Store(0)
			d := core.Track(tw, c.f.Now(tw, core.Value(4)))
			// A pure function's call may share a node an earlier test
			// computed: it is done, but nothing ran here.
			if here := ranOn.Load() == goid(); here != c.here || (c.here && !d.Done()) {
				t.Errorf("ran at once, in the twin's goroutine: %v (done %v), want %v", here, d.Done(), c.here)
			}
			if _, err := core.Await(tw, d); err != nil {
				t.Fatal(err)
			}
			if got := d.Must(); got != 40 {
				t.Errorf("got %d, want 40", got)
			}
			if _, err := tw.Finish(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNowWaitsForUnknownArguments: a call whose argument is not known yet
// is a task, which runs once the argument is.
func TestNowWaitsForUnknownArguments(t *testing.T) {
	defer core.PauseRecording()()
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	release := make(chan struct{})
	arg := core.Track(tw, slow.Call(core.Value(3), core.Value(release)))
	d := core.Track(tw, herePlain.Now(tw, arg))
	if d.Done() {
		t.Fatal("a call of an argument not known yet ran at once")
	}
	close(release)
	if _, err := core.Await(tw, d); err != nil || d.Must() != 30 {
		t.Fatalf("Await = %v, value %d; want 30", err, d.Must())
	}
}

// TestNowFailures: a call run at once that fails or panics is a failed
// task, which the twin meets at its error idiom or its wait, as F meets it;
// a cancelled twin runs nothing at once.
func TestNowFailures(t *testing.T) {
	defer core.PauseRecording()()
	ctx := context.Background()

	tw := core.NewTwin(ctx)
	d := core.Track(tw, hereFailed.Now(tw, core.Value(-2)))
	tw.CheckAt(d, 7)
	if i, err := core.Await(tw, d); i != 7 || !errors.Is(err, errPage) {
		t.Errorf("Await = %d, %v; want the error idiom 7 and errPage", i, err)
	}
	tw.Close()

	// A call added before fails too: F meets it first.
	tw = core.NewTwin(ctx)
	first := core.Track(tw, hereFailed.Call(core.Value(-1)))
	tw.CheckAt(first, 0)
	d = core.Track(tw, hereFailed.Now(tw, core.Value(-2)))
	tw.CheckAt(d, 1)
	if i, err := core.Await(tw, d); i != 0 || err == nil || !strings.Contains(err.Error(), "page -1") {
		t.Errorf("Await = %d, %v; want the error idiom 0 and page -1's error", i, err)
	}
	tw.Close()

	tw = core.NewTwin(ctx)
	func() {
		defer func() {
			pe, ok := recover().(*core.PanicError)
			if !ok || pe.Value != "boom at -3" || !strings.HasPrefix(pe.Task, "herePanics-") {
				t.Errorf("recovered %v; want the panic of herePanics", pe)
			}
		}()
		core.Await(tw, core.Track(tw, herePanics.Now(tw, core.Value(-3))))
		t.Error("Await returned; want a panic")
	}()
	tw.Close()

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	tw = core.NewTwin(cctx)
	ranOn.Store(0)
	d = core.Track(tw, herePlain.Now(tw, core.Value(5)))
	if _, err := core.Await(tw, d); !errors.Is(err, context.Canceled) {
		t.Errorf("Await = %v; want context.Canceled", err)
	}
	if ranOn.Load() != 0 {
		t.Error("a cancelled twin ran a call at once")
	}
	tw.Close()
}

// TestSmallStepsOnKnownValues: a twin's small step on known values is a
// plain value at once; one that panics is a failed task that panics again
// where the twin waits for it, and only there.
func TestSmallStepsOnKnownValues(t *testing.T) {
	defer core.PauseRecording()()
	div := func(a, b int) int { return a / b }
	if d := core.Step2(div, core.Value(9), core.Value(3)); !d.Done() || d.Must() != 3 {
		t.Errorf("Step2 on known values: done %v, value %v; want done, 3", d.Done(), d.Must())
	}
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	d := core.Track(tw, core.Step2(div, core.Value(1), core.Value(0)))
	if d.Done() {
		t.Fatal("a step that panicked is done")
	}
	defer func() {
		pe, ok := recover().(*core.PanicError)
		if !ok || !strings.Contains(pe.Error(), "divide by zero") {
			t.Errorf("recovered %v; want the step's division by zero", pe)
		}
	}()
	core.Await(tw, d)
	t.Error("Await returned; want a panic")
}
