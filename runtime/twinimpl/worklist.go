package twinimpl

import (
	"github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Worklist is the queue of a twin's unordered loop (//daskgen:parallel
// unordered): a loop that pops items from a queue and pushes the items its
// delayed calls find. Pushed delayed values start computing at once, in the
// background, and their items join the queue as they complete, so the
// order in which the loop sees them is completion order, not the sequential
// order. Generated code reads the ready items with Items, replaces them with
// Set, and calls Fill where the loop's condition reads the queue.
type Worklist[T any] core.Worklist[T]

// NewWorklist returns a worklist holding items, for the twin t.
func NewWorklist[T any](t *Twin, items []T) *Worklist[T] {
	return (*Worklist[T])(core.NewWorklist(t, items))
}

func (w *Worklist[T]) core() *core.Worklist[T] { return (*core.Worklist[T])(w) }

// Items returns the items ready now, in queue order.
func (w *Worklist[T]) Items() []T { return w.core().Items() }

// Set replaces the ready items, as the loop's own assignments do.
func (w *Worklist[T]) Set(items []T) { w.core().Set(items) }

// Push adds one delayed item: it joins the ready items once computed.
func (w *Worklist[T]) Push(d runtime.Delayed[T]) { w.core().Push(core.Delayed[T](d)) }

// PushAll adds a delayed slice of items: they join the ready items once
// computed.
func (w *Worklist[T]) PushAll(d runtime.Delayed[[]T]) { w.core().PushAll(core.Delayed[[]T](d)) }

// Fill waits until an item is ready or no pushed value is still computing:
// the loop's condition then sees an empty queue only when the sequential loop
// would end. It fails as Twin.Wait does.
func (w *Worklist[T]) Fill() (int, error) { return w.core().Fill() }

// Close stops what is still computing and waits for it.
func (w *Worklist[T]) Close() { w.core().Close() }
