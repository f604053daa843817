package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/daskgen/daskgen/runtime"
)

var errAt = errors.New("bad item")

// cheapSquare is a cheap delayed function that fails at 3001 and panics at
// 4002, for the chunk tests.
var cheapSquare = runtime.Func1E(func(x int) (int, error) {
	switch x {
	case 3001:
		return 0, fmt.Errorf("item %d: %w", x, errAt)
	case 4002:
		panic("boom at 4002")
	}
	return x * x, nil
}, runtime.Name("cheapSquare"))

// loop is a pipelined loop over the items from, to; the eager part waits
// for each value in order, as a twin's does, and stops at the first error.
func loop(tw *runtime.Twin, from, to int) (sum int, at int, err error) {
	for it, st := range runtime.Pipeline(tw, runtime.DefaultWindow, func(p *runtime.Producer[iter]) {
		for i := from; i < to; i++ {
			if !p.Next(func(it *iter, st *runtime.Step) {
				it.i = i
				st.At(1)
				it.d = runtime.Issue(st, cheapSquare.Call(runtime.Value(i)))
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
	d, err := runtime.StartDashboard("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	runtime.SetCost(cheapSquare, 100) // 100 ns a call: chunks of 256

	ctx := context.Background()
	tw := runtime.NewTwin(ctx)
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
	tw = runtime.NewTwin(ctx)
	_, at, err = loop(tw, 2000, 6000)
	if !errors.Is(err, errAt) || at != 3001 {
		t.Errorf("loop over 2000..5999 stopped at %d with %v; want 3001 and errAt", at, err)
	}
	tw.Close()

	// Past the error, the panic comes where the loop meets it.
	tw = runtime.NewTwin(ctx)
	func() {
		defer func() {
			pe, ok := recover().(*runtime.PanicError)
			if !ok || pe.Value != "boom at 4002" {
				t.Errorf("recovered %v; want the panic of 4002", pe)
			}
		}()
		_, at, err := loop(tw, 3002, 6000)
		t.Errorf("loop over 3002..5999 returned (at %d, %v); want a panic", at, err)
	}()
	tw.Close()

	f := readFeed(t, d, func(f *feed) bool {
		done, _, _, ok := f.counts("batch of cheapSquare")
		return ok && done > 0
	})
	if done, _, _, ok := f.counts("batch of cheapSquare"); !ok || done == 0 {
		t.Errorf("no chunks of cheapSquare ran: %v", f.Fns)
	}
}

// TestLargeTwinKeepsFirstError adds more tasks than a twin holds before it
// starts them in the background, with an error idiom on each call: the
// twin still reports the first failure in program order (the error at
// 3001), not the panic at 4002 that the background may have met too.
func TestLargeTwinKeepsFirstError(t *testing.T) {
	tw := runtime.NewTwin(context.Background())
	defer tw.Close()
	add := func(x, y int) int { return x + y }
	var total runtime.Delayed[int]
	for i := range 30_000 {
		d := runtime.Track(tw, cheapSquare.Call(runtime.Value(i)))
		tw.CheckAt(d, 7)
		total = runtime.Track(tw, runtime.Call2(add, total, d))
	}
	i, err := tw.Finish(total)
	if i != 7 || !errors.Is(err, errAt) {
		t.Errorf("Finish = %d, %v; want the idiom 7 and errAt", i, err)
	}
}

// TestLargeTwinSums checks a fold of more tasks than a twin holds before it
// starts them: the sum is the loop's.
func TestLargeTwinSums(t *testing.T) {
	tw := runtime.NewTwin(context.Background())
	defer tw.Close()
	add := func(x, y int) int { return x + y }
	var total runtime.Delayed[int]
	want := 0
	for i := range 3000 {
		total = runtime.Track(tw, runtime.Call2(add, total, runtime.Track(tw, cheapSquare.Call(runtime.Value(i)))))
		want += i * i
	}
	for i := 5000; i < 30_000; i++ {
		total = runtime.Track(tw, runtime.Call2(add, total, runtime.Track(tw, cheapSquare.Call(runtime.Value(i)))))
		want += i * i
	}
	if _, err := tw.Finish(total); err != nil || total.Must() != want {
		t.Errorf("Finish: %v, total %d; want %d", err, total.Must(), want)
	}
}
