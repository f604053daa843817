package core

import (
	"fmt"
	"sync"
)

// Worklist is the queue of a twin's unordered loop (//daskgen:parallel
// unordered): a loop that pops items from a queue and pushes the items its
// delayed calls find. Pushed delayed values start computing at once, in the
// background, and their items join the queue as they complete, so the
// order in which the loop sees them is completion order, not the sequential
// order. Generated code reads the ready items with Items, replaces them with
// Set, and calls Fill where the loop's condition reads the queue.
type Worklist[T any] struct {
	t      *Twin
	items  []T
	client *Client

	mu      sync.Mutex
	done    []piece[T]
	signal  chan struct{}
	pending int
}

type piece[T any] struct {
	vals []T
	err  error
}

// NewWorklist returns a worklist holding items, for the twin t.
func NewWorklist[T any](t *Twin, items []T) *Worklist[T] {
	return &Worklist[T]{t: t, items: items, signal: make(chan struct{}, 1)}
}

// Items returns the items ready now, in queue order.
func (w *Worklist[T]) Items() []T { return w.items }

// Set replaces the ready items, as the loop's own assignments do.
func (w *Worklist[T]) Set(items []T) { w.items = items }

// Push adds one delayed item: it joins the ready items once computed.
func (w *Worklist[T]) Push(d Delayed[T]) {
	if d.o == nil {
		w.items = append(w.items, d.v)
		return
	}
	w.submit(Track(w.t, d).nodeOf(), func() []T { return []T{d.get()} })
}

// PushAll adds a delayed slice of items: they join the ready items once
// computed.
func (w *Worklist[T]) PushAll(d Delayed[[]T]) {
	if d.o == nil {
		w.items = append(w.items, d.v...)
		return
	}
	w.submit(Track(w.t, d).nodeOf(), d.get)
}

func (w *Worklist[T]) submit(n *node, get func() []T) {
	w.pending++
	if w.client == nil {
		c, err := NewClient(w.t.opts...)
		if err != nil {
			w.deliver(piece[T]{err: err})
			return
		}
		w.client = c
	}
	c := w.client
	c.mu.Lock()
	b, err := c.prepareAll(w.t.ctx, []*node{n}, func(b *batch) {
		if b.err != nil {
			w.deliver(piece[T]{err: b.err})
			return
		}
		w.deliver(piece[T]{vals: get()})
	})
	if err == nil {
		c.e.begin(w.t.ctx, b)
	}
	c.mu.Unlock()
	if err != nil {
		w.deliver(piece[T]{err: err})
	}
}

func (w *Worklist[T]) deliver(p piece[T]) {
	w.mu.Lock()
	w.done = append(w.done, p)
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// Fill waits until an item is ready or no pushed value is still computing:
// the loop's condition then sees an empty queue only when the sequential loop
// would end. It fails as Twin.Wait does.
func (w *Worklist[T]) Fill() (int, error) {
	for len(w.items) == 0 && w.pending > 0 {
		w.mu.Lock()
		got := w.done
		w.done = nil
		w.mu.Unlock()
		if len(got) == 0 {
			select {
			case <-w.signal:
			case <-w.t.ctx.Done():
				return -1, fmt.Errorf("daskgen: %w", w.t.ctx.Err())
			}
			continue
		}
		for _, p := range got {
			w.pending--
			if p.err != nil {
				return w.t.settle(p.err)
			}
			w.items = append(w.items, p.vals...)
		}
	}
	return -1, nil
}

// Close stops what is still computing and waits for it.
func (w *Worklist[T]) Close() {
	if w.client != nil {
		w.client.Close()
	}
}
