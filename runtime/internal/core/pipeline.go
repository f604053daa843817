package core

import (
	"context"
	"iter"
	"runtime/trace"
)

// DefaultWindow is how many iterations a pipelined loop issues ahead of the
// one its eager part is on, when the //daskgen:parallel directive sets no
// window=N.
const DefaultWindow = 1024

// Pipeline runs a pipelined loop of a generated twin (DESIGN.md, "Pipelined
// loops"): produce is the loop's issue part, and the caller's range over the
// result is its eager part.
//
// produce runs in a goroutine of its own. It runs the loop's header and,
// through [Producer.Next], each iteration's issue part: the statements that
// compute the arguments of the iteration's delayed calls, and the calls. The
// tasks an iteration issues start at once, in the background, so that the
// delayed work of up to window iterations runs while the caller's loop body
// is still on an earlier iteration. The caller's loop receives the
// iterations in order, each with the values its issue part stored (*I) and
// its [Step], and runs the eager statements of F's loop body on them; it
// adopts each step's tasks into the twin ([Twin.Adopt]) where F would have
// made the calls, so that failures are reported in F's order.
//
// Leaving the range early (break, return, a panic) stops produce and cancels
// the tasks of the iterations the loop had not reached; an iteration that
// was reached keeps its tasks, so that a later Finish can still wait for
// them. A panic in produce is raised again in the caller's loop at the point
// where F would have met it: a panic of the header when the loop asks for
// the next iteration, a panic of a step at [Twin.Adopt] of that step.
//
// With slots Reuse, the producer writes later iterations into the memory
// of iterations the eager part is done with, so that a loop of millions of
// iterations allocates for the window, not for every iteration. The
// generated code says Reuse when the eager part keeps no pointer into an
// iteration's values past the iteration (no closure or address of them).
//
// Generated code calls Pipeline; there is no need to call it by hand.
func Pipeline[I any](t *Twin, window int, slots Slots, produce func(p *Producer[I])) iter.Seq2[*I, *Step] {
	if window < 1 {
		window = DefaultWindow
	}
	return func(yield func(*I, *Step) bool) {
		c, err := t.background()
		if err != nil {
			panic(err)
		}
		ctx, cancel := context.WithCancel(t.ctx)
		// The channel holds groups of iterations, full ones while the eager
		// part is behind: with the group the eager part is on and the one
		// being gathered, about window iterations ahead in all.
		group := min(maxGroup, max(1, window/4))
		p := &Producer[I]{ctx: ctx, run: t.ctx, c: c, ch: make(chan []slot[I], max(1, window/group-1)), group: group}
		if slots == Reuse {
			// At most cap(ch) groups wait in the channel, one is the eager
			// part's and one is being gathered: each in a slab of its own
			// or sharing one, so one slab more than that is never in use
			// when the producer goes back to it.
			p.slabs = make([][]slot[I], cap(p.ch)+3)
		}
		p.iss = issuer{ctx: ctx, executor: c.cfg.executor, off: obs.Load() != nil || trace.IsEnabled(), limit: int64(inlineCall)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(p.ch)
			defer func() {
				r := recover()
				if p.flush() && r != nil {
					p.send([]slot[I]{{header: true, st: Step{p: r}}})
				}
			}()
			produce(p)
		}()
		finished := false
		var reached *batch // the batch of the last iteration the loop reached
		defer func() {
			cancel()
			<-done
			if finished {
				return
			}
			// The loop left early: nothing waits for the iterations it did
			// not reach. Cancel their tasks, and wait for them to stop, so
			// that none outlives the loop; but not a batch that an iteration
			// the loop reached shares, whose tasks the twin may still need.
			cancelled := map[*batch]bool{reached: true}
			drop := func(g []slot[I]) {
				for k := range g {
					if b := g[k].st.b; b != nil && !cancelled[b] {
						cancelled[b] = true
						cancelBatch(b)
					}
				}
			}
			for g := range p.ch {
				drop(g)
			}
			drop(p.unsent)
		}()
		for g := range p.ch {
			for k := range g {
				s := &g[k]
				if s.header {
					panic(s.st.p)
				}
				reached = s.st.b
				if !yield(&s.v, &s.st) {
					return
				}
			}
		}
		finished = true
	}
}

// Producer is the issue part's side of a [Pipeline].
type Producer[I any] struct {
	ctx context.Context // done when the eager part has left the loop
	run context.Context // the twin's: what the iterations' tasks run with
	c   *Client
	ch  chan []slot[I]
	// Iterations issued but not started yet: their tasks start as one
	// batch, and they go to the eager part as one group, when the eager
	// part has caught up or when maxGroup gather. Each group has an array
	// of its own, which the eager part's pointers point into.
	pending []slot[I]
	slab    []slot[I]   // pending is slab[start:used]
	slabs   [][]slot[I] // with Reuse: the ring slab is from
	slabAt  int
	start   int
	used    int
	nodes   []*node
	scratch []*node // for chunkCheap
	group   int     // maxGroup, or a quarter of the window when it is smaller
	// unsent is the group the producer started but could not hand over,
	// the eager part having left the loop.
	unsent []slot[I]
	iss    issuer // for the calls the steps run inline; see granular.go
}

// maxGroup is how many issued iterations the producer gathers at most before
// it starts their tasks as one batch, while the eager part is busy: one
// batch for many cheap iterations costs less than one each.
const maxGroup = 64

type slot[I any] struct {
	v      I
	st     Step
	header bool // a panic of the loop's header, not of an iteration
}

// Next runs one iteration's issue part, issue, and starts the tasks it
// issued. issue stores what the eager part needs in *I, and records its
// steps and tasks in the Step. A panic in issue is kept for the eager part
// (see [Twin.Adopt]). Next blocks while the loop's window is full, and
// returns false when the eager part has left the loop: the producer must
// then return.
func (p *Producer[I]) Next(issue func(it *I, st *Step)) bool {
	if p.ctx.Err() != nil {
		return false
	}
	if p.used == len(p.slab) {
		// Groups are cut from slabs of slots, which do not move: the eager
		// part holds pointers into them.
		if len(p.pending) > 0 && !p.flush() {
			return false
		}
		p.slab, p.used = p.nextSlab(), 0
	}
	if len(p.pending) == 0 {
		p.start = p.used
	}
	s := &p.slab[p.used]
	if p.slabs != nil {
		*s = slot[I]{} // a reused slot: clear the iteration before
	}
	p.used++
	p.pending = p.slab[p.start:p.used]
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.st.p, s.st.panicked = r, true
			}
		}()
		s.st.src = &p.iss
		issue(&s.v, &s.st)
	}()
	for _, n := range s.st.nodes {
		if n.state.Load() == stPending { // not a call that failed inline
			p.nodes = append(p.nodes, n)
		}
	}
	if len(p.ch) > 0 && len(p.pending) < p.group && !s.st.paced {
		return true // the eager part has iterations to go on with
	}
	return p.flush()
}

// nextSlab returns the slab the next iterations go in: a new one, or with
// Reuse, the next of a ring of slabs, made on first use.
func (p *Producer[I]) nextSlab() []slot[I] {
	if p.slabs == nil {
		return make([]slot[I], p.group)
	}
	p.slabAt = (p.slabAt + 1) % len(p.slabs)
	if p.slabs[p.slabAt] == nil {
		p.slabs[p.slabAt] = make([]slot[I], p.group)
	}
	return p.slabs[p.slabAt]
}

// Slots says whether a pipelined loop's eager part keeps pointers into an
// iteration's values (a closure that captures them, their address) after
// it is done with the iteration.
type Slots bool

// The values of [Slots].
const (
	// Keep gives every iteration memory of its own.
	Keep Slots = false
	// Reuse lets the producer write later iterations into the memory of
	// iterations that the eager part is done with.
	Reuse Slots = true
)

// flush starts the tasks of the pending iterations as one batch and hands
// the iterations to the eager part, in order. It returns false when the
// eager part has left the loop.
func (p *Producer[I]) flush() bool {
	if len(p.pending) == 0 {
		return p.ctx.Err() == nil
	}
	b := startBatch(p.run, p.c, chunkCheap(p.nodes, p.c.cfg.executor, &p.scratch))
	clear(p.nodes)
	p.nodes = p.nodes[:0]
	pending := p.pending
	p.pending = nil
	for k := range pending {
		pending[k].st.b = b
	}
	if !p.send(pending) {
		p.unsent = pending
		return false
	}
	return true
}

func (p *Producer[I]) send(g []slot[I]) bool {
	select {
	case p.ch <- g:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// Step is what one iteration of a pipelined loop issued: its tasks, each
// with the step (the statement of the issue part) that issued it, and a
// panic of the issue part, if it had one.
type Step struct {
	// What the eager part reads of every step comes first, next to the
	// iteration's values: the eager part's goroutine is not the one that
	// wrote them, so each cache line it touches is a miss.
	at       int32
	adopted  int32
	panicked bool
	detached bool // the eager part has run in the producer (PipelineIndex)
	paced    bool // the issue part keeps F's pace (Pace)
	nodes    []*node
	steps    []int32
	p        any
	b        *batch
	src      *issuer
	// Room for the one task most steps issue, so that issuing it does not
	// allocate.
	node1 [1]*node
	step1 [1]int32
}

// At records that the issue part is at its step k (counted from 1): the
// tasks issued from now on, and a panic, belong to that step.
func (s *Step) At(k int) { s.at = int32(k) }

// Pace records that the current step is F's pace between its calls (a
// time.Sleep before each): the tasks of the iteration start as soon as its
// issue part is done, rather than in a batch with later iterations', so
// that they start no faster than F's calls and no later.
func (s *Step) Pace() { s.paced = true }

// Issue records d's task, if it has one, as issued by the current step of
// an iteration, and returns d. The task starts when the iteration's issue
// part is done.
func Issue[T any](s *Step, d Delayed[T]) Delayed[T] {
	if n := d.nodeOf(); n != nil {
		if s.nodes == nil {
			s.nodes, s.steps = s.node1[:0], s.step1[:0]
		}
		s.nodes = append(s.nodes, n)
		s.steps = append(s.steps, s.at)
	}
	return d
}

// startBatch computes nodes in the background, as one batch of c, or
// returns nil when there is nothing to start.
func startBatch(ctx context.Context, c *Client, nodes []*node) *batch {
	if len(nodes) == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil // the twin has returned; nothing will wait for these
	}
	b, err := c.prepareAll(ctx, nodes, func(*batch) {})
	if err != nil {
		// The tasks cannot run (a bad option, an unregistered function):
		// the twin meets the same error when it waits for them.
		return nil
	}
	c.e.begin(ctx, b)
	return b
}

// cancelBatch stops a batch's tasks, and waits until they have returned.
func cancelBatch(b *batch) {
	if b == nil {
		return
	}
	b.finish(context.Canceled)
	<-b.doneCh
}

// Adopt makes the tasks of step k of an iteration the twin's, as if the
// twin had added them there, in F's order: a later failure of one of them
// is reported where F would have met it. When the iteration's issue part
// panicked at step k, Adopt panics again with the same value, where F would
// have panicked.
func (t *Twin) Adopt(s *Step, k int) {
	if s.panicked && int(s.at) == k {
		panic(s.p)
	}
	for ; int(s.adopted) < len(s.nodes) && int(s.steps[s.adopted]) <= k; s.adopted++ {
		if n := s.nodes[s.adopted]; stOf(n.state.Load()) != stDone {
			t.adopt(n) // a done task cannot fail: nothing to track
		}
	}
}

// background returns the client that runs the twin's issued tasks, making
// it on first use.
func (t *Twin) background() (*Client, error) {
	if t.bg == nil {
		c, err := NewClient(append(append([]Option(nil), t.opts...), keepFailed)...)
		if err != nil {
			return nil, err
		}
		t.bg = c
	}
	return t.bg, nil
}

// Close stops whatever the twin still runs in the background (the tasks of
// pipelined loops that the twin returned without waiting for) and waits for
// it, so that no goroutine outlives the twin. Generated twins defer it. A nil
// Twin does nothing.
func (t *Twin) Close() {
	if t == nil {
		return
	}
	if t.bg != nil {
		t.bg.Close()
	}
	if t.task != nil {
		t.task.End()
		t.task = nil
	}
}

// keepFailed makes a compute treat a task whose last run failed as failed,
// instead of running it again: a twin reports the failure it has already
// seen, as the sequential function would have met it once.
func keepFailed(c *config) { c.keepFailed = true }
