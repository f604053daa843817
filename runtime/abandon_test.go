package runtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime"
)

// TestSharedTaskOfACancelledCompute: two computes share a task; the first
// runs it, the second waits for it, and the first is cancelled while the
// task runs. The task goes back to pending (its result may be a cancelled
// one), and the second compute, whose context is live, computes it again
// instead of failing with "abandoned by the cancelled compute". Both the
// concurrent and the synchronous compute wait so.
func TestSharedTaskOfACancelledCompute(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []runtime.Option
	}{{"concurrent", nil}, {"synchronous", []runtime.Option{runtime.Synchronous()}}} {
		t.Run(tc.name, func(t *testing.T) {
			st := newSharedTask()
			shared, plus10, started := st.shared, st.plus10, st.started

			actx, cancel := context.WithCancel(context.Background())
			defer cancel()
			aerr := make(chan error, 1)
			go func() {
				_, err := runtime.Compute(actx, plus10.Call(shared))
				aerr <- err
			}()
			<-started // the first compute runs the shared task
			type result struct {
				v   int
				err error
			}
			bres := make(chan result, 1)
			go func() {
				v, err := runtime.Compute(context.Background(), plus10.Call(shared), tc.opts...)
				bres <- result{v, err}
			}()
			time.Sleep(50 * time.Millisecond) // the second waits for it
			cancel()
			if err := <-aerr; !errors.Is(err, context.Canceled) {
				t.Errorf("the cancelled compute: %v, want context.Canceled", err)
			}
			b := <-bres
			if b.err != nil || b.v != 12 {
				t.Fatalf("the compute whose context is live: %d, %v; want 12", b.v, b.err)
			}
			if runs := st.runs(); runs != 2 {
				t.Errorf("the shared task ran %d times, want 2: the cancelled run, and the live compute's", runs)
			}
		})
	}
}

// TestSharedTaskOfACancelledFuture: two futures of one client share a task;
// the first runs it and is cancelled while the task runs. The second, not
// cancelled, computes the task again instead of failing with "abandoned by
// the cancelled compute".
func TestSharedTaskOfACancelledFuture(t *testing.T) {
	st := newSharedTask()
	shared, plus10, started := st.shared, st.plus10, st.started

	c, err := runtime.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	a := runtime.Submit(ctx, c, plus10.Call(shared))
	<-started // a runs the shared task
	b := runtime.Submit(ctx, c, plus10.Call(shared))
	time.Sleep(50 * time.Millisecond) // b waits for it
	a.Cancel()
	if _, err := a.Result(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled future: %v, want context.Canceled", err)
	}
	if v, err := b.Result(ctx); err != nil || v != 12 {
		t.Fatalf("the future not cancelled: %d, %v; want 12", v, err)
	}
	if !b.Done() {
		t.Error("b is not done after its Result")
	}
	if runs := st.runs(); runs != 2 {
		t.Errorf("the shared task ran %d times, want 2: the cancelled run, and b's", runs)
	}
}

// sharedTask is a slow task that two computes share (shared, plus10 of it
// in each), which signals started when a run begins and counts its runs.
type sharedTask struct {
	shared  runtime.Delayed[int]
	plus10  runtime.Fn1[int, int]
	started chan struct{}
	mu      sync.Mutex
	n       int
}

func newSharedTask() *sharedTask {
	st := &sharedTask{started: make(chan struct{}, 1), plus10: runtime.Func1(func(x int) int { return x + 10 })}
	st.shared = runtime.Func1(func(x int) int {
		st.mu.Lock()
		st.n++
		st.mu.Unlock()
		select {
		case st.started <- struct{}{}:
		default:
		}
		time.Sleep(200 * time.Millisecond)
		return x + 1
	}).Call(runtime.Value(1))
	return st
}

// runs returns how many times the shared task has run.
func (st *sharedTask) runs() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.n
}
