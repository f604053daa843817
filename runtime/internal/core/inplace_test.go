package core_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Cheap functions whose calls a pipelined loop's producer hands to workers
// in chunks (SetCost below): a chunk runs its calls where it is, and drops
// each call's inputs once it has run, while the twin's eager part may wait
// for the same calls. One is a registered delayed function, which a wait
// may run where it waits; the other is not, like the twin's small steps.
var (
	racePage  = core.Func1(func(x int) int { return 3*x + 1 }, core.Name("racePage"), core.Register("runtime_test.racePage"))
	raceSmall = core.Func1(func(x int) int { return 3*x + 1 }, core.Name("raceSmall"))
)

// TestWaitClaimsBeforeItReads is the race that took running a wait's call
// in place out once (faaa553, f3c2fb8): the eager part of a pipelined loop
// waits for a small step on a call that the producer has handed to a worker
// in a chunk, and the wait must not read the call's inputs while the worker
// runs it and drops them. Each iteration's value must be right, whoever ran
// the call. Run it under -race, several times.
func TestWaitClaimsBeforeItReads(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(max(4, goruntime.GOMAXPROCS(0))))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, c := range []struct {
		f        core.Fn1[int, int]
		recorded bool
	}{{racePage, false}, {raceSmall, false}, {racePage, true}, {raceSmall, true}} {
		f := c.f
		name := f.Name()
		if c.recorded {
			name += "/recorded"
		}
		t.Run(name, func(t *testing.T) {
			// Unrecorded, the wait runs what it claimed; recorded, it
			// gives it back to a compute.
			if c.recorded {
				core.Record()
			} else {
				defer core.PauseRecording()()
			}
			core.SetCost(f, 100) // chunks of the group's calls
			tw := core.NewTwin(context.Background())
			defer tw.Close()
			issue := func(p *core.Producer[iter]) {
				for i := range n {
					if !p.Next(func(it *iter, st *core.Step) {
						it.i = i
						st.At(1)
						it.d = core.Issue(st, f.Call(core.Value(i)))
					}) {
						return
					}
				}
			}
			total := core.Value(0)
			for it, st := range core.Pipeline(tw, 256, core.Reuse, issue) {
				tw.Adopt(st, 1)
				// A small step on the call, as generated code takes a field
				// of a result, and a sum the eager part does not wait for.
				next := core.Track(tw, core.Project(func(x int) int { return x + 1 }, it.d))
				total = core.Track(tw, core.Call2(func(x, y int) int { return x + y }, total, it.d))
				if _, err := core.Await(tw, next); err != nil {
					t.Fatalf("iteration %d: %v", it.i, err)
				}
				if got, want := next.Must(), 3*it.i+2; got != want {
					t.Fatalf("iteration %d: got %d, want %d", it.i, got, want)
				}
			}
			if _, err := tw.Finish(total); err != nil {
				t.Fatal(err)
			}
			if got, want := total.Must(), 3*n*(n-1)/2+n; got != want {
				t.Errorf("total %d, want %d", got, want)
			}
		})
	}
}

// goid is the calling goroutine's number.
func goid() uint64 {
	var b [64]byte
	s := strings.TrimPrefix(string(b[:goruntime.Stack(b[:], false)]), "goroutine ")
	id, _ := strconv.ParseUint(s[:strings.IndexByte(s, ' ')], 10, 64)
	return id
}

// ranOn is the goroutine that the last call of the functions below ran on.
var ranOn atomic.Uint64

func where(x int) int { ranOn.Store(goid()); return x * 10 }

var (
	herePlain   = core.Func1(where, core.Name("herePlain"), core.Register("runtime_test.herePlain"))
	hereLimit   = core.Func1(where, core.Name("hereLimit"), core.Register("runtime_test.hereLimit"), core.Limit(1))
	hereRetries = core.Func1(where, core.Name("hereRetries"), core.Register("runtime_test.hereRetries"), core.Retries(1))
	herePure    = core.Func1(where, core.Name("herePure"), core.Register("runtime_test.herePure"), core.Pure())
	hereCtx     = core.Func1C(func(_ context.Context, x int) int { return where(x) }, core.Name("hereCtx"), core.Register("runtime_test.hereCtx"))
	hereSmall   = core.Func1(where, core.Name("hereSmall")) // not registered: a small step
)

// TestWaitRunsOneCallWhereItWaits checks which calls a wait runs on its own
// goroutine: one call of a delayed function, and the small step on it, when
// a compute would simply run it; a call with a limit, retries, purity or a
// context, or one that goes to an executor, is a compute's, as before.
// hereCases are the functions and options under which the twin's goroutine
// runs a call itself (here), where it waits or where it is called (Now),
// and those under which a compute runs it.
var hereCases = []struct {
	name string
	f    core.Fn1[int, int]
	opts []core.Option
	here bool
}{
	{"call", herePlain, nil, true},
	{"small step", hereSmall, nil, true},
	{"MaxWorkers", herePlain, []core.Option{core.MaxWorkers(1)}, true},
	{"Limit", hereLimit, nil, false},
	{"Retries", hereRetries, nil, false},
	{"Pure", herePure, nil, false},
	{"context", hereCtx, nil, false},
	{"executor", herePlain, []core.Option{core.Using(&loopback{})}, false},
	{"recorded", herePlain, nil, false},
}

func TestWaitRunsOneCallWhereItWaits(t *testing.T) {
	for _, c := range hereCases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "recorded" {
				core.Record() // the dashboard counts the task: a compute's
			} else {
				defer core.PauseRecording()()
			}
			tw := core.NewTwin(context.Background(), c.opts...)
			defer tw.Close()
			ranOn.Store(0)
			d := core.Track(tw, c.f.Call(core.Value(4)))
			next := core.Track(tw, core.Project(func(x int) int { return x + 1 }, d))
			if _, err := core.Await(tw, next); err != nil {
				t.Fatal(err)
			}
			if got := next.Must(); got != 41 {
				t.Errorf("got %d, want 41", got)
			}
			if here := ranOn.Load() == goid(); here != c.here {
				t.Errorf("ran where the twin waits: %v, want %v", here, c.here)
			}
			if _, err := tw.Finish(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

var (
	errPage    = errors.New("no such page")
	hereFailed = core.Func1E(func(x int) (int, error) {
		if x < 0 {
			return 0, fmt.Errorf("page %d: %w", x, errPage)
		}
		return x, nil
	}, core.Name("hereFailed"), core.Register("runtime_test.hereFailed"))
	herePanics = core.Func1(func(x int) int {
		if x < 0 {
			panic(fmt.Sprint("boom at ", x))
		}
		return x
	}, core.Name("herePanics"), core.Register("runtime_test.herePanics"))
)

// TestWaitInPlaceFailures: a call run where the twin waits fails as a
// compute's does: its error at its error idiom, an earlier failure first
// (as F meets it), its panic raised again with the task's name, and a
// context that ends while it runs is the wait's error.
// cancels calls cancelCall: a call during which the twin's context ends.
var (
	cancelCall func()
	cancels    = core.Func1(func(x int) int { cancelCall(); return x }, core.Name("cancels"), core.Register("runtime_test.cancels"))
)

func TestWaitInPlaceFailures(t *testing.T) {
	defer core.PauseRecording()()
	ctx := context.Background()
	step := func(d core.Delayed[int]) core.Delayed[int] {
		return core.Project(func(x int) int { return x + 1 }, d)
	}

	tw := core.NewTwin(ctx)
	d := core.Track(tw, hereFailed.Call(core.Value(-2)))
	tw.CheckAt(d, 7)
	if i, err := core.Await(tw, core.Track(tw, step(d))); i != 7 || !errors.Is(err, errPage) {
		t.Errorf("Await = %d, %v; want the error idiom 7 and errPage", i, err)
	}
	tw.Close()

	// A call added before fails too: F meets it first.
	tw = core.NewTwin(ctx)
	first := core.Track(tw, hereFailed.Call(core.Value(-1)))
	tw.CheckAt(first, 0)
	d = core.Track(tw, hereFailed.Call(core.Value(-2)))
	tw.CheckAt(d, 1)
	if i, err := core.Await(tw, core.Track(tw, step(d))); i != 0 || err == nil || !strings.Contains(err.Error(), "page -1") {
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
		core.Await(tw, core.Track(tw, step(core.Track(tw, herePanics.Call(core.Value(-3))))))
		t.Error("Await returned; want a panic")
	}()
	tw.Close()

	// The context ends while the call runs: the wait says so, and the
	// call is pending again, for a later compute.
	cctx, cancel := context.WithCancel(ctx)
	cancelCall = cancel
	tw = core.NewTwin(cctx)
	d = core.Track(tw, cancels.Call(core.Value(5)))
	if _, err := core.Await(tw, d); !errors.Is(err, context.Canceled) {
		t.Errorf("Await = %v; want context.Canceled", err)
	}
	tw.Close()
	if got, err := core.Compute(ctx, d); got != 5 || err != nil {
		t.Errorf("Compute after the cancelled wait = %d, %v; want 5", got, err)
	}
}

var (
	runs    atomic.Int64
	counted = core.Func1(func(x int) int { runs.Add(1); return x * 2 }, core.Name("counted"), core.Register("runtime_test.counted"))
	slow    = core.Func2(func(x int, release chan struct{}) int { <-release; return x }, core.Name("slow"), core.Register("runtime_test.slow"))
)

// TestWaitGivesClaimsBack: what a wait claimed and does not run goes back,
// and whoever needs it runs it, once.
func TestWaitGivesClaimsBack(t *testing.T) {
	defer core.PauseRecording()()
	ctx := context.Background()
	runs.Store(0)

	// Two calls: a compute may run them at once. The wait claims the step
	// and the first call, meets the second, and gives them back.
	tw := core.NewTwin(ctx)
	a := core.Track(tw, counted.Call(core.Value(1)))
	b := core.Track(tw, counted.Call(core.Value(2)))
	sum := core.Track(tw, core.Call2(func(x, y int) int { return x + y }, a, b))
	if _, err := core.Await(tw, sum); err != nil || sum.Must() != 6 || runs.Load() != 2 {
		t.Errorf("Await = %v, sum %d after %d runs; want 6 after 2", err, sum.Must(), runs.Load())
	}
	tw.Close()

	// A call whose input another compute holds: the wait gives its claims
	// back, and its compute waits for that input.
	release := make(chan struct{})
	x := slow.Call(core.Value(5), core.Value(release))
	done := make(chan error)
	go func() {
		_, err := core.Compute(ctx, x)
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, func() { close(release) })
	time.Sleep(5 * time.Millisecond) // the compute holds x
	tw = core.NewTwin(ctx)
	d := core.Track(tw, counted.Call(x))
	next := core.Track(tw, core.Project(func(x int) int { return x + 1 }, d))
	if _, err := core.Await(tw, next); err != nil || next.Must() != 11 {
		t.Errorf("Await = %v, %d; want 11", err, next.Must())
	}
	tw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A compute that needs what a twin holds waits for it, and the twin
	// runs it once.
	runs.Store(0)
	tw = core.NewTwin(ctx)
	d = core.Track(tw, counted.Call(core.Value(3)))
	var got int
	var err error
	if !tw.Hold(d, func() {
		go func() {
			got, err = core.Compute(ctx, core.Call1(func(x int) int { return x + 1 }, d))
			done <- err
		}()
		time.Sleep(10 * time.Millisecond)
	}, true) {
		t.Fatal("the twin could not claim a new call")
	}
	if <-done; err != nil || got != 7 || runs.Load() != 1 {
		t.Errorf("Compute = %d, %v after %d runs; want 7 after 1", got, err, runs.Load())
	}
	tw.Close()

	// Given back while another twin waits for it: that twin runs it.
	runs.Store(0)
	tw = core.NewTwin(ctx)
	d = core.Track(tw, counted.Call(core.Value(4)))
	tw.Hold(d, func() {
		go func() {
			tw2 := core.NewTwin(ctx)
			defer tw2.Close()
			next := core.Track(tw2, core.Call1(func(x int) int { return x + 1 }, d))
			_, err = core.Await(tw2, next)
			if err == nil {
				got = next.Must()
			}
			done <- err
		}()
		time.Sleep(10 * time.Millisecond)
	}, false)
	if <-done; err != nil || got != 9 || runs.Load() != 1 {
		t.Errorf("the other twin's Await = %d, %v after %d runs; want 9 after 1", got, err, runs.Load())
	}
	tw.Close()
}
