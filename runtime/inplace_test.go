package runtime_test

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

	"github.com/daskgen/daskgen/runtime"
)

// Cheap functions whose calls a pipelined loop's producer hands to workers
// in chunks (SetCost below): a chunk runs its calls where it is, and drops
// each call's inputs once it has run, while the twin's eager part may wait
// for the same calls. One is a registered delayed function, which a wait
// may run where it waits; the other is not, like the twin's small steps.
var (
	racePage  = runtime.Func1(func(x int) int { return 3*x + 1 }, runtime.Name("racePage"), runtime.Register("runtime_test.racePage"))
	raceSmall = runtime.Func1(func(x int) int { return 3*x + 1 }, runtime.Name("raceSmall"))
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
		f        runtime.Fn1[int, int]
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
				runtime.Record()
			} else {
				defer runtime.PauseRecording()()
			}
			runtime.SetCost(f, 100) // chunks of the group's calls
			tw := runtime.NewTwin(context.Background())
			defer tw.Close()
			issue := func(p *runtime.Producer[iter]) {
				for i := range n {
					if !p.Next(func(it *iter, st *runtime.Step) {
						it.i = i
						st.At(1)
						it.d = runtime.Issue(st, f.Call(runtime.Value(i)))
					}) {
						return
					}
				}
			}
			total := runtime.Value(0)
			for it, st := range runtime.Pipeline(tw, 256, runtime.Reuse, issue) {
				tw.Adopt(st, 1)
				// A small step on the call, as generated code takes a field
				// of a result, and a sum the eager part does not wait for.
				next := runtime.Track(tw, runtime.Project(func(x int) int { return x + 1 }, it.d))
				total = runtime.Track(tw, runtime.Call2(func(x, y int) int { return x + y }, total, it.d))
				if _, err := runtime.Await(tw, next); err != nil {
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
	herePlain   = runtime.Func1(where, runtime.Name("herePlain"), runtime.Register("runtime_test.herePlain"))
	hereLimit   = runtime.Func1(where, runtime.Name("hereLimit"), runtime.Register("runtime_test.hereLimit"), runtime.Limit(1))
	hereRetries = runtime.Func1(where, runtime.Name("hereRetries"), runtime.Register("runtime_test.hereRetries"), runtime.Retries(1))
	herePure    = runtime.Func1(where, runtime.Name("herePure"), runtime.Register("runtime_test.herePure"), runtime.Pure())
	hereCtx     = runtime.Func1C(func(_ context.Context, x int) int { return where(x) }, runtime.Name("hereCtx"), runtime.Register("runtime_test.hereCtx"))
	hereSmall   = runtime.Func1(where, runtime.Name("hereSmall")) // not registered: a small step
)

// TestWaitRunsOneCallWhereItWaits checks which calls a wait runs on its own
// goroutine: one call of a delayed function, and the small step on it, when
// a compute would simply run it; a call with a limit, retries, purity or a
// context, or one that goes to an executor, is a compute's, as before.
func TestWaitRunsOneCallWhereItWaits(t *testing.T) {
	for _, c := range []struct {
		name string
		f    runtime.Fn1[int, int]
		opts []runtime.Option
		here bool
	}{
		{"call", herePlain, nil, true},
		{"small step", hereSmall, nil, true},
		{"MaxWorkers", herePlain, []runtime.Option{runtime.MaxWorkers(1)}, true},
		{"Limit", hereLimit, nil, false},
		{"Retries", hereRetries, nil, false},
		{"Pure", herePure, nil, false},
		{"context", hereCtx, nil, false},
		{"executor", herePlain, []runtime.Option{runtime.Using(&loopback{})}, false},
		{"recorded", herePlain, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "recorded" {
				runtime.Record() // the dashboard counts the task: a compute's
			} else {
				defer runtime.PauseRecording()()
			}
			tw := runtime.NewTwin(context.Background(), c.opts...)
			defer tw.Close()
			ranOn.Store(0)
			d := runtime.Track(tw, c.f.Call(runtime.Value(4)))
			next := runtime.Track(tw, runtime.Project(func(x int) int { return x + 1 }, d))
			if _, err := runtime.Await(tw, next); err != nil {
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
	hereFailed = runtime.Func1E(func(x int) (int, error) {
		if x < 0 {
			return 0, fmt.Errorf("page %d: %w", x, errPage)
		}
		return x, nil
	}, runtime.Name("hereFailed"), runtime.Register("runtime_test.hereFailed"))
	herePanics = runtime.Func1(func(x int) int {
		if x < 0 {
			panic(fmt.Sprint("boom at ", x))
		}
		return x
	}, runtime.Name("herePanics"), runtime.Register("runtime_test.herePanics"))
)

// TestWaitInPlaceFailures: a call run where the twin waits fails as a
// compute's does: its error at its error idiom, an earlier failure first
// (as F meets it), its panic raised again with the task's name, and a
// context that ends while it runs is the wait's error.
// cancels calls cancelCall: a call during which the twin's context ends.
var (
	cancelCall func()
	cancels    = runtime.Func1(func(x int) int { cancelCall(); return x }, runtime.Name("cancels"), runtime.Register("runtime_test.cancels"))
)

func TestWaitInPlaceFailures(t *testing.T) {
	defer runtime.PauseRecording()()
	ctx := context.Background()
	step := func(d runtime.Delayed[int]) runtime.Delayed[int] {
		return runtime.Project(func(x int) int { return x + 1 }, d)
	}

	tw := runtime.NewTwin(ctx)
	d := runtime.Track(tw, hereFailed.Call(runtime.Value(-2)))
	tw.CheckAt(d, 7)
	if i, err := runtime.Await(tw, runtime.Track(tw, step(d))); i != 7 || !errors.Is(err, errPage) {
		t.Errorf("Await = %d, %v; want the error idiom 7 and errPage", i, err)
	}
	tw.Close()

	// A call added before fails too: F meets it first.
	tw = runtime.NewTwin(ctx)
	first := runtime.Track(tw, hereFailed.Call(runtime.Value(-1)))
	tw.CheckAt(first, 0)
	d = runtime.Track(tw, hereFailed.Call(runtime.Value(-2)))
	tw.CheckAt(d, 1)
	if i, err := runtime.Await(tw, runtime.Track(tw, step(d))); i != 0 || err == nil || !strings.Contains(err.Error(), "page -1") {
		t.Errorf("Await = %d, %v; want the error idiom 0 and page -1's error", i, err)
	}
	tw.Close()

	tw = runtime.NewTwin(ctx)
	func() {
		defer func() {
			pe, ok := recover().(*runtime.PanicError)
			if !ok || pe.Value != "boom at -3" || !strings.HasPrefix(pe.Task, "herePanics-") {
				t.Errorf("recovered %v; want the panic of herePanics", pe)
			}
		}()
		runtime.Await(tw, runtime.Track(tw, step(runtime.Track(tw, herePanics.Call(runtime.Value(-3))))))
		t.Error("Await returned; want a panic")
	}()
	tw.Close()

	// The context ends while the call runs: the wait says so, and the
	// call is pending again, for a later compute.
	cctx, cancel := context.WithCancel(ctx)
	cancelCall = cancel
	tw = runtime.NewTwin(cctx)
	d = runtime.Track(tw, cancels.Call(runtime.Value(5)))
	if _, err := runtime.Await(tw, d); !errors.Is(err, context.Canceled) {
		t.Errorf("Await = %v; want context.Canceled", err)
	}
	tw.Close()
	if got, err := runtime.Compute(ctx, d); got != 5 || err != nil {
		t.Errorf("Compute after the cancelled wait = %d, %v; want 5", got, err)
	}
}

var (
	runs    atomic.Int64
	counted = runtime.Func1(func(x int) int { runs.Add(1); return x * 2 }, runtime.Name("counted"), runtime.Register("runtime_test.counted"))
	slow    = runtime.Func2(func(x int, release chan struct{}) int { <-release; return x }, runtime.Name("slow"), runtime.Register("runtime_test.slow"))
)

// TestWaitGivesClaimsBack: what a wait claimed and does not run goes back,
// and whoever needs it runs it, once.
func TestWaitGivesClaimsBack(t *testing.T) {
	defer runtime.PauseRecording()()
	ctx := context.Background()
	runs.Store(0)

	// Two calls: a compute may run them at once. The wait claims the step
	// and the first call, meets the second, and gives them back.
	tw := runtime.NewTwin(ctx)
	a := runtime.Track(tw, counted.Call(runtime.Value(1)))
	b := runtime.Track(tw, counted.Call(runtime.Value(2)))
	sum := runtime.Track(tw, runtime.Call2(func(x, y int) int { return x + y }, a, b))
	if _, err := runtime.Await(tw, sum); err != nil || sum.Must() != 6 || runs.Load() != 2 {
		t.Errorf("Await = %v, sum %d after %d runs; want 6 after 2", err, sum.Must(), runs.Load())
	}
	tw.Close()

	// A call whose input another compute holds: the wait gives its claims
	// back, and its compute waits for that input.
	release := make(chan struct{})
	x := slow.Call(runtime.Value(5), runtime.Value(release))
	done := make(chan error)
	go func() {
		_, err := runtime.Compute(ctx, x)
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, func() { close(release) })
	time.Sleep(5 * time.Millisecond) // the compute holds x
	tw = runtime.NewTwin(ctx)
	d := runtime.Track(tw, counted.Call(x))
	next := runtime.Track(tw, runtime.Project(func(x int) int { return x + 1 }, d))
	if _, err := runtime.Await(tw, next); err != nil || next.Must() != 11 {
		t.Errorf("Await = %v, %d; want 11", err, next.Must())
	}
	tw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A compute that needs what a twin holds waits for it, and the twin
	// runs it once.
	runs.Store(0)
	tw = runtime.NewTwin(ctx)
	d = runtime.Track(tw, counted.Call(runtime.Value(3)))
	var got int
	var err error
	if !tw.Hold(d, func() {
		go func() {
			got, err = runtime.Compute(ctx, runtime.Call1(func(x int) int { return x + 1 }, d))
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
	tw = runtime.NewTwin(ctx)
	d = runtime.Track(tw, counted.Call(runtime.Value(4)))
	tw.Hold(d, func() {
		go func() {
			tw2 := runtime.NewTwin(ctx)
			defer tw2.Close()
			next := runtime.Track(tw2, runtime.Call1(func(x int) int { return x + 1 }, d))
			_, err = runtime.Await(tw2, next)
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
