package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

var errAt = errors.New("bad item")

// cheapSquare is a cheap delayed function that fails at 3001 and panics at
// 4002, for the chunk tests.
var cheapSquare = core.Func1E(func(x int) (int, error) {
	switch x {
	case 3001:
		return 0, fmt.Errorf("item %d: %w", x, errAt)
	case 4002:
		panic("boom at 4002")
	}
	return x * x, nil
}, core.Name("cheapSquare"))

// loop is a pipelined loop over the items from, to; the eager part waits
// for each value in order, as a twin's does, and stops at the first error.
func loop(tw *core.Twin, from, to int) (sum int, at int, err error) {
	for it, st := range core.Pipeline(tw, core.DefaultWindow, core.Reuse, func(p *core.Producer[iter]) {
		for i := from; i < to; i++ {
			if !p.Next(func(it *iter, st *core.Step) {
				it.i = i
				st.At(1)
				it.d = core.Issue(st, cheapSquare.Call(core.Value(i)))
			}) {
				return
			}
		}
	}) {
		tw.Adopt(st, 1)
		if _, err := tw.Wait(it.d); err != nil {
			return sum, it.i, err
		}
		sum += it.d.Must()
	}
	return sum, -1, nil
}

// TestChunksKeepOrderErrorsAndPanics runs a cheap function's calls in
// chunks and checks what a twin depends on: every value, the first error in
// the loop's order and the panic where the loop meets it are F's; and the
// calls did run in chunks (the dashboard shows them).
func TestChunksKeepOrderErrorsAndPanics(t *testing.T) {
	d, err := core.StartDashboard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	core.SetCost(cheapSquare, 100) // 100 ns a call: chunks of 256

	ctx := context.Background()
	tw := core.NewTwin(ctx)
	sum, at, err := loop(tw, 0, 3000)
	want := 0
	for i := range 3000 {
		want += i * i
	}
	if err != nil || sum != want {
		t.Fatalf("loop over 0..2999 = %d, %v (at %d); want %d", sum, err, at, want)
	}
	if _, err := tw.Finish(); err != nil {
		t.Fatal(err)
	}
	tw.Close()

	// The first error is the loop's, at 3001, not the panic after it.
	tw = core.NewTwin(ctx)
	_, at, err = loop(tw, 2000, 6000)
	if !errors.Is(err, errAt) || at != 3001 {
		t.Errorf("loop over 2000..5999 stopped at %d with %v; want 3001 and errAt", at, err)
	}
	tw.Close()

	// Past the error, the panic comes where the loop meets it.
	tw = core.NewTwin(ctx)
	func() {
		defer func() {
			pe, ok := recover().(*core.PanicError)
			if !ok || pe.Value != "boom at 4002" {
				t.Errorf("recovered %v; want the panic of 4002", pe)
			}
		}()
		_, at, err := loop(tw, 3002, 6000)
		t.Errorf("loop over 3002..5999 returned (at %d, %v); want a panic", at, err)
	}()
	tw.Close()

	// Chunks count in their function's row: the page names no batch.
	f := readFeed(t, d, func(f *feed) bool {
		done, _, _, ok := f.counts("cheapSquare")
		return ok && done > 0
	})
	if done, _, _, ok := f.counts("cheapSquare"); !ok || done == 0 {
		t.Errorf("no chunks of cheapSquare ran: %v", f.Fns)
	}
	if _, _, _, ok := f.counts("batch of cheapSquare"); ok {
		t.Errorf("the page lists a row of the runtime's own: %v", f.Fns)
	}
}

// TestLargeTwinKeepsFirstError adds more tasks than a twin holds before it
// starts them in the background, with an error idiom on each call: the
// twin still reports the first failure in program order (the error at
// 3001), not the panic at 4002 that the background may have met too.
func TestLargeTwinKeepsFirstError(t *testing.T) {
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	add := func(x, y int) int { return x + y }
	var total core.Delayed[int]
	for i := range 30_000 {
		d := core.Track(tw, cheapSquare.Call(core.Value(i)))
		tw.CheckAt(d, 7)
		total = core.Track(tw, core.Call2(add, total, d))
	}
	i, err := tw.Finish(total)
	if i != 7 || !errors.Is(err, errAt) {
		t.Errorf("Finish = %d, %v; want the idiom 7 and errAt", i, err)
	}
}

// TestLargeTwinSums checks a fold of more tasks than a twin holds before it
// starts them: the sum is the loop's.
func TestLargeTwinSums(t *testing.T) {
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	add := func(x, y int) int { return x + y }
	var total core.Delayed[int]
	want := 0
	for i := range 3000 {
		total = core.Track(tw, core.Call2(add, total, core.Track(tw, cheapSquare.Call(core.Value(i)))))
		want += i * i
	}
	for i := 5000; i < 30_000; i++ {
		total = core.Track(tw, core.Call2(add, total, core.Track(tw, cheapSquare.Call(core.Value(i)))))
		want += i * i
	}
	if _, err := tw.Finish(total); err != nil || total.Must() != want {
		t.Errorf("Finish: %v, total %d; want %d", err, total.Must(), want)
	}
}

// inlineLoop is loop with the calls issued as generated twins issue them,
// which runs cheap calls at once in the producer.
func inlineLoop(tw *core.Twin, from, to int, slots core.Slots) (sum int, at int, err error) {
	for it, st := range core.Pipeline(tw, core.DefaultWindow, slots, func(p *core.Producer[iter]) {
		for i := from; i < to; i++ {
			if !p.Next(func(it *iter, st *core.Step) {
				it.i = i
				st.At(1)
				it.d = cheapSquare.Issue(st, core.Value(i))
			}) {
				return
			}
		}
	}) {
		tw.Adopt(st, 1)
		if _, err := core.Await(tw, it.d); err != nil {
			return sum, it.i, err
		}
		sum += it.d.Must()
	}
	return sum, -1, nil
}

// TestInlineCallsKeepOrderErrorsAndPanics runs a function cheaper than a
// task in the producer: values, the first error and the panic are F's, as
// with tasks, and the loop makes no task per call.
func TestInlineCallsKeepOrderErrorsAndPanics(t *testing.T) {
	// While the dashboard records (an earlier test started one), every
	// call is a task, so that the page shows it.
	defer core.PauseRecording()()
	core.SetCost(cheapSquare, 50) // cheaper than a task: inline
	ctx := context.Background()
	for _, slots := range []core.Slots{core.Keep, core.Reuse} {
		tw := core.NewTwin(ctx)
		sum, at, err := inlineLoop(tw, 0, 3000, slots)
		want := 0
		for i := range 3000 {
			want += i * i
		}
		if err != nil || sum != want {
			t.Fatalf("slots %v: loop over 0..2999 = %d, %v (at %d); want %d", slots, sum, err, at, want)
		}
		tw.Close()

		tw = core.NewTwin(ctx)
		_, at, err = inlineLoop(tw, 2000, 6000, slots)
		var te *core.TaskError
		if !errors.Is(err, errAt) || at != 3001 || !errors.As(err, &te) || !strings.HasPrefix(te.Task, "cheapSquare-") {
			t.Errorf("slots %v: loop over 2000..5999 stopped at %d with %v; want 3001 and errAt from a cheapSquare task", slots, at, err)
		}
		tw.Close()

		tw = core.NewTwin(ctx)
		func() {
			defer func() {
				pe, ok := recover().(*core.PanicError)
				if !ok || pe.Value != "boom at 4002" || !strings.HasPrefix(pe.Task, "cheapSquare-") || !strings.Contains(string(pe.Stack), "granular_test.go") {
					t.Errorf("slots %v: recovered %v; want the panic of 4002 with cheapSquare's stack", slots, pe)
				}
			}()
			_, at, err := inlineLoop(tw, 3002, 6000, slots)
			t.Errorf("slots %v: loop over 3002..5999 returned (at %d, %v); want a panic", slots, at, err)
		}()
		tw.Close()
	}

	// No task per call: a loop of 20,000 iterations allocates for its
	// window, not per iteration, when it reuses its slots. A quiet machine
	// sees about 100 allocations; a loaded one parks the producer more
	// often and allocates a few hundred (seen: 444), still far from one
	// per iteration.
	allocs := testing.AllocsPerRun(3, func() {
		tw := core.NewTwin(ctx)
		defer tw.Close()
		if _, _, err := inlineLoop(tw, 5000, 25_000, core.Reuse); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1000 && !raceEnabled {
		t.Errorf("a loop of 20,000 inline calls allocated %.0f times; want at most 1000 (one per 20 iterations)", allocs)
	}
}

// TestExpensiveCallsLeaveTheProducer checks that the producer notices a
// function that turned expensive among the calls it runs itself, and
// makes tasks of its calls again.
func TestExpensiveCallsLeaveTheProducer(t *testing.T) {
	slow := core.Func1(func(x int) int {
		if x >= 100 {
			time.Sleep(200 * time.Microsecond)
		}
		return x
	})
	defer core.PauseRecording()()
	core.SetCost(slow, 50)
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	inline := 0
	for it, st := range core.Pipeline(tw, 64, core.Reuse, func(p *core.Producer[iter]) {
		for i := range 400 {
			if !p.Next(func(it *iter, st *core.Step) {
				it.i = i
				it.d = slow.Issue(st, core.Value(i))
			}) {
				return
			}
		}
	}) {
		tw.Adopt(st, 0)
		if _, err := core.Await(tw, it.d); err != nil || it.d.Must() != it.i {
			t.Fatalf("iteration %d: %d, %v", it.i, it.d.Must(), err)
		}
		if it.i >= 300 && it.d.Key() == "" {
			inline++
		}
	}
	if inline > 0 {
		t.Errorf("%d of the last 100 calls, which sleep 200µs, ran in the producer; want tasks", inline)
	}
}

// TestBlockingCallsLeaveWithTheLoop: a function learnt as cheap may still
// block until its context is done. It takes a context, so its calls are
// tasks, and leaving the loop cancels those of iterations it did not reach
// at once, in both kinds of pipeline.
func TestBlockingCallsLeaveWithTheLoop(t *testing.T) {
	defer core.PauseRecording()()
	block := core.Func1C(func(ctx context.Context, x int) int {
		if x > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
			}
		}
		return x
	})
	core.SetCost(block, 50)
	loops := map[string]func(tw *core.Twin) func(yield func(*iter, *core.Step) bool){
		"Pipeline": func(tw *core.Twin) func(yield func(*iter, *core.Step) bool) {
			return core.Pipeline(tw, 16, core.Reuse, func(p *core.Producer[iter]) {
				for i := range 100 {
					if !p.Next(func(it *iter, st *core.Step) { it.i, it.d = i, block.Issue(st, core.Value(i)) }) {
						return
					}
				}
			})
		},
		"PipelineIndex": func(tw *core.Twin) func(yield func(*iter, *core.Step) bool) {
			return core.PipelineIndex(tw, 16, core.Reuse, 100, func(k int, it *iter, st *core.Step) {
				it.i, it.d = k, block.Issue(st, core.Value(k))
			}, nil)
		},
	}
	for name, loop := range loops {
		t.Run(name, func(t *testing.T) {
			tw := core.NewTwin(context.Background())
			begin := time.Now()
			for it, st := range loop(tw) {
				tw.Adopt(st, 0)
				if _, err := core.Await(tw, it.d); err != nil || it.d.Must() != 0 {
					t.Fatalf("iteration %d: %d, %v", it.i, it.d.Must(), err)
				}
				break
			}
			tw.Close()
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("leaving the loop took %v: the calls issued ahead were not cancelled", d)
			}
		})
	}
}

// TestRecordedCallsAreNotInline: while the dashboard records, calls that
// would run in the producer become tasks (chunked, as cheap calls are), so
// that the page shows the work rather than nothing.
func TestRecordedCallsAreNotInline(t *testing.T) {
	d, err := core.StartDashboard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	seen := core.Func1(func(x int) int { return x + 1 }, core.Name("seenOnPage"))
	core.SetCost(seen, 50) // cheap enough to run inline when nothing records
	tw := core.NewTwin(context.Background())
	tasks := 0
	for it, st := range core.PipelineIndex(tw, 64, core.Reuse, 200, func(k int, it *iter, st *core.Step) {
		it.i, it.d = k, seen.Issue(st, core.Value(k))
	}, nil) {
		tw.Adopt(st, 0)
		if _, err := core.Await(tw, it.d); err != nil || it.d.Must() != it.i+1 {
			t.Fatalf("iteration %d: %d, %v", it.i, it.d.Must(), err)
		}
		if it.d.Key() != "" {
			tasks++
		}
	}
	tw.Close()
	if tasks != 200 {
		t.Errorf("%d of 200 calls were tasks while the dashboard recorded; want all", tasks)
	}
	// The calls were chunked: the page counts their batches as the
	// function's. (A call that
	// the twin's loop needed before its chunk ran it runs in place, and a
	// chunk with nothing left may be cancelled when the twin closes, so how
	// many batches ran depends on timing.)
	f := readFeed(t, d, func(f *feed) bool {
		_, _, _, ok := f.counts("seenOnPage")
		return ok
	})
	if _, _, _, ok := f.counts("seenOnPage"); !ok {
		t.Errorf("the page does not list seenOnPage: %v", f.Fns)
	}
}
