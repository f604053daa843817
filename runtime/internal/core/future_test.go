package core_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

func newClient(t *testing.T, opts ...core.Option) *core.Client {
	t.Helper()
	c, err := core.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

var doubleFn = core.Func1(func(x int) int { return 2 * x })

func TestSubmitAndResult(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	y := core.Submit(ctx, c, incFn.Call(core.Value(10)))
	z := core.Submit(ctx, c, doubleFn.Call(y.Delayed()))
	v, err := z.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 22, v)
	assert.True(t, z.Done())
	assert.True(t, y.Done())
	assert.Equal(t, z.Delayed().Key(), z.Key())
}

func TestSubmitLoopAndGather(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	var futs []*core.Future[int]
	for x := 1; x <= 10; x++ {
		y := core.Submit(ctx, c, incFn.Call(core.Value(x)))
		futs = append(futs, core.Submit(ctx, c, doubleFn.Call(y.Delayed())))
	}
	vs, err := core.Gather(ctx, futs)
	require.NoError(t, err)
	assert.Equal(t, []int{4, 6, 8, 10, 12, 14, 16, 18, 20, 22}, vs)
}

func TestFutureArgumentDoesNotRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	release := make(chan struct{})
	slow := core.Submit(ctx, c, core.Call0(func() int { <-release; return 1 }))
	// Submitting work that depends on slow returns at once, before slow ends.
	dep := core.Submit(ctx, c, incFn.Call(slow.Delayed()))
	assert.False(t, dep.Done())
	close(release)
	v, err := dep.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)
}

func TestMapFutures(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	futs := core.Map(ctx, c, incFn, []int{1, 2, 3})
	vs, err := core.Gather(ctx, futs)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 4}, vs)
}

func TestGatherReturnsFirstErrorInOrder(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	f := core.Func1E(func(x int) (int, error) {
		time.Sleep(time.Duration(5-x) * 5 * time.Millisecond)
		if x >= 2 {
			return 0, fmt.Errorf("fail %d", x)
		}
		return x, nil
	})
	futs := core.Map(ctx, c, f, []int{0, 1, 2, 3, 4})
	_, err := core.Gather(ctx, futs)
	assert.ErrorContains(t, err, "fail 2")
}

func TestFailedFutureFailsDependents(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	bad := core.Submit(ctx, c, core.Func0E(func() (int, error) {
		time.Sleep(10 * time.Millisecond)
		return 0, errors.New("upstream")
	}).Call())
	dep := core.Submit(ctx, c, incFn.Call(bad.Delayed()))
	_, err := dep.Result(ctx)
	assert.ErrorContains(t, err, "upstream")
	_, err = bad.Result(ctx)
	assert.ErrorContains(t, err, "upstream")
}

func TestFuturePanicRaisedByResult(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	f := core.Submit(ctx, c, core.Call0(func() int { panic("in future") }))
	defer func() {
		pe, ok := recover().(*core.PanicError)
		require.True(t, ok, "Result panics with a *PanicError")
		assert.Equal(t, "in future", pe.Value)
		assert.Equal(t, f.Key(), pe.Task)
	}()
	_, _ = f.Result(ctx)
	t.Fatal("Result returned instead of panicking")
}

func TestCancelFuture(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	var started atomic.Bool
	f := core.Submit(ctx, c, core.Func0CE(func(ctx context.Context) (int, error) {
		started.Store(true)
		<-ctx.Done()
		return 0, ctx.Err()
	}).Call())
	for !started.Load() {
		time.Sleep(time.Millisecond)
	}
	dep := core.Submit(ctx, c, incFn.Call(f.Delayed()))
	f.Cancel()
	_, err := f.Result(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = dep.Result(ctx)
	assert.ErrorIs(t, err, context.Canceled, "work that depends on a cancelled future fails")
}

func TestResultContextDone(t *testing.T) {
	c := newClient(t)
	release := make(chan struct{})
	f := core.Submit(context.Background(), c, core.Call0(func() int { <-release; return 1 }))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err := f.Result(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	v, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, v, "the future went on")
}

func TestCloseCancelsAndWaits(t *testing.T) {
	c, err := core.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	var running atomic.Int32
	var futs []*core.Future[int]
	for range 5 {
		futs = append(futs, core.Submit(ctx, c, core.Func0CE(func(ctx context.Context) (int, error) {
			running.Add(1)
			defer running.Add(-1)
			<-ctx.Done()
			return 0, ctx.Err()
		}).Call()))
	}
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, c.Close())
	assert.Equal(t, int32(0), running.Load(), "Close waits for running tasks")
	for _, f := range futs {
		_, err := f.Result(ctx)
		assert.ErrorIs(t, err, core.ErrClosed)
	}
	late := core.Submit(ctx, c, incFn.Call(core.Value(1)))
	_, err = late.Result(ctx)
	assert.ErrorIs(t, err, core.ErrClosed)
	require.NoError(t, c.Close(), "Close is idempotent")
}

func TestSubmitBadTaskFailsFuture(t *testing.T) {
	c := newClient(t)
	f := core.Submit(context.Background(), c, core.Func1[int, int](nil).Call(core.Value(1)))
	assert.True(t, f.Done())
	_, err := f.Result(context.Background())
	assert.ErrorContains(t, err, "nil function")
	_, err = core.NewClient(core.MaxWorkers(-1))
	assert.ErrorContains(t, err, "MaxWorkers")
}

func TestAsCompletedYieldsInCompletionOrder(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	sleepy := core.Func1(func(ms int) int { time.Sleep(time.Duration(ms) * time.Millisecond); return ms })
	ac := core.NewAsCompleted(core.Map(ctx, c, sleepy, []int{60, 1, 30})...)
	assert.Equal(t, 3, ac.Len())
	var got []int
	for f := range ac.All(ctx) {
		v, err := f.Result(ctx)
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 30, 60}, got)
	assert.Equal(t, 0, ac.Len())
}

// TestAsCompletedGrows is the crawler pattern: every finished page adds the
// pages it links to while the loop runs.
func TestAsCompletedGrows(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	links := map[int][]int{0: {1, 2}, 1: {3, 4}, 2: {4, 5}, 3: {}, 4: {6}, 5: {0}, 6: {}}
	scrape := core.Func1(func(p int) []int { time.Sleep(time.Millisecond); return links[p] })
	seen := map[int]bool{0: true}
	ac := core.NewAsCompleted(core.Submit(ctx, c, scrape.Call(core.Value(0))))
	visits := 1
	for f := range ac.All(ctx) {
		found, err := f.Result(ctx)
		require.NoError(t, err)
		for _, p := range found {
			if !seen[p] {
				seen[p] = true
				visits++
				ac.Add(core.Submit(ctx, c, scrape.Call(core.Value(p))))
			}
		}
	}
	assert.Equal(t, 7, visits)
}

func TestAsCompletedStopsWithContext(t *testing.T) {
	c := newClient(t)
	release := make(chan struct{})
	defer close(release)
	ac := core.NewAsCompleted(core.Submit(context.Background(), c, core.Call0(func() int { <-release; return 1 })))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	n := 0
	for range ac.All(ctx) {
		n++
	}
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
}

func TestAsCompletedReleasesConsumedFutures(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	var collected atomic.Int32
	big := core.Func1(func(i int) *[1 << 16]byte {
		b := new([1 << 16]byte)
		goruntime.AddCleanup(b, func(n *atomic.Int32) { n.Add(1) }, &collected)
		return b
	})
	ac := core.NewAsCompleted[*[1 << 16]byte]()
	for i := range 20 {
		ac.Add(core.Submit(ctx, c, big.Call(core.Value(i))))
	}
	for f := range ac.All(ctx) {
		b, err := f.Result(ctx)
		require.NoError(t, err)
		b[0] = 1
	}
	deadline := time.Now().Add(5 * time.Second)
	for collected.Load() < 20 && time.Now().Before(deadline) {
		goruntime.GC()
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, int32(20), collected.Load(), "consumed results are not kept alive")
}

func TestClientRunsBlockingWorkConcurrently(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	var cc concurrency
	fetch := core.Func1(func(i int) int {
		cc.enter()
		defer cc.exit()
		time.Sleep(50 * time.Millisecond)
		return i
	})
	xs := make([]int, 20)
	for i := range xs {
		xs[i] = i
	}
	vs, err := core.Gather(ctx, core.Map(ctx, c, fetch, xs))
	require.NoError(t, err)
	assert.True(t, slices.Equal(xs, vs))
	assert.Greater(t, int(cc.peak.Load()), 2*goruntime.GOMAXPROCS(0))
}
