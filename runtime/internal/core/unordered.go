package core

import (
	"fmt"
	"sync"
)

// Unordered runs a generated twin's unordered worklist loop in its natural
// shape (//daskgen:parallel unordered): the twin runs the loop's issue part
// (pop an item, make its delayed calls) for every item in the queue, and
// Adds each iteration with its tasks, which start at once in the
// background; Next returns the iterations as their tasks complete, for the
// rest of the body (Dask's as_completed with add). The twin's goroutine
// calls every method; the tasks run on the twin's background client.
type Unordered[I any] struct {
	t      *Twin
	mu     sync.Mutex
	done   []*I
	signal chan struct{}
	flying int
}

// NewUnordered returns an empty set of iterations for the twin t.
func NewUnordered[I any](t *Twin) *Unordered[I] {
	return &Unordered[I]{t: t, signal: make(chan struct{}, 1)}
}

// Add starts the tasks of ds, which the iteration it issued, and makes it
// ready for Next once they have settled (succeeded or failed: the twin's
// waits and Finish report a failure where F would meet it).
func (u *Unordered[I]) Add(it *I, ds ...Node) {
	var nodes []*node
	for _, d := range ds {
		if n := nodeOfAny(d); n != nil {
			nodes = append(nodes, n)
		}
	}
	c, err := u.t.background()
	if err != nil || len(nodes) == 0 {
		u.deliver(it)
		u.flying++
		return
	}
	u.flying++
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		u.deliver(it)
		return
	}
	b, err := c.prepareAll(u.t.ctx, nodes, func(*batch) { u.deliver(it) })
	if err != nil {
		u.deliver(it)
		return
	}
	c.e.begin(u.t.ctx, b)
}

func (u *Unordered[I]) deliver(it *I) {
	u.mu.Lock()
	u.done = append(u.done, it)
	u.mu.Unlock()
	select {
	case u.signal <- struct{}{}:
	default:
	}
}

// Next returns the next iteration whose tasks have settled, in completion
// order, or nil when no iteration is left. It fails as Twin.Wait does when
// the twin's context is done.
func (u *Unordered[I]) Next() (*I, int, error) {
	for u.flying > 0 {
		u.mu.Lock()
		var it *I
		if len(u.done) > 0 {
			it, u.done = u.done[0], u.done[1:]
		}
		u.mu.Unlock()
		if it != nil {
			u.flying--
			return it, -1, nil
		}
		select {
		case <-u.signal:
		case <-u.t.ctx.Done():
			return nil, -1, fmt.Errorf("daskgen: %w", u.t.ctx.Err())
		}
	}
	return nil, -1, nil
}
