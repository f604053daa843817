package natsexec_test

import (
	"context"
	"errors"
	"testing"
	"time"

	daskgen "github.com/daskgen/daskgen/runtime"
)

// TestSharedTaskOfACancelledCompute: two computes on the executor share a
// task that a worker runs; the first published it, the second waits for
// it, and the first is cancelled before the result comes. The task goes
// back to pending, and the second compute, whose context is live, computes
// it again rather than fail with "abandoned by the cancelled compute".
func TestSharedTaskOfACancelledCompute(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 5*time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	shared := slow.Call(daskgen.Value(7)) // 300 ms on the worker
	actx, acancel := context.WithCancel(ctx)
	defer acancel()
	aerr := make(chan error, 1)
	go func() {
		_, err := daskgen.Compute(actx, square.Call(shared), daskgen.Using(ex))
		aerr <- err
	}()
	time.Sleep(100 * time.Millisecond) // the first compute has published the shared task
	type result struct {
		v   int
		err error
	}
	bres := make(chan result, 1)
	go func() {
		v, err := daskgen.Compute(ctx, square.Call(shared), daskgen.Using(ex))
		bres <- result{v, err}
	}()
	time.Sleep(50 * time.Millisecond) // the second waits for it
	acancel()
	if err := <-aerr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled compute: %v, want context.Canceled", err)
	}
	if b := <-bres; b.err != nil || b.v != 1007*1007 {
		t.Fatalf("the compute whose context is live: %d, %v; want %d", b.v, b.err, 1007*1007)
	}
}
