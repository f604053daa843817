package core

import (
	"context"
	"os"
	"runtime/debug"
	"time"
)

// Adaptive granularity: calls too cheap to be worth a task each run in
// batches of consecutive calls.
//
// The runtime learns what a function's calls cost as they run: a worker
// times one task in sampleEvery, and a batch times all of its calls, and
// the function keeps a moving average. When a pipelined loop's producer
// starts a group of iterations, the calls of functions that cost less than
// cheapCall, whose inputs are all known, become batches ("chunks") of
// consecutive calls, sized to cost about chunkTarget each: one task per
// callChunk, so that many chunks still run on every core. A call in a callChunk is
// not claimed by any compute until it runs: the callChunk runs it, or the
// twin's loop does when it needs the value before the callChunk got to it
// (runInPlace), whichever comes first. Each call keeps its own result,
// error and panic, so folds, first errors and panics keep F's order: the
// twin finds a failed call where F would have met it. Functions with
// retries, a limit, purity or an executor keep a task per call, and so do
// calls whose cost is not known yet.

const (
	// cheapCall is the cost under which calls are run in chunks.
	cheapCall = 20 * time.Microsecond
	// chunkTarget is what a callChunk of cheap calls should cost, well above
	// what a task costs the scheduler.
	chunkTarget = 50 * time.Microsecond
	// maxChunk bounds the calls of a callChunk.
	maxChunkCalls = 256
	// sampleEvery is how often a worker times a task: one in this many.
	sampleEvery = 64
	// inlineCall is the cost under which a pipelined loop's producer runs
	// a call itself, at once, rather than make a task of it: about what
	// making, starting and adopting a task costs the producer and the
	// twin, so that the call costs less than its task would.
	inlineCall = 200 * time.Nanosecond
	// inlineSample is how often the producer times a call it runs: one in
	// this many, so that a function that turns expensive is noticed.
	inlineSample = 16
)

// inPlace is the owner of a node that runs outside any compute: in a callChunk,
// or in the twin's goroutine. Batch ids never reach it.
const inPlace = 1 << 55

// noteCost adds one measurement of a call's cost, in nanoseconds, to fi's
// moving average. A measurement counts for at most four times the average:
// a call that the Go scheduler or the collector interrupted costs no more
// than that, and a function that turned expensive is still noticed after a
// few measurements.
func (fi *fnInfo) noteCost(ns int64) {
	ns = max(ns, 1)
	old := fi.cost.Load()
	if old > 0 {
		ns = (7*old + min(ns, 4*old)) / 8
	}
	if ns != old {
		fi.cost.Store(ns) // a store makes every core that reads it miss
	}
}

// EnvChunks set to "all" runs every call that may run in a chunk in one,
// whatever it costs, and set to "inline" runs every call that may run in
// the producer of a pipelined loop there: ways to test that chunks and
// inline calls change nothing but speed.
const EnvChunks = "DASKGEN_CHUNKS"

var (
	chunkAll    = os.Getenv(EnvChunks) == "all"
	chunkInline = os.Getenv(EnvChunks) == "inline"
)

// chunkCost returns the cost of fi's calls when they may run in chunks,
// or zero.
func (fi *fnInfo) chunkCost(executor Executor) int64 {
	c := fi.cost.Load()
	switch {
	case chunkAll:
		c = 1_000 // a microsecond: chunks of fifty
	case chunkInline:
		c = 1
	}
	if c <= 0 || c >= int64(cheapCall) || fi.retries != 0 || fi.limit != 0 || fi.pure || fi.err != nil {
		return 0
	}
	if executor != nil && fi.remote != "" && !fi.local {
		return 0 // its calls go to the executor
	}
	return c
}

// inputsDone reports whether every input of n is computed; buf is scratch
// space, returned for the next call.
func inputsDone(n *node, buf []*node) (bool, []*node) {
	buf = n.self.deps(buf[:0])
	for _, d := range buf {
		if stOf(d.state.Load()) != stDone {
			return false, buf
		}
	}
	return true, buf
}

// chunkCheap replaces the cheap calls among nodes by chunks of them, in
// their order, and returns the nodes to start: the chunks and the rest.
// scratch is space it may reuse.
func chunkCheap(nodes []*node, executor Executor, scratch *[]*node) []*node {
	if len(nodes) < 2 {
		return nodes // one call is one task either way
	}
	var (
		out    []*node
		chunks []*callChunk // in order; the last of each function is open
		done   bool
	)
	for _, n := range nodes {
		fi := n.self.fninfo()
		cost := int64(0)
		if fi != nil && n.state.Load() == stPending {
			cost = fi.chunkCost(executor)
		}
		if cost > 0 {
			done, *scratch = inputsDone(n, *scratch)
		}
		if cost == 0 || !done {
			out = append(out, n)
			continue
		}
		var c *callChunk
		for k := len(chunks) - 1; k >= 0; k-- {
			if chunks[k].fn == fi {
				c = chunks[k]
				break
			}
		}
		if c == nil || len(c.members) >= c.size {
			c = &callChunk{fn: fi, info: fi.chunkInfo(), size: min(maxChunkCalls, max(2, int(int64(chunkTarget)/cost)))}
			chunks = append(chunks, c)
		}
		c.members = append(c.members, n)
	}
	for _, c := range chunks {
		if len(c.members) == 1 {
			out = append(out, c.members[0])
			continue
		}
		for _, m := range c.members {
			m.flags.Or(flagChunked)
		}
		c.init(c)
		out = append(out, &c.node)
	}
	return out
}

// chunkInfo returns the function of fi's chunks, made once.
func (fi *fnInfo) chunkInfo() *fnInfo {
	fi.chunkOnce.Do(func() {
		fi.chunkFn = &fnInfo{raw: fi.raw, name: "batch of " + fi.Name(), chunkOf: fi}
	})
	return fi.chunkFn
}

// callChunk is a task that runs consecutive cheap calls one after the other.
type callChunk struct {
	node
	fn      *fnInfo // the function of the members
	info    *fnInfo // the chunk's own, for the dashboard
	members []*node
	size    int
}

func (c *callChunk) fninfo() *fnInfo { return c.info }

// call runs the members that nobody has run yet, in order, and times them.
// Each member keeps its own result or failure; the callChunk does not fail.
func (c *callChunk) call(ctx context.Context) error {
	start, ran := nanotime(), 0
	for _, m := range c.members {
		if ctx.Err() != nil {
			return nil // the loop was left: the rest stay pending
		}
		if runInPlace(ctx, m) {
			ran++
		}
	}
	if ran > 0 {
		c.members[0].self.fninfo().noteCost((nanotime() - start) / int64(ran))
	}
	return nil
}

func (c *callChunk) deps(buf []*node) []*node { return buf }
func (c *callChunk) release()                 { c.members = nil }
func (c *callChunk) spec() Task               { return Task{name: c.info.Name()} }

// runInPlace runs n in the calling goroutine if it is pending, and reports
// whether it did. Like a worker, it stores the result or the failure and
// wakes whoever waits on n; when ctx ended while n ran, its result may be a
// cancelled one, so n is pending again.
func runInPlace(ctx context.Context, n *node) bool {
	if !n.state.CompareAndSwap(stPending, pack(inPlace, stRunning)) {
		return false
	}
	err := callOnce(ctx, n.self, nil) // chunks hold local calls only
	switch {
	case ctx.Err() != nil:
		n.state.Store(stPending)
	case err == nil:
		n.err = nil
		n.state.Store(stDone)
		n.self.release()
	default:
		n.err = err
		n.state.Store(stFailed)
	}
	n.settled()
	return true
}

// callOnce runs t one time, with executor when it has one and t's
// function is registered with it, else locally, turning a panic into a
// *PanicError.
func callOnce(ctx context.Context, t task, executor Executor) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Task: t.hdr().name(), Value: r, Stack: debug.Stack(), seq: t.hdr().seq}
		}
	}()
	if executor != nil {
		if fi := t.fninfo(); fi.remote != "" && !fi.local {
			if r, ok := t.(remoter); ok {
				return r.remote(ctx, executor)
			}
		}
	}
	return t.call(ctx)
}

// Calls run at once in the producer ("inline"). A call that costs less than
// its task would, with its arguments known, runs in the producer of a
// pipelined loop when the iteration issues it; its value is a plain value,
// and nothing is allocated or scheduled for it. A Pipeline's producer is
// one goroutine, so only calls cheaper than a task run there: the producer
// would spend longer making their tasks; PipelineIndex's producers run in
// parallel, so calls under cheapCall do. A call that fails or panics
// becomes a failed task, found where F would have met it, like any other.
//
// A function that takes a context never runs inline: it may block until
// its context is done (a long poll, a wait on a channel), which a call
// issued ahead for an iteration F never reaches would do while the
// producer holds back the iterations before it. Its calls are tasks, which
// leaving the loop cancels without waiting for them.

// issuer is what a Producer lends its steps for running calls inline.
type issuer struct {
	// Producers run at once, each with an issuer it writes for every
	// call: the padding keeps two issuers off one cache line.
	_ [64]byte
	// ctx is what the calls get: the pipeline's, which is done when the
	// eager part leaves the loop, as the tasks of iterations it did not
	// reach are cancelled then.
	ctx      context.Context
	executor Executor
	calls    int // calls run inline, for sampling their cost
	off      bool
	// limit is the cost under which a call runs inline: inlineCall for a
	// Pipeline's one producer, cheapCall for PipelineIndex's, which run in
	// parallel and so are chunks of calls themselves.
	limit int64
	// memo keeps the last decisions for a few functions, each for
	// memoCalls calls: reading a function's cost for every call would
	// share its cache line between producers that update it.
	memo [2]struct {
		fi   *fnInfo
		ok   bool
		left int
	}
	memoAt int
	_      [64]byte
}

// memoCalls is how many calls a producer keeps its decision for a function.
const memoCalls = 64

// inlines reports whether a call of fi issued at s may run at once. The
// dashboard and runtime/trace show tasks, so while either records, every
// call stays one.
func (s *Step) inlines(fi *fnInfo) bool {
	src := s.src
	if src == nil || src.off || fi == nil || fi.takesCtx {
		return false
	}
	for k := range src.memo {
		if m := &src.memo[k]; m.fi == fi && m.left > 0 {
			m.left--
			return m.ok
		}
	}
	c := fi.chunkCost(src.executor)
	ok := c > 0 && c < src.limit
	m := &src.memo[src.memoAt]
	src.memoAt = (src.memoAt + 1) % len(src.memo)
	m.fi, m.ok, m.left = fi, ok, memoCalls
	return ok
}

// known reports whether d's value is known: a plain value or a done task.
func (d Delayed[T]) known() bool {
	return d.o == nil || stOf(d.o.state.Load()) == stDone
}

// inlinePanic is a panic of a call run inline, with its stack.
type inlinePanic struct {
	value any
	stack []byte
}

// inlineStart counts a call that the producer runs inline and returns the
// time it starts, or 0: one call in inlineSample is timed, to keep its
// function's cost current (Fn1.Issue and the other arities').
func (src *issuer) inlineStart() int64 {
	if src.calls++; src.calls%inlineSample != 0 {
		return 0
	}
	return nanotime()
}

// failInline makes n, a new task for a call that ran inline, failed with
// the call's error or panic, as a worker would have left it.
func failInline(n *node, err error, p *inlinePanic) {
	if p != nil {
		err = &PanicError{Task: n.name(), Value: p.value, Stack: p.stack, seq: n.seq}
	}
	n.err = err
	n.state.Store(stFailed)
}
