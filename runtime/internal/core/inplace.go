package core

import (
	"cmp"
	"fmt"
	"runtime/trace"
	"slices"
)

// Running what a wait needs where the twin waits.
//
// A loop that cannot run ahead (each call reads the cursor the call before
// it returned) waits for its own iteration's call before the next: a
// compute for that one call only hands it to a worker and waits for it,
// which costs more than a cheap call (BenchmarkCursor in
// internal/twinbench: 3.7 times the loop). So when the tasks a wait needs
// are one call of a delayed function and the twin's small steps on it (a
// field of its result, a sum), or small steps only, and a compute would
// simply run them (no retries, limit, purity, context, executor, progress
// bar, dashboard or execution trace), the twin's goroutine runs them
// itself, one after the other in program order, as a synchronous compute
// would: each keeps its result, error or panic, and a failure is settled
// as a compute's.
//
// Other goroutines may hold those tasks at the same time: a pipelined
// loop's producer hands its tasks to workers, a chunk of cheap calls runs
// its members where it is (granular.go), and whoever runs a task drops its
// inputs when it is done (release). So the wait claims each pending task,
// with a compare-and-swap from pending as a batch claims its tasks, before
// it reads the task's inputs; a task that another goroutine claimed or ran
// first ends the walk, and so does one that must not run here. A worker or
// a chunk that comes to a task the twin claimed finds it claimed and leaves
// it; a compute that needs it waits for it as for another compute's. Tasks
// the wait claimed and does not run go back to pending, and whoever waits
// on them is woken, as when a batch gives up its claims (batch.revert);
// the compute the wait then makes claims them again. As with a batch's
// revert, a compute that began to wait for such a task in the meantime
// ends with errAbandoned, and its tasks go back to pending: a twin's wait
// computes them again when it needs them.

// maxClaimDepth bounds the chain of tasks a wait follows from a target.
const maxClaimDepth = 64

// mayRunHere reports whether the twin's computes would run a task as the
// twin's goroutine does: no recorder, trace or progress bar counts it, and
// their options are good.
func (t *Twin) mayRunHere() bool {
	if obs.Load() != nil || trace.IsEnabled() {
		return false
	}
	if t.cfg == nil {
		t.cfg = newConfig(t.opts)
	}
	return t.cfg.err == nil && t.cfg.progress == nil
}

// mayNow reports whether a call of fi that the twin's eager code waits for
// before it issues any other may run at once, where it is called (FnN.Now):
// when the wait would run it in place, as one call claimed here, and the
// twin is not cancelled (a cancelled twin's wait ends with the context's
// error, as before).
func (t *Twin) mayNow(fi *fnInfo) bool {
	if fi == nil || fi.limit > 0 || fi.retries > 0 || fi.err != nil || fi.pure || fi.takesCtx || fi.chunkOf != nil {
		return false
	}
	if !t.mayRunHere() || t.ctx.Err() != nil {
		return false
	}
	return t.cfg.executor == nil || fi.local
}

// claim claims, for the twin's goroutine, the pending tasks that targets
// need, in t.claims, and reports whether it claimed them all. With here, they
// may be small steps of the twin and one call, each of which may run where
// the twin waits (see claimer.may); without, small steps only, for a
// synchronous compute. The caller runs the claims or gives them back.
func (t *Twin) claim(targets []*node, here bool) bool {
	if t.owner == 0 {
		// An id that no batch has: to computes, the claims are another's.
		t.owner = batchIDs.Add(1)
	}
	c := claimer{t: t, mine: pack(t.owner, stClaimed), here: here}
	for _, n := range targets {
		if !c.walk(n, 0) {
			return false
		}
	}
	return true
}

// claimer is a wait's walk over the tasks its targets need.
type claimer struct {
	t    *Twin
	mine uint64 // the state of a task this twin claimed
	here bool
	call bool // a call of a registered function is claimed
}

// walk claims n, unless it is done or claimed already, and then its
// inputs, and reports whether all of them are done or claimed by the twin.
func (c *claimer) walk(n *node, depth int) bool {
	w := n.state.Load()
	switch {
	case stOf(w) == stDone || w == c.mine:
		return true
	case stOf(w) != stPending || depth > maxClaimDepth:
		return false
	}
	// A task's function is set when the task is made, before anyone else
	// sees it; its inputs may be read only by whoever holds it.
	fi := n.self.fninfo()
	if !c.may(fi) || !n.state.CompareAndSwap(w, c.mine) {
		return false
	}
	if fi.remote != "" {
		c.call = true
	}
	t := c.t
	t.claims = append(t.claims, n)
	from := len(t.inputs)
	t.inputs = n.self.deps(t.inputs)
	for k, to := from, len(t.inputs); k < to; k++ {
		if !c.walk(t.inputs[k], depth+1) {
			return false
		}
	}
	return true
}

// may reports whether a task of fi may be among the claims.
func (c *claimer) may(fi *fnInfo) bool {
	if fi == nil || fi.limit > 0 || fi.retries > 0 {
		return false
	}
	if !c.here {
		return fi.remote == "" // a small step of the twin
	}
	if fi.remote != "" && c.call {
		return false // a second call: a compute may run the two at once
	}
	// A function that takes a context may block until it is done, which
	// the twin's goroutine must not (see granular.go); with an executor,
	// a compute sends a registered call to it and refuses a function
	// that is neither registered nor local.
	return fi.err == nil && !fi.pure && !fi.takesCtx && fi.chunkOf == nil &&
		(c.t.cfg.executor == nil || fi.local)
}

// runClaimed runs the tasks the twin claimed, in program order, which is
// an order in which every task comes after its inputs, as a synchronous
// compute does, and returns what a compute of them would: at the first
// that fails, its failure as the sequential function meets it (see settle),
// and the claims after it go back.
func (t *Twin) runClaimed() (int, error) {
	defer t.forget()
	claims := t.claims
	slices.SortFunc(claims, func(a, b *node) int { return cmp.Compare(a.seq, b.seq) })
	running := pack(t.owner, stRunning)
	for k, n := range claims {
		if t.ctx.Err() == nil {
			n.state.Store(running)
			err := t.call(n)
			switch {
			case t.ctx.Err() != nil:
				// Its result may be a cancelled one: a later compute runs
				// it again.
				n.state.Store(stPending)
				n.settled()
			case err != nil:
				n.err = err
				n.state.Store(stFailed)
				n.settled()
				t.giveBack(claims[k+1:])
				return t.settle(taskErr(n, err))
			default:
				n.err = nil
				n.state.Store(stDone)
				n.settled()
				n.self.release()
				continue
			}
		}
		t.giveBack(claims[k:])
		return -1, fmt.Errorf("daskgen: %w", t.ctx.Err())
	}
	return -1, nil
}

// call runs n once, as a worker does: a panic becomes a *PanicError, and
// one run in sampleEvery is timed, to keep its function's cost current.
func (t *Twin) call(n *node) error {
	if t.ran++; t.ran%sampleEvery != 0 {
		return callOnce(t.ctx, n.self, nil)
	}
	start := nanotime()
	err := callOnce(t.ctx, n.self, nil)
	if err == nil {
		n.self.fninfo().noteCost(nanotime() - start)
	}
	return err
}

// giveBack makes the tasks among ns that the twin still holds pending
// again, and wakes whoever waits on them, as batch.revert does.
func (t *Twin) giveBack(ns []*node) {
	mine := pack(t.owner, stClaimed)
	for _, n := range ns {
		if n.state.CompareAndSwap(mine, stPending) {
			n.settled()
		}
	}
}

// forget clears the claims and the inputs read, so that they keep no task
// alive.
func (t *Twin) forget() {
	clear(t.claims)
	clear(t.inputs)
	t.claims, t.inputs = t.claims[:0], t.inputs[:0]
}
