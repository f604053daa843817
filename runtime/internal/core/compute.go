package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/trace"
	"slices"
)

// An Option configures one compute.
type Option func(*config)

type config struct {
	maxWorkers int
	sync       bool
	failFast   bool
	progress   io.Writer
	group      site // the twin whose computes these are, for the dashboard
	executor   Executor
	local      bool
	keepFailed bool // a failed task is not run again (see keepFailed)
	ownContext bool // the twin's ctx is F's own (see OwnContext)
	err        error
}

// MaxWorkers caps how many tasks of the compute run at once. The default is
// 10,000: CPU-bound tasks run on as many goroutines as there are CPUs, and more
// start only while tasks are blocked (sleeping, waiting on the network). One
// means one task at a time in program order of readiness; n below one makes
// the compute fail before it starts.
func MaxWorkers(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.setErr(fmt.Errorf("MaxWorkers must be one or more, got %d", n))
			return
		}
		c.maxWorkers = n
	}
}

// Synchronous runs every task in the caller's goroutine, one at a time, in
// program order (the order in which the calls were made), like Dask's
// scheduler="sync". Use it for debugging, and in tests as the reference a
// parallel run is compared with. Function limits do not apply.
func Synchronous() Option {
	return func(c *config) { c.sync = true }
}

// FailFast ends the compute at the first task that fails, whichever that is.
// By default a compute returns the error of the failing task that comes first
// in program order, the one a sequential run of the same calls would meet,
// even when a later task fails sooner: it stops the tasks after that one and
// lets the ones before it finish. FailFast returns sooner, but which error it
// returns may change from run to run.
func FailFast() Option {
	return func(c *config) { c.failFast = true }
}

// Progress draws a progress bar of finished tasks on standard error while
// the compute runs, when standard error is a terminal. Elsewhere it does
// nothing.
func Progress() Option {
	return func(c *config) {
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			c.progress = os.Stderr // a terminal
		}
	}
}

// ProgressTo draws the progress bar on w, whatever w is.
func ProgressTo(w io.Writer) Option {
	return func(c *config) { c.progress = w }
}

func (c *config) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

func newConfig(opts []Option) *config {
	c := &config{maxWorkers: defaultMaxWork}
	for _, o := range opts {
		o(c)
	}
	if c.executor == nil && !c.local {
		c.executor = currentDefault()
	}
	if c.local {
		c.executor = nil
	}
	return c
}

// Compute runs the tasks that d needs and returns d's value.
//
// Tasks start as soon as their inputs are ready. A task that has already run
// successfully is not run again. When a task fails, Compute returns a
// *TaskError holding its error; which one, when several fail, is set by
// FailFast. When a task panics, Compute panics with a *PanicError in the
// caller's goroutine. When ctx is done, no new task starts, the context passed
// to running tasks is cancelled, and Compute returns ctx.Err() once they have
// returned; a cancelled context returns at once. No goroutine that Compute
// starts outlives it.
func Compute[T any](ctx context.Context, d Delayed[T], opts ...Option) (T, error) {
	if err := run(ctx, []*node{d.nodeOf()}, opts); err != nil {
		var zero T
		return zero, err
	}
	return d.get(), nil
}

// ComputeSlice computes several values of one type at once; tasks they share
// run once. It returns the values in the order of ds.
func ComputeSlice[T any](ctx context.Context, ds []Delayed[T], opts ...Option) ([]T, error) {
	targets := make([]*node, len(ds))
	for i, d := range ds {
		targets[i] = d.nodeOf()
	}
	if err := run(ctx, targets, opts); err != nil {
		return nil, err
	}
	vs := make([]T, len(ds))
	for i, d := range ds {
		vs[i] = d.get()
	}
	return vs, nil
}

// ComputeAll computes values of any types at once, like dask.compute(a, b);
// tasks they share run once. Read each value afterwards with its Result
// method.
func ComputeAll(ctx context.Context, ds []Node, opts ...Option) error {
	targets := make([]*node, len(ds))
	for i, d := range ds {
		targets[i] = nodeOfAny(d)
	}
	return run(ctx, targets, opts)
}

// run computes targets with a fresh executor, or synchronously, and panics
// again with a task's panic. A task that the compute waited for while
// another compute ran it, and that went back to pending when that compute
// was cancelled (errAbandoned), is computed again, as a twin's compute
// does: the caller's context is live, and the cancellation was not its.
func run(ctx context.Context, targets []*node, opts []Option) error {
	err := runErr(ctx, targets, opts)
	for try := 0; try < 3 && errors.Is(err, errAbandoned) && ctx.Err() == nil; try++ {
		err = runErr(ctx, targets, opts)
	}
	return raise(err)
}

// runErr is run that returns a task's panic as its *PanicError.
func runErr(ctx context.Context, targets []*node, opts []Option) error {
	cfg := newConfig(opts)
	if cfg.err != nil {
		return cfg.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e := newExec(cfg.maxWorkers)
	b, err := e.newBatch(ctx, targets, cfg, getArrays())
	if err != nil {
		return err
	}
	if cfg.sync {
		err = b.runSync(ctx)
	} else {
		e.begin(ctx, b)
		<-b.doneCh
		e.wg.Wait()
		err = b.err
	}
	g := b.group
	b.recycle()
	if rec := obs.Load(); rec != nil {
		if err != nil && cfg.group.name == "" {
			rec.failed(g, err) // a twin notes its own
		}
		updateReport()
	}
	return err
}

// raise panics again with a task's panic; other errors are returned.
func raise(err error) error {
	var pe *PanicError
	if errors.As(err, &pe) {
		panic(pe)
	}
	return err
}

// runSync runs the batch in the caller's goroutine in program order.
func (b *batch) runSync(ctx context.Context) error {
	b.parent = ctx
	b.ctx, b.cancel = context.WithCancel(ctx)
	b.ctxDone = b.ctx.Done()
	defer b.cancel()
	order := make([]int32, len(b.tasks))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		return cmp.Compare(b.tasks[x].hdr().seq, b.tasks[y].hdr().seq)
	})
	finish := func(err error) error {
		b.done.Store(true)
		b.revert()
		if b.prog != nil {
			b.prog.finish(err == nil)
		}
		return err
	}
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		t := b.tasks[i]
		n := t.hdr()
		if b.foreign[i] {
			if err := waitSettled(ctx, n); err != nil {
				return finish(err)
			}
			continue
		}
		if !n.state.CompareAndSwap(pack(b.id, stClaimed), pack(b.id, stRunning)) {
			return finish(fmt.Errorf("task %s: claimed by another compute", n.name()))
		}
		var err error
		if rec := obs.Load(); rec != nil || trace.IsEnabled() {
			err = b.observed(rec, t)
		} else {
			_, err = b.attempt(b.ctx, t)
		}
		if ctx.Err() != nil {
			n.state.Store(stPending)
			n.settled()
			return finish(ctx.Err())
		}
		if err != nil {
			n.err = err
			n.state.Store(stFailed)
			n.settled()
			return finish(taskErr(n, err))
		}
		n.err = nil
		n.state.Store(stDone)
		n.settled()
		t.release()
		if b.prog != nil {
			b.prog.add()
		}
	}
	return finish(nil)
}

// errAbandoned is the error of a task that a compute waited for while
// another compute ran it, and that compute was cancelled before the task
// finished. A compute whose own context is live (run), and a twin,
// compute such a task again.
var errAbandoned = errors.New("abandoned by the cancelled compute that was running it")

// waitSettled waits until a node that another compute runs has settled, and
// returns its error if it did not succeed.
func waitSettled(ctx context.Context, n *node) error {
	for {
		if ch := n.wait(); ch != nil {
			select {
			case <-ch:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		switch stOf(n.state.Load()) {
		case stDone:
			return nil
		case stFailed:
			return taskErr(n, n.err)
		case stPending:
			return abandoned(n)
		}
	}
}
