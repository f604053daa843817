package runtime

import (
	"context"
	"iter"
	"unsafe"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Client runs submitted work eagerly in the background, on one scheduler
// shared by all its futures, like a Dask distributed Client on a local
// cluster. Create it with NewClient and Close it when done: Close cancels what
// is still running and waits for it, so that no goroutine outlives the client.
// A Client is safe for concurrent use.
type Client core.Client

// NewClient returns a client. MaxWorkers and FailFast apply to every
// submission; Synchronous and the progress options are ignored.
func NewClient(opts ...Option) (*Client, error) {
	c, err := core.NewClient(opts...)
	return (*Client)(c), err
}

// Close cancels the futures that are still running, with ErrClosed, and
// waits until their tasks have returned. Futures submitted after Close fail
// with ErrClosed. Close is idempotent and always returns nil.
func (c *Client) Close() error { return (*core.Client)(c).Close() }

// Future is the eventual result of a submitted computation (Dask's Future).
// Pass f.Delayed() to later calls to make them depend on it without waiting
// for it.
type Future[T any] core.Future[T]

// Submit starts computing d in the background and returns its future at once
// (Dask's client.submit). The work stops when ctx is done, when the future is
// cancelled, or when the client closes.
func Submit[T any](ctx context.Context, c *Client, d Delayed[T]) *Future[T] {
	return (*Future[T])(core.Submit(ctx, (*core.Client)(c), core.Delayed[T](d)))
}

// Map submits fn applied to each element of xs and returns the futures in the
// order of xs (Dask's client.map).
func Map[A, R any](ctx context.Context, c *Client, fn Fn1[A, R], xs []A) []*Future[R] {
	return futures(core.Map(ctx, (*core.Client)(c), core.Fn1[A, R](fn), xs))
}

// Gather waits for all the futures and returns their values in order (Dask's
// client.gather). On failure it returns the error of the first failed future
// in the order of fs.
func Gather[T any](ctx context.Context, fs []*Future[T]) ([]T, error) {
	return core.Gather(ctx, coreFutures(fs))
}

// Delayed returns the value the future computes, to pass to later calls.
func (f *Future[T]) Delayed() Delayed[T] { return Delayed[T](f.core().Delayed()) }

// Key returns the name of the future's task.
func (f *Future[T]) Key() string { return f.core().Key() }

// Done reports whether the future has finished, successfully or not.
func (f *Future[T]) Done() bool { return f.core().Done() }

// Result waits for the future and returns its value, or its error: a
// *TaskError, ErrClosed, or the error of the context the future was submitted
// with. When its task panicked, Result panics with the *PanicError. When ctx
// is done first, Result returns ctx.Err() and the future goes on.
func (f *Future[T]) Result(ctx context.Context) (T, error) { return f.core().Result(ctx) }

// Cancel stops the future's work: tasks not started do not start, running ones
// see their context cancelled, and Result returns context.Canceled. Computes
// waiting for the future's value fail too. A task the future shares with
// other work (an input of its value) goes back to pending, and the work
// that needs it computes it again. Cancelling a finished future does
// nothing.
func (f *Future[T]) Cancel() { f.core().Cancel() }

func (f *Future[T]) core() *core.Future[T] { return (*core.Future[T])(f) }

// AsCompleted yields futures in the order they finish (Dask's as_completed).
// Futures may be added while it is being ranged over, which is how a
// computation grows as it runs: a crawler adds the pages it finds. A future
// is dropped from the AsCompleted once it has been yielded, so results that
// were consumed can be garbage collected. It is safe for concurrent use.
type AsCompleted[T any] core.AsCompleted[T]

// NewAsCompleted returns an AsCompleted holding fs.
func NewAsCompleted[T any](fs ...*Future[T]) *AsCompleted[T] {
	return (*AsCompleted[T])(core.NewAsCompleted(coreFutures(fs)...))
}

// Add adds f; it is yielded once it finishes.
func (a *AsCompleted[T]) Add(f *Future[T]) { (*core.AsCompleted[T])(a).Add(f.core()) }

// Len returns how many futures are left to yield.
func (a *AsCompleted[T]) Len() int { return (*core.AsCompleted[T])(a).Len() }

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
		for f := range (*core.AsCompleted[T])(a).All(ctx) {
			if !yield((*Future[T])(f)) {
				return
			}
		}
	}
}

// futures and coreFutures convert slices of futures without copying: a
// Future and the scheduler's have one underlying type.
func futures[T any](fs []*core.Future[T]) []*Future[T] {
	return unsafe.Slice((**Future[T])(unsafe.Pointer(unsafe.SliceData(fs))), len(fs))
}

func coreFutures[T any](fs []*Future[T]) []*core.Future[T] {
	return unsafe.Slice((**core.Future[T])(unsafe.Pointer(unsafe.SliceData(fs))), len(fs))
}
