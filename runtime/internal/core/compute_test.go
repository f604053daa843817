package core_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	incFn = core.Func1(func(x int) int { return x + 1 })
	addFn = core.Func2(func(x, y int) int { return x + y })
	sumFn = core.Func1(func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
)

func TestComputeIncAdd(t *testing.T) {
	x := incFn.Call(core.Value(1))
	y := incFn.Call(core.Value(2))
	z := addFn.Call(x, y)
	assert.False(t, z.Done())
	v, err := core.Compute(context.Background(), z)
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	assert.True(t, z.Done())
	r, err := z.Result()
	require.NoError(t, err)
	assert.Equal(t, 5, r)
}

func TestPlainValue(t *testing.T) {
	v, err := core.Compute(context.Background(), core.Value("hi"))
	require.NoError(t, err)
	assert.Equal(t, "hi", v)
	var zero core.Delayed[int]
	v2, err := core.Compute(context.Background(), zero)
	require.NoError(t, err)
	assert.Equal(t, 0, v2)
	assert.Equal(t, "", zero.Key())
}

func TestResultBeforeCompute(t *testing.T) {
	d := incFn.Call(core.Value(1))
	_, err := d.Result()
	assert.ErrorIs(t, err, core.ErrNotComputed)
}

func TestTaskNames(t *testing.T) {
	fetch := core.Func1(strings.ToUpper, core.Name("fetch"))
	d := fetch.Call(core.Value("a"))
	assert.Regexp(t, `^fetch-[0-9a-z]+$`, d.Key())
	assert.Equal(t, "ToUpper", core.Func1(strings.ToUpper).Name())
	assert.Equal(t, "Delayed("+d.Key()+")", d.String())
	other := fetch.Call(core.Value("a"))
	assert.NotEqual(t, d.Key(), other.Key(), "task names are unique")
}

func TestForLoopSum(t *testing.T) {
	data := []int{1, 2, 3, 4, 5, 6, 7, 8}
	var results []core.Delayed[int]
	for _, x := range data {
		results = append(results, incFn.Call(core.Value(x)))
	}
	total := sumFn.Call(core.Collect(results))
	v, err := core.Compute(context.Background(), total)
	require.NoError(t, err)
	assert.Equal(t, 44, v)
}

func TestCollectCopiesItsInput(t *testing.T) {
	ds := []core.Delayed[int]{core.Value(1), core.Value(2)}
	c := core.Collect(ds)
	ds[0] = core.Value(100)
	v, err := core.Compute(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, v)
}

func TestComputeSliceSharesTasks(t *testing.T) {
	var calls atomic.Int32
	slow := core.Func1(func(x int) int { calls.Add(1); return x * 10 })
	shared := slow.Call(core.Value(4))
	a := addFn.Call(shared, core.Value(1))
	b := addFn.Call(shared, core.Value(2))
	vs, err := core.ComputeSlice(context.Background(), []core.Delayed[int]{a, b, a})
	require.NoError(t, err)
	assert.Equal(t, []int{41, 42, 41}, vs)
	assert.Equal(t, int32(1), calls.Load())
	// Computing again runs nothing.
	_, err = core.Compute(context.Background(), addFn.Call(shared, a))
	require.NoError(t, err)
	assert.Equal(t, int32(1), calls.Load())
}

func TestComputeAllMixedTypes(t *testing.T) {
	n := incFn.Call(core.Value(1))
	s := core.Call1(strings.ToUpper, core.Value("go"))
	require.NoError(t, core.ComputeAll(context.Background(), []core.Node{n, s}))
	nv, _ := n.Result()
	sv, _ := s.Result()
	assert.Equal(t, 2, nv)
	assert.Equal(t, "GO", sv)
}

func TestAllShapes(t *testing.T) {
	ctx := context.Background()
	type key struct{}
	ctx = context.WithValue(ctx, key{}, "v")
	d0 := core.Call0(func() int { return 7 })
	d0e := core.Func0E(func() (int, error) { return 8, nil }).Call()
	d1c := core.Func1C(func(ctx context.Context, x int) string { return fmt.Sprint(ctx.Value(key{}), x) }).Call(d0)
	d2ce := core.Func2CE(func(ctx context.Context, s string, y int) (string, error) {
		return s + fmt.Sprint(y), ctx.Err()
	}).Call(d1c, d0e)
	d6 := core.Call6(func(a, b, c, d, e, f int) int { return a + b + c + d + e + f },
		d0, d0e, core.Value(1), core.Value(2), core.Value(3), core.Value(4))
	v, err := core.Compute(ctx, d2ce)
	require.NoError(t, err)
	assert.Equal(t, "v78", v)
	v6, err := core.Compute(ctx, d6)
	require.NoError(t, err)
	assert.Equal(t, 25, v6)
}

// failAt returns a function that fails for the inputs in bad, after a sleep
// that is shorter for later inputs, so that later failures happen first.
func failAt(bad ...int) core.Fn1[int, int] {
	return core.Func1E(func(i int) (int, error) {
		time.Sleep(time.Duration(20-i) * 2 * time.Millisecond)
		for _, b := range bad {
			if i == b {
				return 0, fmt.Errorf("bad input %d", i)
			}
		}
		return i, nil
	}, core.Name("check"))
}

func TestFirstErrorInProgramOrder(t *testing.T) {
	for _, opts := range [][]core.Option{nil, {core.Synchronous()}, {core.MaxWorkers(1)}} {
		f := failAt(3, 8, 13, 18)
		var ds []core.Delayed[int]
		for i := range 20 {
			ds = append(ds, f.Call(core.Value(i)))
		}
		_, err := core.ComputeSlice(context.Background(), ds, opts...)
		var te *core.TaskError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, "bad input 3", te.Err.Error(), "the error a sequential loop meets first")
		assert.Equal(t, ds[3].Key(), te.Task)
	}
}

func TestFailFastStopsEarly(t *testing.T) {
	var started atomic.Int32
	f := core.Func1CE(func(ctx context.Context, i int) (int, error) {
		started.Add(1)
		if i == 0 {
			return 0, errors.New("first")
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Second):
			return i, nil
		}
	})
	var ds []core.Delayed[int]
	for i := range 50 {
		ds = append(ds, f.Call(core.Value(i)))
	}
	_, err := core.ComputeSlice(context.Background(), ds, core.FailFast(), core.MaxWorkers(4))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "first")
	assert.Less(t, int(started.Load()), 50, "tasks after the failure do not start")
}

func TestFailureStopsWhatIsNoLongerNeeded(t *testing.T) {
	var ran atomic.Int32
	bad := core.Func0E(func() (int, error) { return 0, errors.New("boom") }).Call()
	after := core.Func1(func(x int) int { ran.Add(1); return x })
	var ds []core.Delayed[int]
	ds = append(ds, bad)
	for i := range 100 {
		ds = append(ds, after.Call(core.Value(i)))
	}
	dependent := after.Call(bad)
	ds = append(ds, dependent)
	_, err := core.ComputeSlice(context.Background(), ds, core.MaxWorkers(1))
	require.ErrorContains(t, err, "boom")
	assert.Equal(t, int32(0), ran.Load(), "tasks after the failing one in program order are skipped")
	assert.False(t, dependent.Done())
}

func TestFailedTaskRunsAgainInNextCompute(t *testing.T) {
	var tries atomic.Int32
	flaky := core.Func0E(func() (int, error) {
		if tries.Add(1) == 1 {
			return 0, errors.New("transient")
		}
		return 1, nil
	}).Call()
	_, err := core.Compute(context.Background(), flaky)
	require.Error(t, err)
	_, err = flaky.Result()
	require.ErrorContains(t, err, "transient")
	v, err := core.Compute(context.Background(), flaky)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
}

func TestPanicIsRaisedInCaller(t *testing.T) {
	for _, opts := range [][]core.Option{nil, {core.Synchronous()}} {
		boom := core.Func1(func(x int) int {
			if x == 2 {
				panic("kaboom")
			}
			return x
		}, core.Name("boom"))
		d := sumFn.Call(core.Collect([]core.Delayed[int]{boom.Call(core.Value(1)), boom.Call(core.Value(2))}))
		var pe *core.PanicError
		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r)
				var ok bool
				pe, ok = r.(*core.PanicError)
				require.True(t, ok, "panics with a *PanicError, got %T", r)
			}()
			_, _ = core.Compute(context.Background(), d, opts...)
		}()
		assert.Equal(t, "kaboom", pe.Value)
		assert.Regexp(t, `^boom-`, pe.Task)
		assert.Contains(t, string(pe.Stack), "compute_test.go", "the task's own stack is kept")
		assert.Contains(t, pe.Error(), "kaboom")
	}
}

func TestRetries(t *testing.T) {
	var tries atomic.Int32
	unreliable := core.Func1E(func(x int) (int, error) {
		if tries.Add(1) < 3 {
			return 0, errors.New("I died")
		}
		return x + 1, nil
	}, core.Retries(3), core.Backoff(time.Millisecond))
	v, err := core.Compute(context.Background(), unreliable.Call(core.Value(1)))
	require.NoError(t, err)
	assert.Equal(t, 2, v)
	assert.Equal(t, int32(3), tries.Load())

	tries.Store(0)
	never := core.Func1E(func(x int) (int, error) {
		tries.Add(1)
		return 0, errors.New("always")
	}, core.Retries(2), core.Backoff(0))
	_, err = core.Compute(context.Background(), never.Call(core.Value(1)))
	require.ErrorContains(t, err, "always")
	assert.Equal(t, int32(3), tries.Load(), "one run and two retries")
}

func TestBadOptionsAreErrors(t *testing.T) {
	ctx := context.Background()
	cases := map[string]core.Delayed[int]{
		"retries must be zero or more, got -1": core.Func1(func(x int) int { return x }, core.Retries(-1)).Call(core.Value(1)),
		"limit must be zero or more, got -2":   core.Func1(func(x int) int { return x }, core.Limit(-2)).Call(core.Value(1)),
		"backoff must be zero or more":         core.Func1(func(x int) int { return x }, core.Backoff(-1)).Call(core.Value(1)),
		"nil function":                         core.Func1[int, int](nil).Call(core.Value(1)),
	}
	for want, d := range cases {
		ran := incFn.Call(core.Value(0))
		_, err := core.Compute(ctx, addFn.Call(ran, d))
		require.ErrorContains(t, err, want)
		assert.Contains(t, err.Error(), d.Key(), "the error names the task")
		assert.False(t, ran.Done(), "nothing runs")
		// The claim was given back: the good task can still be computed.
		_, err = core.Compute(ctx, ran)
		require.NoError(t, err)
	}
	var zero core.Fn1[int, int]
	_, err := core.Compute(ctx, zero.Call(core.Value(1)))
	require.ErrorContains(t, err, "nil function")
	_, err = core.Compute(ctx, incFn.Call(core.Value(1)), core.MaxWorkers(0))
	require.ErrorContains(t, err, "MaxWorkers must be one or more, got 0")
}

func TestAlreadyCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Bool
	d := core.Call0(func() int { ran.Store(true); return 1 })
	_, err := core.Compute(ctx, d)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, ran.Load())
}

func TestCancelMidCompute(t *testing.T) {
	for _, opts := range [][]core.Option{nil, {core.Synchronous()}} {
		ctx, cancel := context.WithCancel(context.Background())
		var started atomic.Int32
		wait := core.Func1CE(func(ctx context.Context, i int) (int, error) {
			if started.Add(1) < 3 {
				return i, nil
			}
			cancel()
			<-ctx.Done()
			return 0, ctx.Err()
		})
		var ds []core.Delayed[int]
		for i := range 1000 {
			ds = append(ds, wait.Call(core.Value(i)))
		}
		start := time.Now()
		_, err := core.ComputeSlice(ctx, ds, opts...)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, context.Canceled, err, "Compute returns ctx.Err() itself")
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Less(t, int(started.Load()), 1000, "no new task starts after the cancel")
		// Cancelled tasks were not failed: they can run again.
		assert.False(t, ds[999].Done())
		_, err = ds[999].Result()
		assert.ErrorIs(t, err, core.ErrNotComputed)
	}
}

func TestDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	slow := core.Func0C(func(ctx context.Context) int {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
		return 1
	}).Call()
	_, err := core.Compute(ctx, slow)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// concurrency tracks how many tasks run at once.
type concurrency struct {
	now, peak atomic.Int32
}

func (c *concurrency) enter() {
	n := c.now.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (c *concurrency) exit() { c.now.Add(-1) }

func TestBlockingWorkOverlapsBeyondCores(t *testing.T) {
	var c concurrency
	fetch := core.Func1(func(i int) int {
		c.enter()
		defer c.exit()
		time.Sleep(100 * time.Millisecond)
		return i
	})
	var ds []core.Delayed[int]
	for i := range 20 {
		ds = append(ds, fetch.Call(core.Value(i)))
	}
	vs, err := core.ComputeSlice(context.Background(), ds)
	require.NoError(t, err)
	assert.Len(t, vs, 20)
	assert.Greater(t, int(c.peak.Load()), 2*goruntime.GOMAXPROCS(0),
		"sleeping tasks overlap far beyond the %d cores", goruntime.GOMAXPROCS(0))
}

func TestMaxWorkers(t *testing.T) {
	var c concurrency
	fetch := core.Func1(func(i int) int {
		c.enter()
		defer c.exit()
		time.Sleep(5 * time.Millisecond)
		return i
	})
	var ds []core.Delayed[int]
	for i := range 30 {
		ds = append(ds, fetch.Call(core.Value(i)))
	}
	_, err := core.ComputeSlice(context.Background(), ds, core.MaxWorkers(3))
	require.NoError(t, err)
	assert.LessOrEqual(t, int(c.peak.Load()), 3)
}

func TestLimitPerFunction(t *testing.T) {
	var c concurrency
	api := core.Func1(func(i int) int {
		c.enter()
		defer c.exit()
		time.Sleep(5 * time.Millisecond)
		return i
	}, core.Limit(2))
	var ds []core.Delayed[int]
	for i := range 40 {
		ds = append(ds, api.Call(core.Value(i)))
	}
	vs, err := core.ComputeSlice(context.Background(), ds)
	require.NoError(t, err)
	for i, v := range vs {
		assert.Equal(t, i, v)
	}
	assert.Equal(t, int32(2), c.peak.Load(), "at most two at once, and two do overlap")
}

func TestLimitHoldsAcrossComputes(t *testing.T) {
	var c concurrency
	api := core.Func1(func(i int) int {
		c.enter()
		defer c.exit()
		time.Sleep(2 * time.Millisecond)
		return i
	}, core.Limit(1))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ds []core.Delayed[int]
			for i := range 10 {
				ds = append(ds, api.Call(core.Value(g*10+i)))
			}
			_, err := core.ComputeSlice(context.Background(), ds)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), c.peak.Load())
}

func TestPureSharesIdenticalCalls(t *testing.T) {
	var calls atomic.Int32
	sq := core.Func1(func(x int) int { calls.Add(1); return x * x }, core.Pure())
	a := sq.Call(core.Value(3))
	b := sq.Call(core.Value(3))
	c := sq.Call(core.Value(4))
	assert.Equal(t, a.Key(), b.Key(), "identical calls share one task")
	assert.NotEqual(t, a.Key(), c.Key())
	d1 := sq.Call(a)
	d2 := sq.Call(b)
	assert.Equal(t, d1.Key(), d2.Key(), "identical delayed arguments count as identical")
	vs, err := core.ComputeSlice(context.Background(), []core.Delayed[int]{a, b, c, d1, d2})
	require.NoError(t, err)
	assert.Equal(t, []int{9, 9, 16, 81, 81}, vs)
	assert.Equal(t, int32(3), calls.Load())

	// Arguments that cannot be compared get a task each.
	n := core.Func1(func(xs []int) int { return len(xs) }, core.Pure())
	assert.NotEqual(t, n.Call(core.Value([]int{1})).Key(), n.Call(core.Value([]int{1})).Key())
	anyFn := core.Func1(func(x any) int { return 1 }, core.Pure())
	assert.NotEqual(t, anyFn.Call(core.Value[any]([]int{1})).Key(), anyFn.Call(core.Value[any]([]int{1})).Key())
	assert.Equal(t, anyFn.Call(core.Value[any](5)).Key(), anyFn.Call(core.Value[any](5)).Key())
}

func TestSynchronousRunsInProgramOrderInCaller(t *testing.T) {
	var order []int
	var ran []string
	rec := core.Func1(func(i int) int {
		order = append(order, i)
		ran = append(ran, goroutineID())
		return i
	})
	var ds []core.Delayed[int]
	for i := range 10 {
		ds = append(ds, rec.Call(core.Value(i)))
	}
	total := sumFn.Call(core.Collect(ds))
	v, err := core.Compute(context.Background(), total, core.Synchronous())
	require.NoError(t, err)
	assert.Equal(t, 45, v)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order)
	caller := goroutineID()
	for i, id := range ran {
		assert.Equal(t, caller, id, "task %d ran on goroutine %s, not on the caller's", i, id)
	}
}

// goroutineID returns the number of the calling goroutine, read from
// the first line of its stack trace ("goroutine 17 [running]:"). Tests
// use it to tell which goroutine ran a task; counting goroutines would
// also count those that earlier tests left exiting.
func goroutineID() string {
	var buf [64]byte
	line := string(buf[:goruntime.Stack(buf[:], false)])
	id, _, _ := strings.Cut(strings.TrimPrefix(line, "goroutine "), " ")
	return id
}

func TestFloatSumIsBitIdentical(t *testing.T) {
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = 1 / float64(i+3)
	}
	want := 0.0
	for _, x := range xs {
		want += x * 1.1
	}
	scale := core.Func1(func(x float64) float64 { return x * 1.1 })
	var ds []core.Delayed[float64]
	for _, x := range xs {
		ds = append(ds, scale.Call(core.Value(x)))
	}
	fold := core.Func1(func(vs []float64) float64 {
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s
	})
	got, err := core.Compute(context.Background(), fold.Call(core.Collect(ds)))
	require.NoError(t, err)
	assert.Equal(t, math.Float64bits(want), math.Float64bits(got))
}

func TestConcurrentComputesShareTasks(t *testing.T) {
	var calls atomic.Int32
	slow := core.Func1(func(x int) int { calls.Add(1); time.Sleep(20 * time.Millisecond); return x })
	shared := slow.Call(core.Value(1))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := core.Compute(context.Background(), addFn.Call(shared, core.Value(i)))
			assert.NoError(t, err)
			assert.Equal(t, 1+i, v)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load(), "a task shared by concurrent computes runs once")
}

func TestSharedTaskFailureReachesEveryCompute(t *testing.T) {
	release := make(chan struct{})
	bad := core.Func0E(func() (int, error) { <-release; return 0, errors.New("shared failure") }).Call()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = core.Compute(context.Background(), addFn.Call(bad, core.Value(i)))
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	for _, err := range errs {
		assert.ErrorContains(t, err, "shared failure")
	}
}

func TestIntermediateResultsAreReleased(t *testing.T) {
	var collected atomic.Bool
	big := core.Call0(func() *[1 << 20]byte {
		b := new([1 << 20]byte)
		goruntime.AddCleanup(b, func(f *atomic.Bool) { f.Store(true) }, &collected)
		return b
	})
	first := core.Call1(func(b *[1 << 20]byte) byte { return b[0] + 1 }, big)
	v, err := core.Compute(context.Background(), first)
	require.NoError(t, err)
	assert.Equal(t, byte(1), v)
	big = core.Delayed[*[1 << 20]byte]{} // the caller lets go of the intermediate
	deadline := time.Now().Add(5 * time.Second)
	for !collected.Load() && time.Now().Before(deadline) {
		goruntime.GC()
		time.Sleep(time.Millisecond)
	}
	assert.True(t, collected.Load(), "a finished task does not keep its inputs alive")
	goruntime.KeepAlive(first)
}

func TestProgressTo(t *testing.T) {
	var buf strings.Builder
	var ds []core.Delayed[int]
	for i := range 5 {
		ds = append(ds, incFn.Call(core.Value(i)))
	}
	_, err := core.ComputeSlice(context.Background(), ds, core.ProgressTo(&syncWriter{w: &buf}))
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "5/5")
}

type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestProject takes a part out of a value at once when the value is known,
// and with a task when it is not: either way the part is the same.
func TestProject(t *testing.T) {
	type pair struct{ A, B int }
	second := func(p pair) int { return p.B }

	known := core.Project(second, core.Value(pair{1, 2}))
	if !known.Done() || known.Key() != "" || known.Must() != 2 {
		t.Errorf("Project of a plain value: done %v, key %q; want a plain value 2", known.Done(), known.Key())
	}

	mk := core.Func1(func(n int) pair { return pair{n, n * 10} })
	pending := mk.Call(core.Value(4))
	later := core.Project(second, pending)
	if later.Done() || later.Key() == "" {
		t.Fatalf("Project of a task not run yet: done %v, key %q; want a task", later.Done(), later.Key())
	}
	if v, err := core.Compute(context.Background(), later); err != nil || v != 40 {
		t.Fatalf("Compute(Project) = %v, %v; want 40", v, err)
	}
	done := core.Project(second, pending)
	if !done.Done() || done.Key() != "" || done.Must() != 40 {
		t.Errorf("Project of a finished task: done %v, key %q; want a plain value 40", done.Done(), done.Key())
	}
}
