package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// iter is what the tests' issue parts hand over.
type iter struct {
	i int
	d core.Delayed[int]
}

// squares is a pipelined loop over n items whose delayed call is f; the eager
// part reads each value as it comes.
func squares(t *core.Twin, n, window int, f core.Fn1[int, int], issued *atomic.Int64) func(yield func(*iter, *core.Step) bool) {
	return core.Pipeline(t, window, core.Reuse, func(p *core.Producer[iter]) {
		for i := range n {
			if issued != nil {
				issued.Add(1)
			}
			if !p.Next(func(it *iter, st *core.Step) {
				it.i = i
				st.At(1)
				it.d = core.Issue(st, f.Call(core.Value(i)))
			}) {
				return
			}
		}
	})
}

// squaresIndex is squares as an indexed pipeline: several producers.
func squaresIndex(t *core.Twin, n, window int, f core.Fn1[int, int], issued *atomic.Int64) func(yield func(*iter, *core.Step) bool) {
	return core.PipelineIndex(t, window, core.Reuse, n, func(k int, it *iter, st *core.Step) {
		if issued != nil {
			issued.Add(1)
		}
		it.i = k
		st.At(1)
		it.d = f.Issue(st, core.Value(k))
	}, nil)
}

type squaresFunc = func(t *core.Twin, n, window int, f core.Fn1[int, int], issued *atomic.Int64) func(yield func(*iter, *core.Step) bool)

// both runs test with each kind of pipeline.
func both(t *testing.T, test func(t *testing.T, squares squaresFunc)) {
	t.Run("Pipeline", func(t *testing.T) { test(t, squares) })
	t.Run("PipelineIndex", func(t *testing.T) { test(t, squaresIndex) })
}

var slowSquare = core.Func1(func(x int) int { time.Sleep(2 * time.Millisecond); return x * x })

func TestPipelineKeepsOrder(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		tw := core.NewTwin(context.Background())
		defer tw.Close()
		var got []int
		for it, st := range squares(tw, 200, 16, slowSquare, nil) {
			tw.Adopt(st, 1)
			if _, err := tw.Wait(it.d); err != nil {
				t.Fatal(err)
			}
			got = append(got, it.i, it.d.Must())
		}
		for i := range 200 {
			if got[2*i] != i || got[2*i+1] != i*i {
				t.Fatalf("iteration %d: got (%d, %d), want (%d, %d)", i, got[2*i], got[2*i+1], i, i*i)
			}
		}
	})
}

func TestPipelineRunsAheadWithinWindow(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		var running, most atomic.Int64
		f := core.Func1(func(x int) int {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
			return x
		})
		tw := core.NewTwin(context.Background())
		defer tw.Close()
		var issued atomic.Int64
		consumed := int64(0)
		const window = 8
		for it, st := range squares(tw, 40, window, f, &issued) {
			tw.Adopt(st, 1)
			if _, err := tw.Wait(it.d); err != nil {
				t.Fatal(err)
			}
			consumed++
			// The producer is at most a full window, a group of iterations
			// gathered to start together (at most a window), and one being
			// issued ahead of the eager part.
			if ahead := issued.Load() - consumed; ahead > 2*window+2 {
				t.Fatalf("the producer is %d iterations ahead, window %d", ahead, window)
			}
		}
		if most.Load() < window/2 {
			t.Errorf("at most %d calls ran at once; the pipeline should overlap about %d", most.Load(), window)
		}
	})
}

func TestPipelineEarlyExitCancels(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		var started, cancelled atomic.Int64
		block := core.Func1C(func(ctx context.Context, x int) int {
			if x == 0 {
				return 0
			}
			started.Add(1)
			select {
			case <-ctx.Done():
				cancelled.Add(1)
			case <-time.After(10 * time.Second):
			}
			return x
		})
		tw := core.NewTwin(context.Background())
		begin := time.Now()
		for it, st := range squares(tw, 1000, 4, block, nil) {
			tw.Adopt(st, 1)
			if _, err := tw.Wait(it.d); err != nil {
				t.Fatal(err)
			}
			break // F leaves after the first iteration
		}
		tw.Close()
		if d := time.Since(begin); d > 5*time.Second {
			t.Fatalf("leaving the loop took %v: the calls issued ahead were not cancelled", d)
		}
		if started.Load() > 0 && cancelled.Load() != started.Load() {
			t.Errorf("%d calls issued ahead started, %d were cancelled", started.Load(), cancelled.Load())
		}
	})
}

func TestPipelinePanics(t *testing.T) {
	// A panic of the issue part's step 1 in iteration 3 is raised where the
	// eager part adopts that step, after iterations 0 to 2.
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	var seen []int
	func() {
		defer func() {
			if p := recover(); p != "step 3" {
				t.Errorf("recovered %v, want step 3", p)
			}
		}()
		for it, st := range core.Pipeline(tw, 4, core.Keep, func(p *core.Producer[iter]) {
			for i := range 10 {
				if !p.Next(func(it *iter, st *core.Step) {
					it.i = i
					st.At(1)
					if i == 3 {
						panic(fmt.Sprint("step ", i))
					}
				}) {
					return
				}
			}
		}) {
			seen = append(seen, it.i)
			tw.Adopt(st, 1)
		}
	}()
	if fmt.Sprint(seen) != "[0 1 2 3]" {
		t.Errorf("the eager part saw iterations %v, want [0 1 2 3]", seen)
	}

	// A panic of the header is raised when the eager part asks for the
	// iteration after the last one the header made.
	seen = nil
	func() {
		defer func() {
			if p := recover(); p != "header" {
				t.Errorf("recovered %v, want header", p)
			}
		}()
		for it := range core.Pipeline(tw, 4, core.Keep, func(p *core.Producer[iter]) {
			for i := 0; ; i++ {
				if i == 5 {
					panic("header")
				}
				if !p.Next(func(it *iter, st *core.Step) { it.i = i }) {
					return
				}
			}
		}) {
			seen = append(seen, it.i)
		}
	}()
	if fmt.Sprint(seen) != "[0 1 2 3 4]" {
		t.Errorf("the eager part saw iterations %v, want [0 1 2 3 4]", seen)
	}
}

func TestPipelineFirstErrorInOrder(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		// Iteration 5 fails at once; iteration 2 fails later. The eager part
		// reaches iteration 2 first, and so meets its error, as F would.
		errAt := func(i int) error { return fmt.Errorf("failed at %d", i) }
		f := core.Func1E(func(x int) (int, error) {
			switch x {
			case 2:
				time.Sleep(30 * time.Millisecond)
				return 0, errAt(2)
			case 5:
				return 0, errAt(5)
			}
			return x, nil
		})
		tw := core.NewTwin(context.Background())
		defer tw.Close()
		var err error
		for it, st := range squares(tw, 10, 8, f, nil) {
			tw.Adopt(st, 1)
			if _, err = tw.Wait(it.d); err != nil {
				break
			}
		}
		if !errorsIsText(err, "failed at 2") {
			t.Errorf("error %v, want the one of iteration 2", err)
		}
	})
}

func errorsIsText(err error, text string) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == text {
			return true
		}
	}
	return false
}

func TestPipelineContextCancelled(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tw := core.NewTwin(ctx)
		defer tw.Close()
		n := 0
		var err error
		for it, st := range squares(tw, 100, 8, slowSquare, nil) {
			tw.Adopt(st, 1)
			if n == 3 {
				cancel()
			}
			if _, err = tw.Wait(it.d); err != nil {
				break
			}
			n++
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want one wrapping context.Canceled", err)
		}
	})
}

// TestPipelineBreakKeepsReachedTasks: iterations gathered into one batch
// while the eager part was busy share it; leaving the loop must not cancel
// the tasks of the iterations the loop reached, which Finish still needs.
func TestPipelineBreakKeepsReachedTasks(t *testing.T) {
	both(t, func(t *testing.T, squares squaresFunc) {
		slow := core.Func1(func(x int) int { time.Sleep(5 * time.Millisecond); return x + 1 })
		for range 20 {
			tw := core.NewTwin(context.Background())
			var kept []core.Delayed[int]
			n := 0
			for it, st := range squares(tw, 200, 64, slow, nil) {
				tw.Adopt(st, 1)
				if n == 0 {
					// Busy: the producer gathers the next iterations meanwhile.
					if _, err := tw.Wait(it.d); err != nil {
						t.Fatal(err)
					}
					time.Sleep(2 * time.Millisecond)
				}
				kept = append(kept, it.d) // reached, not waited for
				if n++; n == 3 {
					break
				}
			}
			if _, err := tw.Finish(); err != nil {
				t.Fatalf("Finish after break: %v", err)
			}
			for i, d := range kept {
				if v := d.Must(); v != i+1 {
					t.Fatalf("iteration %d: %d", i, v)
				}
			}
			tw.Close()
		}
	})
}

func TestPipelineIndexPanicsAndEmpty(t *testing.T) {
	// A panic of iteration 70's issue part, in the second block and issued
	// by whichever producer, is raised where the eager part adopts it.
	tw := core.NewTwin(context.Background())
	defer tw.Close()
	var seen []int
	func() {
		defer func() {
			if p := recover(); p != "step 70" {
				t.Errorf("recovered %v, want step 70", p)
			}
		}()
		for it, st := range core.PipelineIndex(tw, 16, core.Reuse, 1000, func(k int, it *iter, st *core.Step) {
			it.i = k
			st.At(1)
			if k == 70 || k == 90 {
				panic(fmt.Sprint("step ", k))
			}
		}, nil) {
			seen = append(seen, it.i)
			tw.Adopt(st, 1)
		}
	}()
	if len(seen) != 71 || seen[70] != 70 {
		t.Errorf("the eager part saw %d iterations, the last %v; want 0 to 70", len(seen), seen[len(seen)-1:])
	}

	for it := range core.PipelineIndex(tw, 16, core.Reuse, 0, func(int, *iter, *core.Step) {
		t.Error("an issue part ran for a loop of no iterations")
	}, nil) {
		t.Errorf("the eager part got iteration %d of a loop of none", it.i)
	}
}

// TestPipelineIndexInline runs cheap calls in the producers of an indexed
// pipeline: every value in order, the first error and the panic are F's.
func TestPipelineIndexInline(t *testing.T) {
	defer core.PauseRecording()()
	core.SetCost(cheapSquare, 50)
	run := func(from, to int) (sum, at int, err error) {
		tw := core.NewTwin(context.Background())
		defer tw.Close()
		for it, st := range core.PipelineIndex(tw, core.DefaultWindow, core.Reuse, to-from, func(k int, it *iter, st *core.Step) {
			it.i = from + k
			st.At(1)
			it.d = cheapSquare.Issue(st, core.Value(it.i))
		}, nil) {
			tw.Adopt(st, 1)
			if _, err := core.Await(tw, it.d); err != nil {
				return sum, it.i, err
			}
			sum += it.d.Must()
		}
		return sum, -1, nil
	}
	want := 0
	for i := range 3000 {
		want += i * i
	}
	if sum, at, err := run(0, 3000); err != nil || sum != want {
		t.Fatalf("loop over 0..2999 = %d, %v (at %d); want %d", sum, err, at, want)
	}
	if _, at, err := run(2000, 6000); !errors.Is(err, errAt) || at != 3001 {
		t.Errorf("loop over 2000..5999 stopped at %d with %v; want 3001 and errAt", at, err)
	}
	func() {
		defer func() {
			if pe, ok := recover().(*core.PanicError); !ok || pe.Value != "boom at 4002" {
				t.Errorf("recovered %v; want the panic of 4002", pe)
			}
		}()
		_, at, err := run(3002, 6000)
		t.Errorf("loop over 3002..5999 returned (at %d, %v); want a panic", at, err)
	}()
}

// TestPipelineIndexDetached runs the eager parts of a loop whose eager parts
// commute (out[i] = f(x)) in the producers: every element is stored, the
// caller's range receives only the iterations whose values were not known
// in the producer, and a failure or a panic, of the call or of the eager
// part, is met where the sequential loop meets it.
func TestPipelineIndexDetached(t *testing.T) {
	defer core.PauseRecording()()
	core.SetCost(cheapSquare, 50)
	// run is the twin of
	//
	//	for i := range n { out[i] = 10 / (cheapSquare(from+i) - zeroAt) }
	//
	// with the given detach, and counts the iterations the range receives.
	run := func(from, n, zeroAt int, detached bool) (out []int, received, at int, err error) {
		tw := core.NewTwin(context.Background())
		defer tw.Close()
		out = make([]int, n)
		var detach func(it *iter) bool
		if detached {
			detach = func(it *iter) bool {
				if !it.d.Done() {
					return false
				}
				out[it.i-from] = 10_000_000 / (it.d.Must() - zeroAt)
				return true
			}
		}
		for it, st := range core.PipelineIndex(tw, core.DefaultWindow, core.Reuse, n, func(k int, it *iter, st *core.Step) {
			it.i = from + k
			st.At(1)
			it.d = cheapSquare.Issue(st, core.Value(it.i))
		}, detach) {
			received++
			tw.Adopt(st, 1)
			if _, err := core.Await(tw, it.d); err != nil {
				return out, received, it.i, err
			}
			out[it.i-from] = 10_000_000 / (it.d.Must() - zeroAt)
		}
		if _, err := tw.Finish(); err != nil {
			return out, received, -1, err
		}
		return out, received, -1, nil
	}

	want, received, _, err := run(1, 2000, -1, false)
	if err != nil || received != 2000 {
		t.Fatalf("without detach: %v, %d iterations received; want all 2000", err, received)
	}
	got, received, _, err := run(1, 2000, -1, true)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("with detach: err %v, out equal to the loop's: %v", err, slices.Equal(got, want))
	}
	if received != 0 {
		t.Errorf("the range received %d iterations whose calls ran inline; want none", received)
	}

	// The call fails at 3001: the range meets it there, as F does.
	if _, _, at, err := run(2000, 2000, -1, true); !errors.Is(err, errAt) || at != 3001 {
		t.Errorf("loop over 2000..3999 stopped at %d with %v; want 3001 and errAt", at, err)
	}
	// The eager part divides by zero at 100: the producer gives the
	// iteration back, and the range panics there, in order.
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "divide by zero") {
				t.Errorf("recovered %v; want the division by zero of iteration 100", r)
			}
		}()
		_, received, at, err := run(0, 2000, 100*100, true)
		t.Errorf("the loop returned (at %d, %v, %d received); want a panic", at, err, received)
	}()
	// The call panics at 4002, before the eager part: the range panics
	// with the call's panic.
	func() {
		defer func() {
			if pe, ok := recover().(*core.PanicError); !ok || pe.Value != "boom at 4002" {
				t.Errorf("recovered %v; want the panic of 4002", pe)
			}
		}()
		_, _, at, err := run(3002, 2000, -1, true)
		t.Errorf("loop over 3002..5001 returned (at %d, %v); want a panic", at, err)
	}()
}
