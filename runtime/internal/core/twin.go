package core

import (
	"context"
	"errors"
	"fmt"
	"runtime/trace"
	"slices"
)

// Twin is the state of one run of a parallel twin that daskgen generated:
// the tasks the twin has added so far, in program order, and which of them
// stand for the error idiom
//
//	v, err := f(x)
//	if err != nil {
//		return ..., err
//	}
//
// Generated code makes one with NewTwin, passes every task it adds to Track,
// registers each error idiom with Check, and calls Wait where eager code needs
// a value and Finish where the function returns. Hand-written code has no
// need for it: use Compute.
//
// Wait and Finish report a failure as the sequential function would meet it:
// of all the tasks added so far, the first in program order that fails. When
// that task is a registered error idiom, they return its index among the
// Check calls, so that generated code returns what the sequential function's
// if statement returns. When it panicked, they panic again with its
// *PanicError. A Twin is used by one goroutine.
type Twin struct {
	ctx     context.Context
	opts    []Option
	tracked []tracked
	nchecks int     // Check calls so far
	pruneAt int     // len(tracked) at which done tasks are dropped
	bg      *Client // runs pipelined loops' tasks; nil until one starts
	// unstarted counts the tasks tracked since the last background start
	// (see startTracked); last is that start's batch.
	unstarted int
	last      *batch
	one       [1]*node // the target of Await, which does not allocate
	// What a wait runs where it waits (see inplace.go): the owner of its
	// claims, the tasks it claimed and the inputs it read, and the
	// configuration of the twin's computes, made on first use.
	owner  uint64
	claims []*node
	inputs []*node
	cfg    *config
	ran    uint64 // tasks run in place, for sampling their cost
	// While observed: the recorder's index of the twin's group, and its
	// task in the execution trace.
	group int32
	task  *trace.Task
}

// tracked is a task the twin added.
type tracked struct {
	n *node
	// key is the program-order key of a task that a pipelined loop issued
	// ahead and the twin adopted later: it was made before tasks that come
	// before it in F's order, so its creation order is not F's. Zero for
	// every other task, whose key is its creation number.
	key uint64
	// check is the index of the error idiom the task is, or -1.
	check int32
}

// minPrune is the fewest tracked tasks that are worth going through to drop
// the done ones.
const minPrune = 1024

// track records n. Tasks that are done can no longer fail, so the twin
// forgets them once in a while: a loop of millions of iterations holds its
// tasks in flight, not all of them.
func (t *Twin) track(n *node, key uint64, check int32) {
	t.tracked = append(t.tracked, tracked{n: n, key: key, check: check})
	if key == 0 {
		if t.unstarted++; t.unstarted >= startEvery {
			t.startTracked()
		}
	}
	if len(t.tracked) < max(t.pruneAt, minPrune) {
		return
	}
	kept := t.tracked[:0]
	for _, tr := range t.tracked {
		if stOf(tr.n.state.Load()) != stDone {
			kept = append(kept, tr)
		}
	}
	clear(t.tracked[len(kept):])
	t.tracked = kept
	t.pruneAt = 2 * len(kept)
}

// NewTwin starts a twin's run. Its computes use ctx and opts.
func NewTwin(ctx context.Context, opts ...Option) *Twin {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.ownContext {
		ctx = ownContext(ctx)
	}
	opts = append(opts[:len(opts):len(opts)], keepFailed)
	t := &Twin{group: -1}
	if observing() {
		// Rows and trace tasks are named after F.
		g := twinSite()
		if rec := obs.Load(); rec != nil {
			opts = append(opts, inGroup(g))
			t.group = rec.group(g)
		}
		if trace.IsEnabled() {
			ctx, t.task = trace.NewTask(ctx, g.name)
		}
	}
	t.ctx, t.opts = ctx, opts
	return t
}

// observed notes a wait's error for the dashboard and brings the report up
// to date.
func (t *Twin) observed(err error) {
	if rec := obs.Load(); rec != nil {
		if err != nil {
			rec.failed(t.group, err)
		}
		updateReport()
	}
}

// startEvery is how many tasks a twin adds before it starts them in the
// background, without waiting for them.
const startEvery = 8192

// startTracked starts the tasks the twin added since the last start, in the
// background. A loop that adds millions of tasks and waits only at its end,
// like a fold over a huge range, then holds the tasks in flight rather than
// a graph of all of them: done tasks let their inputs go, and the twin
// forgets them. Whatever fails is found where the twin waits, in F's order.
// After a failure nothing more starts early: the twin's waits start what F
// would still have reached.
func (t *Twin) startTracked() {
	t.unstarted = 0
	if b := t.last; b != nil && b.done.Load() && b.err != nil {
		return
	}
	c, err := t.background()
	if err != nil {
		return // the twin's waits meet the same error
	}
	var nodes []*node
	for k := len(t.tracked) - 1; k >= 0 && len(nodes) < startEvery; k-- {
		if n := t.tracked[k].n; n.state.Load() == stPending {
			nodes = append(nodes, n)
		}
	}
	slices.Reverse(nodes)
	if b := startBatch(t.ctx, c, nodes); b != nil {
		t.last = b
	}
}

// Track records d's task, if it has one, as added by the twin, and returns d.
func Track[T any](t *Twin, d Delayed[T]) Delayed[T] {
	if n := d.nodeOf(); n != nil {
		t.track(n, 0, -1)
	}
	return d
}

// Project is Call1(f, d) for what generated code takes out of a delayed
// value (one of a call's several results, a conversion): when d is known
// already, it applies f at once and returns a plain value, so that the
// results of calls that ran inline make no task. f must be cheap and touch
// nothing but its argument.
//
// Generated code calls Project; there is no need to call it by hand.
func Project[T, V any](f func(T) V, d Delayed[T]) Delayed[V] {
	if d.o == nil {
		return Value(f(d.v))
	}
	if stOf(d.o.state.Load()) == stDone {
		return Value(f(d.o.val))
	}
	return Call1(f, d)
}

// adopt tracks n, issued ahead by a pipelined loop, as if the twin added it
// now.
func (t *Twin) adopt(n *node) {
	t.track(n, seqs.Add(1), -1)
}

// keys returns the program-order key of every tracked task that has one
// other than its creation number (the first, when adopted twice).
func (t *Twin) keys() map[*node]uint64 {
	m := map[*node]uint64{}
	for _, tr := range t.tracked {
		if _, ok := m[tr.n]; !ok && tr.key != 0 {
			m[tr.n] = tr.key
		}
	}
	return m
}

// keyIn is n's place in F's order among the twin's tasks.
func keyIn(keys map[*node]uint64, n *node) uint64 {
	if k, ok := keys[n]; ok {
		return k
	}
	return n.seq
}

// Check registers d's task as the next error idiom: if it fails first, Wait
// and Finish return its index, counting Check calls from zero. A plain value
// cannot fail; it still takes an index, so that indexes match the calls.
func (t *Twin) Check(d Node) {
	i := t.nchecks
	t.nchecks++
	if n := nodeOfAny(d); n != nil {
		t.track(n, 0, int32(i))
	}
}

// CheckAt registers d's task as error idiom number i: if it fails first,
// Wait and Finish return i. Generated code numbers its idioms itself, so
// that an idiom whose handler captures nothing is registered once per
// source site rather than once per call. Do not mix it with Check. A plain
// value or a task that has run cannot fail and is not registered.
func (t *Twin) CheckAt(d Node, i int) {
	if n := nodeOfAny(d); n != nil && stOf(n.state.Load()) != stDone {
		t.track(n, 0, int32(i)) // a done task cannot fail: nothing to register
	}
}

// Wait computes ds: the barrier where eager code needs their values. Read
// them afterwards with Must. It returns -1 and nil when they are computed,
// and otherwise the failure the sequential function would have met first
// (see Twin): the index of the error idiom and its function's error, or -1
// and an error wrapping ctx.Err() or another failure.
func (t *Twin) Wait(ds ...Node) (int, error) {
	targets := make([]*node, 0, len(ds))
	for _, d := range ds {
		if n := nodeOfAny(d); n != nil {
			targets = append(targets, n)
		}
	}
	i, err := t.wait(targets)
	if obs.Load() != nil {
		t.observed(err)
	}
	return i, err
}

// Await is Wait for one value: generated twins call it where eager code
// needs one delayed value. A value already known returns at once, without
// allocating.
func Await[T any](t *Twin, d Delayed[T]) (int, error) {
	if d.o == nil || stOf(d.o.state.Load()) == stDone {
		return -1, nil
	}
	t.one[0] = &d.o.node
	i, err := t.wait(t.one[:])
	t.one[0] = nil
	if obs.Load() != nil {
		t.observed(err)
	}
	return i, err
}

// Finish is Wait for ds and for every task the twin has added: the end of
// the twin, where the sequential function returns.
func (t *Twin) Finish(ds ...Node) (int, error) {
	targets := make([]*node, 0, len(t.tracked)+len(ds))
	for _, tr := range t.tracked {
		targets = append(targets, tr.n)
	}
	for _, d := range ds {
		if n := nodeOfAny(d); n != nil {
			targets = append(targets, n)
		}
	}
	i, err := t.wait(targets)
	if obs.Load() != nil {
		t.observed(err)
	}
	return i, err
}

func (t *Twin) wait(targets []*node) (int, error) {
	if err := t.ctx.Err(); err != nil {
		return -1, fmt.Errorf("daskgen: %w", err)
	}
	// Most waits of a pipelined loop are for tasks that are done, or that
	// the loop's producer started: wait for those without a compute.
	pending := false
	for _, n := range targets {
		st := stOf(n.state.Load())
		if st == stPending && n.flags.Load()&flagChunked != 0 && runInPlace(t.ctx, n) {
			// A cheap call that its chunk has not got to: run it here.
			st = stOf(n.state.Load())
		}
		if st == stPending {
			pending = true
			break
		}
		if st == stClaimed || st == stRunning {
			if err := waitSettled(t.ctx, n); err != nil && stOf(n.state.Load()) != stPending {
				if t.ctx.Err() != nil {
					return -1, fmt.Errorf("daskgen: %w", t.ctx.Err())
				}
				return t.settle(err)
			}
			if stOf(n.state.Load()) == stPending {
				pending = true // abandoned by a cancelled compute: run it here
				break
			}
		}
		if stOf(n.state.Load()) == stFailed {
			return t.settle(taskErr(n, n.err))
		}
	}
	if !pending {
		return -1, nil
	}
	// One call and the small steps on it, or small steps only: run them
	// here (see inplace.go).
	here := t.mayRunHere()
	ok := t.claim(targets, here)
	if ok && here {
		return t.runClaimed()
	}
	t.giveBack(t.claims)
	t.forget()
	opts := t.opts
	if ok {
		// Only small steps on values already known (a field of a result,
		// a sum so far), which a recorder, a trace or a progress bar
		// counts: run them synchronously rather than start workers.
		opts = append(opts[:len(opts):len(opts)], Synchronous())
	}
	err := runErr(t.ctx, targets, opts)
	// A task that a pipelined loop issued ahead, and whose batch was
	// cancelled when the loop was left, is computed again.
	for try := 0; try < 3 && errors.Is(err, errAbandoned) && t.ctx.Err() == nil; try++ {
		err = runErr(t.ctx, targets, opts)
	}
	if err == nil {
		return -1, nil
	}
	return t.settle(err)
}

// settle turns a failure into the one the sequential function meets first:
// tasks added before the failing one may fail too, including tasks that the
// failed compute did not need.
func (t *Twin) settle(err error) (int, error) {
	seq, ok := failSeq(err)
	if !ok {
		return -1, fmt.Errorf("daskgen: %w", err)
	}
	keys := t.keys()
	key := t.keyOfSeq(keys, seq)
	for {
		for _, tr := range t.tracked {
			n := tr.n
			if k := keyIn(keys, n); k < key && stOf(n.state.Load()) == stFailed {
				key, err = k, taskErr(n, n.err)
			}
		}
		var earlier []*node
		for _, tr := range t.tracked {
			n := tr.n
			if st := stOf(n.state.Load()); keyIn(keys, n) < key && st != stDone && st != stFailed {
				earlier = append(earlier, n)
			}
		}
		if len(earlier) == 0 {
			break
		}
		err2 := runErr(t.ctx, earlier, t.opts)
		for try := 0; try < 3 && errors.Is(err2, errAbandoned) && t.ctx.Err() == nil; try++ {
			err2 = runErr(t.ctx, earlier, t.opts)
		}
		if err2 == nil {
			break
		}
		s2, ok := failSeq(err2)
		if !ok {
			return -1, fmt.Errorf("daskgen: %w", err2)
		}
		key, err = t.keyOfSeq(keys, s2), err2
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		panic(pe)
	}
	var te *TaskError
	if errors.As(err, &te) {
		// The last registration of the task, as a map from task to index
		// would hold.
		for k := len(t.tracked) - 1; k >= 0; k-- {
			if tr := t.tracked[k]; tr.check >= 0 && tr.n.seq == te.seq {
				return int(tr.check), te.Err
			}
		}
	}
	return -1, err
}

// keyOfSeq returns the program-order key of the task numbered seq: its
// adoption key when a pipelined loop issued it ahead, else seq.
func (t *Twin) keyOfSeq(keys map[*node]uint64, seq uint64) uint64 {
	for n, k := range keys {
		if n.seq == seq {
			return k
		}
	}
	return seq
}

// failSeq returns the program-order number of the task that err is from.
func failSeq(err error) (uint64, bool) {
	var pe *PanicError
	if errors.As(err, &pe) {
		return pe.seq, true
	}
	var te *TaskError
	if errors.As(err, &te) {
		return te.seq, true
	}
	return 0, false
}

// Must returns d's value once it is known: a plain value, or a task that has
// run successfully. It panics otherwise. Generated twins call it after Wait.
//
// Must is small enough to be inlined for a plain value: a twin's eager part
// calls it for every iteration, and a call would copy d and its value
// through the stack once more (issue 24).
func (d Delayed[T]) Must() T {
	if d.o == nil {
		return d.v
	}
	return d.o.must()
}

// must is Must for a task.
func (o *out[T]) must() T {
	if stOf(o.state.Load()) != stDone {
		panic(fmt.Sprintf("daskgen: value of task %s read before it was computed", o.name()))
	}
	return o.val
}

// End ends a twin. A twin defers it first thing, with the address of its
// Twin (made later, when its parallel code starts) and fail, which sets the
// twin's results to what the sequential function returns for a failure met
// at an error site (see Recover). End recovers a panic of the twin's eager
// code, passes it through Recover, and then closes the Twin, so that no
// task of a pipelined loop outlives the twin.
func End(t **Twin, fail func(site int, err error)) {
	tw := *t
	defer tw.Close()
	if p := recover(); p != nil {
		fail(tw.Recover(p))
	}
}

// Recover is for a twin's deferred function, with p a panic of the twin's
// eager code. When a task that the twin added before the panic failed, the
// sequential function returned there and never reached the panic: Recover
// returns that failure, as Finish does. Otherwise it panics again with p. A
// nil Twin (no parallel code ran yet) panics again at once.
func (t *Twin) Recover(p any) (int, error) {
	if t == nil {
		panic(p)
	}
	i, err := t.Finish()
	if err == nil {
		panic(p)
	}
	return i, err
}
