package core

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// ErrClosed is the error of futures submitted to, or still running on, a
// Client that has been closed.
var ErrClosed = errors.New("daskgen: client closed")

// Client runs submitted work eagerly in the background, on one scheduler
// shared by all its futures, like a Dask distributed Client on a local
// cluster. Create it with NewClient and Close it when done: Close cancels what
// is still running and waits for it, so that no goroutine outlives the client.
// A Client is safe for concurrent use.
type Client struct {
	e   *exec
	cfg *config

	mu     sync.Mutex // held while submitting
	closed bool
	liveMu sync.Mutex
	live   map[*batch]struct{}
}

// NewClient returns a client. MaxWorkers and FailFast apply to every
// submission; Synchronous and the progress options are ignored.
func NewClient(opts ...Option) (*Client, error) {
	cfg := newConfig(opts)
	if cfg.err != nil {
		return nil, cfg.err
	}
	cfg.sync, cfg.progress = false, nil
	return &Client{e: newExec(cfg.maxWorkers), cfg: cfg, live: map[*batch]struct{}{}}, nil
}

// Close cancels the futures that are still running, with ErrClosed, and
// waits until their tasks have returned. Futures submitted after Close fail
// with ErrClosed. Close is idempotent and always returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.liveMu.Lock()
	live := make([]*batch, 0, len(c.live))
	for b := range c.live {
		live = append(live, b)
	}
	c.liveMu.Unlock()
	for _, b := range live {
		b.finish(ErrClosed)
	}
	c.e.wg.Wait()
	return nil
}

// Future is the eventual result of a submitted computation (Dask's Future).
// Pass f.Delayed() to later calls to make them depend on it without waiting
// for it.
type Future[T any] struct {
	d   Delayed[T]
	err error // the error when nothing could run

	mu        sync.Mutex
	b         *batch // the batch that computes d; nil when nothing had to run
	done      bool
	doneCh    chan struct{} // closed when done
	cancelled bool
	cbs       []func()
}

// Submit starts computing d in the background and returns its future at once
// (Dask's client.submit). The work stops when ctx is done, when the future is
// cancelled, or when the client closes.
func Submit[T any](ctx context.Context, c *Client, d Delayed[T]) *Future[T] {
	f := &Future[T]{d: d, doneCh: make(chan struct{})}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		f.settle(ErrClosed)
		return f
	}
	if err := ctx.Err(); err != nil {
		f.settle(err)
		return f
	}
	if err := f.start(ctx, c, 0); err != nil {
		f.settle(err)
	}
	return f
}

// start begins a batch that computes f's value. The caller holds c.mu. A
// batch that fails because a task it waited for went back to pending (the
// compute running it was cancelled: errAbandoned) while f's own context is
// live and f is not cancelled starts again, as Compute does.
func (f *Future[T]) start(ctx context.Context, c *Client, tries int) error {
	b, err := c.prepareAll(ctx, []*node{f.d.nodeOf()}, func(b *batch) {
		if tries < 3 && errors.Is(b.err, errAbandoned) && ctx.Err() == nil {
			// Not here: the batch that ends may hold locks that
			// starting another needs.
			go f.restart(ctx, c, tries+1)
			return
		}
		f.settle(nil)
	})
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.b = b
	f.mu.Unlock()
	c.e.begin(ctx, b)
	return nil
}

// restart starts f's batch again (see start), unless f was cancelled or
// the client closed since: then the last batch's error stands.
func (f *Future[T]) restart(ctx context.Context, c *Client, tries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.mu.Lock()
	cancelled := f.cancelled
	f.mu.Unlock()
	if cancelled || c.closed {
		f.settle(nil)
		return
	}
	if err := f.start(ctx, c, tries); err != nil {
		f.mu.Lock()
		f.b = nil
		f.mu.Unlock()
		f.settle(err)
	}
}

// prepareAll makes a batch that computes targets as one of the client's live
// batches; done is called when it ends. Start it with c.e.begin. The caller
// holds c.mu.
func (c *Client) prepareAll(ctx context.Context, targets []*node, done func(*batch)) (*batch, error) {
	b, err := c.e.newBatch(ctx, targets, c.cfg, new(arrays))
	if err != nil {
		return nil, err
	}
	c.liveMu.Lock()
	c.live[b] = struct{}{}
	c.liveMu.Unlock()
	b.onDone = func() {
		c.liveMu.Lock()
		delete(c.live, b)
		c.liveMu.Unlock()
		done(b)
	}
	return b, nil
}

// Map submits fn applied to each element of xs and returns the futures in the
// order of xs (Dask's client.map).
func Map[A, R any](ctx context.Context, c *Client, fn Fn1[A, R], xs []A) []*Future[R] {
	fs := make([]*Future[R], len(xs))
	for i, x := range xs {
		fs[i] = Submit(ctx, c, fn.Call(Value(x)))
	}
	return fs
}

// settle marks f finished and runs its callbacks.
func (f *Future[T]) settle(err error) {
	f.mu.Lock()
	if f.b == nil {
		f.err = err
	}
	f.done = true
	close(f.doneCh)
	cbs := f.cbs
	f.cbs = nil
	f.mu.Unlock()
	for _, cb := range cbs {
		cb()
	}
}

// onDone calls cb once f is finished: now, if it is already.
func (f *Future[T]) onDone(cb func()) {
	f.mu.Lock()
	if !f.done {
		f.cbs = append(f.cbs, cb)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	cb()
}

// Delayed returns the value the future computes, to pass to later calls.
func (f *Future[T]) Delayed() Delayed[T] { return f.d }

// Key returns the name of the future's task.
func (f *Future[T]) Key() string { return f.d.Key() }

// Done reports whether the future has finished, successfully or not. A
// future whose value a finished task read is done, even while its own
// batch is still winding up.
func (f *Future[T]) Done() bool {
	f.mu.Lock()
	done := f.done
	f.mu.Unlock()
	if n := f.d.nodeOf(); !done && n != nil {
		done = stOf(n.state.Load()) == stDone
	}
	return done
}

// Result waits for the future and returns its value, or its error: a
// *TaskError, ErrClosed, or the error of the context the future was submitted
// with. When its task panicked, Result panics with the *PanicError. When ctx
// is done first, Result returns ctx.Err() and the future goes on.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	var zero T
	select {
	case <-f.doneCh:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	f.mu.Lock()
	b, err := f.b, f.err
	f.mu.Unlock()
	if b != nil {
		err = raise(b.err)
	}
	if err != nil {
		return zero, err
	}
	return f.d.get(), nil
}

// Cancel stops the future's work: tasks not started do not start, running ones
// see their context cancelled, and Result returns context.Canceled. Computes
// waiting for the future's value fail too. A task the future shares with
// other work (an input of its value) goes back to pending, and the work
// that needs it computes it again. Cancelling a finished future does
// nothing.
func (f *Future[T]) Cancel() {
	f.mu.Lock()
	f.cancelled = true
	b := f.b
	f.mu.Unlock()
	if n := f.d.nodeOf(); n != nil && stOf(n.state.Load()) != stDone {
		n.flags.Or(flagCancelled)
	}
	if b != nil {
		b.finish(context.Canceled)
	}
}

// Gather waits for all the futures and returns their values in order (Dask's
// client.gather). On failure it returns the error of the first failed future
// in the order of fs.
func Gather[T any](ctx context.Context, fs []*Future[T]) ([]T, error) {
	vs := make([]T, len(fs))
	for i, f := range fs {
		v, err := f.Result(ctx)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}

// AsCompleted yields futures in the order they finish (Dask's as_completed).
// Futures may be added while it is being ranged over, which is how a
// computation grows as it runs: a crawler adds the pages it finds. A future
// is dropped from the AsCompleted once it has been yielded, so results that
// were consumed can be garbage collected. It is safe for concurrent use.
type AsCompleted[T any] struct {
	mu      sync.Mutex
	pending int
	ready   []*Future[T]
	notify  chan struct{}
}

// NewAsCompleted returns an AsCompleted holding fs.
func NewAsCompleted[T any](fs ...*Future[T]) *AsCompleted[T] {
	a := &AsCompleted[T]{notify: make(chan struct{}, 1)}
	for _, f := range fs {
		a.Add(f)
	}
	return a
}

// Add adds f; it is yielded once it finishes.
func (a *AsCompleted[T]) Add(f *Future[T]) {
	a.mu.Lock()
	a.pending++
	a.mu.Unlock()
	f.onDone(func() {
		a.mu.Lock()
		a.pending--
		a.ready = append(a.ready, f)
		a.mu.Unlock()
		select {
		case a.notify <- struct{}{}:
		default:
		}
	})
}

// Len returns how many futures are left to yield.
func (a *AsCompleted[T]) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pending + len(a.ready)
}

// All returns an iterator over the futures as they finish. It ends when none
// is left, or when ctx is done; check ctx.Err() after the loop to tell which.
//
//	for f := range ac.All(ctx) {
//		links, err := f.Result(ctx)
//		...
//		ac.Add(runtime.Submit(ctx, client, scrape.Call(...)))
//	}
func (a *AsCompleted[T]) All(ctx context.Context) iter.Seq[*Future[T]] {
	return func(yield func(*Future[T]) bool) {
		for {
			a.mu.Lock()
			if len(a.ready) > 0 {
				f := a.ready[0]
				a.ready[0] = nil
				a.ready = a.ready[1:]
				a.mu.Unlock()
				if !yield(f) {
					return
				}
				continue
			}
			if a.pending == 0 {
				a.mu.Unlock()
				return
			}
			a.mu.Unlock()
			select {
			case <-a.notify:
			case <-ctx.Done():
				return
			}
		}
	}
}
