package core

import (
	"context"
	"iter"
	goruntime "runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
)

// PipelineIndex is [Pipeline] for a loop over the indexes 0 to n-1 (a range
// over a slice, an array or an integer), whose issue parts depend on
// nothing but their index: producers (one fewer than the CPUs, and the
// caller's goroutine while the block it needs is not issued yet) run the
// issue parts of blocks of consecutive iterations at once, and the caller's
// range receives the iterations in order, as with Pipeline. issue is one
// iteration's issue part; k is its index.
//
// Because the producers run in parallel, calls that cost less than a chunk
// of tasks would (see [Fn1.Issue]) run in the producer that issues them:
// a loop of cheap calls spreads over every core without a task per call.
//
// detach, when not nil, is the eager part of an iteration whose values are
// all known, for a loop whose eager parts commute: each only stores values
// of its own iteration at its own index (out[i] = f(x)) and defines
// variables of its own (the analyzer's Pipeline.Detached). A producer runs
// it right after the issue part when no task of the iteration is still to
// run, and the caller's range never receives that iteration; detach
// returns false, having changed nothing it would not change again, when a
// value it needs is not known after all, and the range receives the
// iteration as usual. A panic in detach is met again, in order, by the
// eager part.
//
// Generated code calls PipelineIndex; there is no need to call it by hand.
func PipelineIndex[I any](t *Twin, window int, slots Slots, n int, issue func(k int, it *I, st *Step), detach func(it *I) bool) iter.Seq2[*I, *Step] {
	if window < 1 {
		window = DefaultWindow
	}
	return func(yield func(*I, *Step) bool) {
		if n <= 0 {
			return
		}
		c, err := t.background()
		if err != nil {
			panic(err)
		}
		ctx, cancel := context.WithCancel(t.ctx)
		procs := goruntime.GOMAXPROCS(0)
		group := indexGroup(n, window, procs)
		x := &indexPipe[I]{
			ctx: ctx, run: t.ctx, c: c, n: n, group: group, slots: slots, issue: issue, detach: detach,
			blocks: (n + group - 1) / group,
			ring:   make([]indexBlock[I], indexRing(window, group, procs)),
			off:    obs.Load() != nil || trace.IsEnabled(),
		}
		x.tokens = make(chan struct{}, len(x.ring))
		for k := range x.ring {
			x.ring[k].ready = make(chan struct{})
			x.tokens <- struct{}{}
		}
		// The eager part issues blocks too while the one it needs is not
		// ready (help below), so one producer fewer than the CPUs keeps
		// them all busy without more goroutines than cores.
		producers := min(max(1, goruntime.GOMAXPROCS(0)-1), x.blocks, len(x.ring))
		var wg sync.WaitGroup
		stopped := make(chan struct{})
		for range producers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x.produce()
			}()
		}
		go func() {
			wg.Wait()
			close(stopped)
		}()

		finished := false
		var reached *batch // the batch of the last iteration the loop reached
		j := 0             // the block the loop is on
		defer func() {
			cancel()
			<-stopped
			if finished {
				return
			}
			// The loop left early: cancel the tasks of the blocks it did
			// not reach, and wait for them to stop (see Pipeline).
			for k := range x.ring {
				if b := x.ring[k].b; b != nil && b != reached {
					cancelBatch(b)
				}
			}
		}()
		var helper *indexWorker[I]
		for ; j < x.blocks; j++ {
			e := &x.ring[j%len(x.ring)]
		wait:
			for {
				select {
				case <-e.ready:
					break wait
				default:
				}
				// Help: issue a later block while this one is not ready.
				select {
				case <-x.tokens:
					if helper == nil {
						helper = x.newWorker()
					}
					helper.claim()
					continue
				default:
				}
				select {
				case <-e.ready:
					break wait
				case <-stopped:
					select {
					case <-e.ready:
						break wait
					default:
						// The producers stopped early: the twin's context
						// is done, which the twin reports when it next
						// waits.
						finished = true
						return
					}
				}
			}
			reached = e.b
			if !e.detached {
				for k := range e.g {
					s := &e.g[k]
					if s.st.detached {
						continue // its eager part has run in the producer
					}
					if !yield(&s.v, &s.st) {
						return
					}
				}
			}
			// Done with block j: its entry of the ring is block j+len(ring)'s.
			e.g, e.b, e.detached = nil, nil, false
			e.ready = make(chan struct{})
			x.tokens <- struct{}{}
		}
		finished = true
	}
}

// maxIndexGroup is the most iterations in a block of PipelineIndex.
const maxIndexGroup = 256

// indexGroup is how many iterations a block of a PipelineIndex of n
// iterations holds. A block costs about half a microsecond to claim and
// hand over, which blocks of 64 cheap iterations still felt (the trivial
// rung of the ladder: 31 ns an iteration, 22 ns with blocks of 256);
// smaller blocks share the work out more evenly. So: at most a quarter of
// the window and maxIndexGroup, and small enough that each of procs
// producers gets about eight.
func indexGroup(n, window, procs int) int {
	return max(1, min(maxIndexGroup, window/4, n/(8*procs)))
}

// indexRing is how many blocks of group iterations a PipelineIndex keeps in
// flight: window iterations' worth, and with the default window (the
// directive set none), at least two per CPU. The ring is
// what bounds the producers (no more than its blocks run at once), so a
// ring of window/group blocks alone, four to six with the default window,
// let no more than that many cores issue, however many there were: the
// 1 µs rung of the ladder stopped scaling at four cores (issue 24). Two
// blocks per CPU let every producer work on one while the eager part is on
// another. Memory stays bounded by 2*procs*maxIndexGroup slots. A window
// the directive sets is kept as it is: it may bound what runs ahead on
// purpose.
func indexRing(window, group, procs int) int {
	if window != DefaultWindow {
		return max(2, window/group)
	}
	return max(2, window/group, 2*procs)
}

// indexPipe is the state a PipelineIndex's producers share.
type indexPipe[I any] struct {
	ctx    context.Context // done when the eager part has left the loop
	run    context.Context // the twin's: what the iterations' tasks run with
	c      *Client
	n      int
	group  int   // iterations in a block
	blocks int   // blocks in all
	slots  Slots // Reuse: a ring entry's slots serve its later blocks
	off    bool  // the dashboard or runtime/trace records: every call is a task
	issue  func(k int, it *I, st *Step)
	detach func(it *I) bool // the eager part, when eager parts commute
	next   atomic.Int64     // the next block to claim
	// ring holds the blocks in flight: block j in ring[j%len(ring)]. A
	// producer takes a token before it claims a block; the eager part gives
	// it back when it is done with a block and has made its entry ready for
	// the block len(ring) later. So no block is claimed before its entry is
	// free, and at most len(ring) blocks are ahead of the eager part.
	ring   []indexBlock[I]
	tokens chan struct{}
}

// indexBlock is one block of a PipelineIndex in flight.
type indexBlock[I any] struct {
	ready chan struct{} // closed when g is issued and its tasks started
	mem   []slot[I]     // the entry's slots, kept with Reuse
	g     []slot[I]     // the block's iterations
	b     *batch        // the block's tasks, or nil
	// detached says that every iteration of g has run its eager part in
	// the producer: the caller's range skips the block.
	detached bool
}

// produce claims blocks in order and runs their issue parts, until none is
// left or the eager part has left the loop.
func (x *indexPipe[I]) produce() {
	w := x.newWorker()
	for {
		select {
		case <-x.tokens:
		case <-x.ctx.Done():
			return
		}
		if !w.claim() {
			return
		}
	}
}

// indexWorker is what a goroutine that issues blocks keeps between them.
type indexWorker[I any] struct {
	x              *indexPipe[I]
	iss            issuer
	nodes, scratch []*node
}

func (x *indexPipe[I]) newWorker() *indexWorker[I] {
	return &indexWorker[I]{x: x, iss: issuer{ctx: x.ctx, executor: x.c.cfg.executor, off: x.off, limit: int64(cheapCall)}}
}

// claim issues the next block, for a token the caller has taken, and
// reports whether there may be more: false when none was left or the eager
// part has left the loop.
func (w *indexWorker[I]) claim() bool {
	x := w.x
	j := int(x.next.Add(1) - 1)
	if j >= x.blocks {
		return false
	}
	e := &x.ring[j%len(x.ring)]
	lo, hi := j*x.group, min(x.n, (j+1)*x.group)
	if e.mem == nil || x.slots == Keep {
		e.mem = make([]slot[I], x.group)
	} else {
		clear(e.mem)
	}
	g := e.mem[:hi-lo]
	for k := lo; k < hi; {
		k = x.issueFrom(k, lo, g, &w.iss)
	}
	all := x.detach != nil
	for k := range g {
		s := &g[k]
		if s.st.detached {
			continue
		}
		all = false
		for _, n := range s.st.nodes {
			if n.state.Load() == stPending { // not a call that failed inline
				w.nodes = append(w.nodes, n)
			}
		}
	}
	if x.ctx.Err() != nil {
		return false // the loop is left: nothing will read this block
	}
	b := startBatch(x.run, x.c, chunkCheap(w.nodes, x.c.cfg.executor, &w.scratch))
	clear(w.nodes)
	w.nodes = w.nodes[:0]
	if b != nil {
		for k := range g {
			g[k].st.b = b
		}
	}
	e.g, e.b, e.detached = g, b, all
	close(e.ready)
	return true
}

// issueFrom runs the issue parts of block g's iterations from k on (lo is
// the block's first), each followed, when it issued no task and the loop's
// eager parts commute, by its eager part (see PipelineIndex). It stops
// after an iteration that panics, keeping the panic of its issue part for
// the eager part (see Twin.Adopt), and returns where to go on: one
// deferred recover serves the iterations up to a panic, not one each.
func (x *indexPipe[I]) issueFrom(k, lo int, g []slot[I], src *issuer) (next int) {
	eager := false
	defer func() {
		if r := recover(); r != nil {
			s := &g[next-lo]
			// A panic of the eager part is met again, in order, by the
			// eager part in F's order: the iteration is not detached.
			if !eager {
				s.st.p, s.st.panicked = r, true
			}
			next++
		}
	}()
	for next = k; next < lo+len(g); next++ {
		s := &g[next-lo]
		s.st.src = src
		eager = false
		x.issue(next, &s.v, &s.st)
		if x.detach != nil && len(s.st.nodes) == 0 {
			eager = true
			s.st.detached = x.detach(&s.v)
		}
	}
	return next
}
