package core

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// The executor runs batches of tasks on a set of worker goroutines.
//
// A batch is what one compute (or one submitted future) asks for: the tasks
// it claimed, in arrays indexed by position in the batch. Each task has a
// count of inputs not ready yet; when a task finishes, the counts of the tasks
// that read it go down, and a task whose count reaches zero is ready. The
// worker that makes a task ready runs the first such task itself, so chains and
// reductions need no queue at all; further ready tasks go on a shared queue.
// The tasks ready from the start are claimed from an array with one atomic
// add each.
//
// Workers start at the number of CPUs (or MaxWorkers, if lower). A monitor
// looks every millisecond: when work is waiting, no worker is idle, some have
// been on the same task since the last look, and the process is not using all
// CPUs, those workers are blocked (sleeping, waiting on the network), so it
// starts more. CPU-bound work therefore stays on the cores while blocking work
// overlaps far beyond them. Workers above the base count exit when they find
// no work.

const (
	tickInterval   = time.Millisecond
	defaultMaxWork = 10000
	maxBackoff     = time.Minute
)

// item is a task of a batch, as the queues hold it. slot is true when the task
// already holds a place under its function's Limit.
type item struct {
	b    *batch
	i    int32
	slot bool
}

// segment is a batch's initially ready tasks, claimed with an atomic cursor.
type segment struct {
	b     *batch
	items []int32
	cur   atomic.Int64
}

// wstate is a worker's own state. ran is published every few tasks for the
// monitor; seg, lo and hi are a chunk of a segment the worker has claimed.
type wstate struct {
	ran    atomic.Uint64
	last   uint64 // ran at the monitor's last look; the monitor's own
	n      uint64 // tasks run; the worker's own
	seg    *segment
	lo, hi int64
	// A decrement of pending[dj] in batch db held back: when many tasks
	// that one task reads finish on the same worker in a row (a gather), the
	// worker subtracts them at once, instead of fighting the other workers
	// over the counter's cache line on every task.
	db *batch
	dj int32
	dn int32
	_  [16]byte // keep workers' counters on separate cache lines
}

// maxHeld is how many decrements a worker holds back at the most.
const maxHeld = 64

// flush applies the held decrement and returns the task it made ready, if any.
func (ws *wstate) flush() (item, bool) {
	if ws.dn == 0 {
		return item{}, false
	}
	b, j, n := ws.db, ws.dj, ws.dn
	ws.db, ws.dn = nil, 0
	if atomic.AddInt32(&b.pending[j], -n) == 0 {
		return item{b: b, i: j}, true
	}
	return item{}, false
}

// maxChunk is the most initially ready tasks a worker claims at once. It claims
// fewer when few are left, so that blocking tasks spread over workers.
const maxChunk = 16

type exec struct {
	base, max int

	mu      sync.Mutex
	cond    sync.Cond
	segs    []*segment
	cur     atomic.Pointer[segment]
	dyn     []item
	head    int
	idle    int
	workers int
	ws      []*wstate
	live    int // batches not finished
	wg      sync.WaitGroup

	mon      *time.Timer
	monOn    bool
	lastCPU  time.Duration
	lastWall time.Time
}

func newExec(maxWorkers int) *exec {
	e := &exec{max: maxWorkers, base: min(goruntime.GOMAXPROCS(0), maxWorkers)}
	e.cond.L = &e.mu
	return e
}

var batchIDs atomic.Uint64

type batch struct {
	e       *exec
	id      uint64
	parent  context.Context // the caller's context
	ctx     context.Context // cancelled when the batch ends
	ctxDone <-chan struct{} // ctx.Done()
	cancel  context.CancelFunc
	stop    func() bool // stops the AfterFunc on the caller's context

	*arrays
	left atomic.Int64 // targets not done yet

	failFast bool
	executor Executor // runs registered functions' tasks, or nil
	prog     *progress
	group    int32 // the recorder's index of the twin or compute, if on

	done    atomic.Bool
	doneCh  chan struct{}
	err     error  // valid after doneCh is closed
	onDone  func() // called once when the batch ends; must not block
	failing atomic.Bool
	failSeq atomic.Uint64

	mu       sync.Mutex // guards what follows, and finishing
	blocker  []bool
	blockers int
	fdone    []bool // foreign task i has settled
}

// isTarget reports whether task i is one of the values asked for.
func (b *batch) isTarget(i int32) bool { return b.target[i>>6]&(1<<(i&63)) != 0 }

// arrays are a batch's per-task arrays. For computes they are pooled, since a
// large graph would otherwise allocate (and the GC scan) megabytes per compute.
type arrays struct {
	tasks   []task
	foreign []bool // tasks[i] belongs to another batch; we only wait for it
	// pending counts each task's inputs not ready yet. newBatch writes it
	// plainly; once the batch has begun it is read and written only with
	// sync/atomic.
	pending []int32
	start   []int32 // edges[start[i]:start[i+1]] are the tasks that read i
	edges   []int32
	target  []uint64 // bit set of target indices
	// readyIdx holds the tasks ready from the start, which the batch's
	// segment hands out.
	readyIdx []int32

	// Scratch space for building the batch.
	stack  []walkItem
	inDeps []*node // the inputs of all own tasks, back to back
	inIdx  []int32 // the batch's index of inDeps[k]'s task, or -1 when it is done
	inEnd  []int32 // inDeps[inEnd[i-1]:inEnd[i]] are task i's inputs
	fill   []int32
}

// walkItem is a node that newBatch's walk has still to visit, and the place
// in inIdx where it writes what it found, or -1 for a target.
type walkItem struct {
	n *node
	k int32
}

var arraysPool = sync.Pool{New: func() any { return new(arrays) }}

// spareArrays keeps the arrays of the last compute of at most spareTasks
// tasks across garbage collections, which empty arraysPool: a program that
// builds and computes graph after graph allocates, clears and grows them
// once, not once per collection.
var spareArrays atomic.Pointer[arrays]

const spareTasks = 1 << 17

// getArrays returns arrays for a new batch.
func getArrays() *arrays {
	if a := spareArrays.Swap(nil); a != nil {
		return a
	}
	return arraysPool.Get().(*arrays)
}

// putArrays gives a's storage back, for the next batch.
func putArrays(a *arrays) {
	if cap(a.tasks) <= spareTasks {
		// The spare slot takes a; what it held goes to the pool.
		if a = spareArrays.Swap(a); a == nil {
			return
		}
	}
	arraysPool.Put(a)
}

// sized returns s resized to n zeroed elements, reusing its storage.
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	s = s[:n]
	clear(s)
	return s
}

// recycle returns the batch's arrays to the pool. Call it only when no
// goroutine can touch the batch any more.
func (b *batch) recycle() {
	a := b.arrays
	b.arrays = nil
	clear(a.tasks)
	a.tasks = a.tasks[:0]
	a.foreign = a.foreign[:0]
	putArrays(a)
}

// newBatch claims the tasks needed for targets and builds the batch. It
// returns an error, and claims nothing, when a task cannot run (a nil
// function, a bad option).
//
// a is the storage of the batch's arrays: getArrays' for a batch that the
// caller recycles, new(arrays) for one that the collector takes back.
func (e *exec) newBatch(parent context.Context, targets []*node, cfg *config, a *arrays) (*batch, error) {
	b := &batch{e: e, id: batchIDs.Add(1), failFast: cfg.failFast, executor: cfg.executor, doneCh: make(chan struct{})}
	b.arrays = a
	defer func() {
		clear(a.stack[:cap(a.stack)])
		clear(a.inDeps[:cap(a.inDeps)])
		a.stack, a.inDeps, a.inIdx, a.inEnd = a.stack[:0], a.inDeps[:0], a.inIdx[:0], a.inEnd[:0]
	}()
	var (
		fmap map[*node]int32
		bad  error
	)
	claimed := pack(b.id, stClaimed)
	for k := len(targets) - 1; k >= 0; k-- {
		if targets[k] != nil {
			a.stack = append(a.stack, walkItem{targets[k], -1})
		}
	}
	// The walk claims what it visits, and resolves each input it pops to
	// the index of its task in the batch (or -1, done), so that the passes
	// below need not look at the input nodes again.
	for len(a.stack) > 0 && bad == nil {
		top := a.stack[len(a.stack)-1]
		a.stack = a.stack[:len(a.stack)-1]
		n, j := top.n, int32(-1)
		for {
			w := n.state.Load()
			st := stOf(w)
			if st == stDone {
				break
			}
			if w == claimed {
				j = n.idx
				break
			}
			if st == stClaimed || st == stRunning || (st == stFailed && cfg.keepFailed) {
				fj, ok := fmap[n]
				if !ok {
					if fmap == nil {
						fmap = map[*node]int32{}
					}
					fj = int32(len(a.tasks))
					fmap[n] = fj
					a.tasks = append(a.tasks, n.self)
					a.foreign = append(a.foreign, true)
					a.inEnd = append(a.inEnd, int32(len(a.inDeps)))
				}
				j = fj
				break
			}
			if !n.state.CompareAndSwap(w, claimed) {
				continue
			}
			if fi := n.self.fninfo(); fi == nil || fi.err != nil {
				bad = fmt.Errorf("task %s: %w", n.name(), fiErr(fi))
			} else if cfg.executor != nil && fi.remote == "" && !fi.local {
				bad = fmt.Errorf("task %s: function %s is not registered, so no worker can run it; "+
					"give it runtime.Register(name) among its options, or mark it //daskgen:delayed and regenerate", n.name(), fi.Name())
			}
			j = int32(len(a.tasks))
			n.idx = j
			a.tasks = append(a.tasks, n.self)
			a.foreign = append(a.foreign, false)
			before := len(a.inDeps)
			a.inDeps = n.self.deps(a.inDeps)
			a.inEnd = append(a.inEnd, int32(len(a.inDeps)))
			a.inIdx = append(a.inIdx, make([]int32, len(a.inDeps)-before)...)
			for k := len(a.inDeps) - 1; k >= before; k-- {
				a.stack = append(a.stack, walkItem{a.inDeps[k], int32(k)})
			}
			break
		}
		if top.k >= 0 {
			a.inIdx[top.k] = j
		}
	}
	if bad != nil {
		b.revert()
		b.recycle()
		return nil, bad
	}

	nt := len(a.tasks)
	a.pending = sized(a.pending, nt)
	a.start = sized(a.start, nt+1)
	a.target = sized(a.target, (nt+63)/64)
	// Count each task's inputs that are not done, and its readers.
	from := int32(0)
	for i := 0; i < nt; i++ {
		p := int32(0)
		for _, j := range a.inIdx[from:a.inEnd[i]] {
			if j >= 0 {
				a.start[j+1]++
				p++
			}
		}
		a.pending[i] = p
		from = a.inEnd[i]
	}
	for j := 1; j <= nt; j++ {
		a.start[j] += a.start[j-1]
	}
	a.edges = sized(a.edges, int(a.start[nt]))
	a.fill = append(a.fill[:0], a.start[:nt]...)
	from = 0
	for i := 0; i < nt; i++ {
		for _, j := range a.inIdx[from:a.inEnd[i]] {
			if j >= 0 {
				a.edges[a.fill[j]] = int32(i)
				a.fill[j]++
			}
		}
		from = a.inEnd[i]
	}
	for _, t := range targets {
		if t == nil {
			continue
		}
		i := int32(-1)
		if t.state.Load() == claimed {
			i = t.idx
		} else if fj, ok := fmap[t]; ok {
			i = fj
		}
		if i >= 0 && !b.isTarget(i) {
			a.target[i>>6] |= 1 << (i & 63)
			b.left.Add(1)
		}
	}
	if cfg.progress != nil {
		b.prog = newProgress(cfg.progress, nt)
	}
	if rec := obs.Load(); rec != nil {
		b.group = rec.group(taskGroup(cfg))
		rec.submitted(a.tasks, a.foreign)
	}
	return b, nil
}

func fiErr(fi *fnInfo) error {
	if fi == nil {
		return errNilFunc
	}
	return fi.err
}

// revert gives up the claims of tasks that did not start.
func (b *batch) revert() {
	claimed := pack(b.id, stClaimed)
	rec := obs.Load()
	var skipped map[*fnInfo]int64
	for i, t := range b.tasks {
		if b.foreign[i] {
			continue
		}
		n := t.hdr()
		if n.state.CompareAndSwap(claimed, stPending) {
			n.settled()
			if rec != nil {
				if skipped == nil {
					skipped = map[*fnInfo]int64{}
				}
				skipped[t.fninfo()]++
			}
		}
	}
	if skipped != nil {
		rec.skippedTasks(skipped)
	}
}

// ready returns the indices of own tasks whose inputs are all ready, in
// the batch's storage.
func (b *batch) ready() []int32 {
	r := b.readyIdx[:0]
	for i := range b.tasks {
		if !b.foreign[i] && atomic.LoadInt32(&b.pending[i]) == 0 {
			r = append(r, int32(i))
		}
	}
	b.readyIdx = r
	return r
}

// begin starts a batch on the executor: it watches the caller's context,
// waits on foreign tasks and queues the ready tasks.
func (e *exec) begin(parent context.Context, b *batch) {
	b.parent = parent
	b.ctx, b.cancel = context.WithCancel(parent)
	b.ctxDone = b.ctx.Done()
	e.mu.Lock()
	e.live++
	if !e.monOn {
		e.monOn = true
		e.lastCPU, e.lastWall = cpuTime(), time.Now()
		e.wg.Add(1)
		if e.mon == nil {
			e.mon = time.AfterFunc(tickInterval, e.tick)
		} else {
			e.mon.Reset(tickInterval)
		}
	}
	e.mu.Unlock()

	e.wg.Add(1)
	// Under b.mu: the function may run at once, and finish reads b.stop.
	b.mu.Lock()
	b.stop = context.AfterFunc(parent, func() {
		defer e.wg.Done()
		b.finish(parent.Err())
	})
	b.mu.Unlock()
	if b.left.Load() == 0 {
		b.finish(nil)
		return
	}
	for i := range b.tasks {
		if b.foreign[i] {
			e.wg.Add(1)
			go b.await(int32(i))
		}
	}
	if r := b.ready(); len(r) > 0 {
		e.addSegment(&segment{b: b, items: r})
		if b.executor != nil {
			// An executor's tasks wait on the network: run many at once
			// from the start instead of growing to it.
			e.mu.Lock()
			for n := min(len(r), remoteWorkers, e.max); e.workers < n; {
				e.spawnLocked()
			}
			e.mu.Unlock()
		}
	}
}

// remoteWorkers is how many workers a compute with an executor starts.
const remoteWorkers = 256

// await waits for foreign task i, which another batch is running.
func (b *batch) await(i int32) {
	defer b.e.wg.Done()
	n := b.tasks[i].hdr()
	for {
		ch := n.wait()
		if ch != nil {
			select {
			case <-ch:
			case <-b.ctx.Done():
				return
			}
		}
		switch stOf(n.state.Load()) {
		case stDone:
			b.settleForeign(i)
			next, ok := b.completed(nil, i)
			if ok {
				b.e.push(next)
			}
			return
		case stFailed:
			b.settleForeign(i)
			b.fail(n.seq, taskErr(n, n.err))
			return
		case stPending:
			b.settleForeign(i)
			b.fail(n.seq, abandoned(n))
			return
		}
		// Claimed again by yet another batch: wait for that one.
	}
}

func (b *batch) settleForeign(i int32) {
	b.mu.Lock()
	if b.fdone == nil {
		b.fdone = make([]bool, len(b.tasks))
	}
	b.fdone[i] = true
	b.mu.Unlock()
	if b.failing.Load() {
		b.settle(i)
	}
}

func taskErr(n *node, err error) error {
	var pe *PanicError
	if errors.As(err, &pe) {
		return pe
	}
	return &TaskError{Task: n.name(), Err: err, seq: n.seq}
}

func (e *exec) addSegment(s *segment) {
	e.mu.Lock()
	e.segs = append(e.segs, s)
	if len(e.segs) == 1 {
		e.cur.Store(s)
	}
	e.wakeLocked(len(s.items))
	e.mu.Unlock()
}

// pushLive queues a task handed a limit slot, unless its batch is over. The
// check is made under e.mu, which batchDone also takes, so a task queued here
// is taken by a worker before the executor's workers can exit.
func (e *exec) pushLive(it item) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if it.b.done.Load() {
		return false
	}
	e.dyn = append(e.dyn, it)
	e.wakeLocked(1)
	return true
}

// push queues a ready task.
func (e *exec) push(it item) {
	e.mu.Lock()
	e.dyn = append(e.dyn, it)
	e.wakeLocked(1)
	e.mu.Unlock()
}

// wakeLocked gets up to n workers going: idle ones first, then new ones up to
// the base count.
func (e *exec) wakeLocked(n int) {
	if e.idle > 0 {
		if n >= e.idle {
			e.cond.Broadcast()
		} else {
			for range n {
				e.cond.Signal()
			}
		}
		n -= e.idle
	}
	for ; n > 0 && e.workers < e.base; n-- {
		e.spawnLocked()
	}
}

func (e *exec) spawnLocked() {
	ws := &wstate{}
	e.ws = append(e.ws, ws)
	e.workers++
	e.wg.Add(1)
	go e.worker(ws)
}

func (e *exec) worker(ws *wstate) {
	defer e.wg.Done()
	for {
		it, ok := e.take(ws)
		if !ok {
			return
		}
		for ok {
			it, ok = e.run(ws, it)
			if ws.n++; ws.n&7 == 0 {
				ws.ran.Store(ws.n)
			}
		}
		ws.ran.Store(ws.n)
	}
}

// take returns the next ready task, waiting for one while batches are live.
// It returns false when the worker should exit.
func (e *exec) take(ws *wstate) (item, bool) {
	if ws.lo < ws.hi {
		ws.lo++
		return item{b: ws.seg.b, i: ws.seg.items[ws.lo-1]}, true
	}
	ws.seg = nil
	if it, ok := ws.flush(); ok {
		return it, true
	}
	for {
		if s := e.cur.Load(); s != nil {
			n := int64(len(s.items))
			chunk := min(max((n-s.cur.Load())/int64(64*e.base), 1), maxChunk)
			if i := s.cur.Add(chunk) - chunk; i < n {
				ws.seg, ws.lo, ws.hi = s, i+1, min(i+chunk, n)
				return item{b: s.b, i: s.items[i]}, true
			}
		}
		e.mu.Lock()
		if e.head < len(e.dyn) {
			it := e.dyn[e.head]
			e.dyn[e.head] = item{}
			e.head++
			if e.head == len(e.dyn) {
				e.dyn, e.head = e.dyn[:0], 0
			}
			e.mu.Unlock()
			return it, true
		}
		if s := e.cur.Load(); s != nil && s.cur.Load() >= int64(len(s.items)) {
			e.segs[0] = nil
			e.segs = e.segs[1:]
			if len(e.segs) > 0 {
				e.cur.Store(e.segs[0])
			} else {
				e.cur.Store(nil)
				e.segs = nil
			}
		}
		if e.cur.Load() != nil {
			e.mu.Unlock()
			continue
		}
		if e.live == 0 || e.workers > e.base {
			e.workers--
			for k, w := range e.ws {
				if w == ws {
					last := len(e.ws) - 1
					e.ws[k] = e.ws[last]
					e.ws[last] = nil // the backing array must not keep the worker's batch alive
					e.ws = e.ws[:last]
					break
				}
			}
			e.mu.Unlock()
			return item{}, false
		}
		e.idle++
		e.cond.Wait()
		e.idle--
		e.mu.Unlock()
	}
}

// queuedLocked counts the ready tasks waiting for a worker.
func (e *exec) queuedLocked() int {
	q := len(e.dyn) - e.head
	for _, s := range e.segs {
		if r := int64(len(s.items)) - s.cur.Load(); r > 0 {
			q += int(r)
		}
	}
	return q
}

// tick is the monitor: it adds workers when the ones there are blocked.
func (e *exec) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live == 0 {
		e.monOn = false
		e.wg.Done()
		return
	}
	now, cpu := time.Now(), cpuTime()
	used := -1.0
	if wall := now.Sub(e.lastWall); cpu >= 0 && e.lastCPU >= 0 && wall > 0 {
		used = float64(cpu-e.lastCPU) / float64(wall)
	}
	e.lastCPU, e.lastWall = cpu, now
	stuck := 0
	for _, ws := range e.ws {
		if r := ws.ran.Load(); r == ws.last {
			stuck++
		} else {
			ws.last = r
		}
	}
	procs := float64(goruntime.GOMAXPROCS(0))
	if q := e.queuedLocked(); q > 0 && e.idle == 0 && stuck > 0 && used < procs-0.5 && e.workers < e.max {
		add := min(q, e.max-e.workers)
		if used >= 0.25 || used < 0 {
			add = min(add, max(stuck, 4))
		}
		for range add {
			e.spawnLocked()
		}
	}
	e.mon.Reset(tickInterval)
}

// batchDone is called once per finished batch.
func (e *exec) batchDone() {
	e.mu.Lock()
	e.live--
	if e.live == 0 {
		e.cond.Broadcast()
		if e.monOn && e.mon.Stop() {
			e.monOn = false
			e.wg.Done()
		}
	}
	e.mu.Unlock()
}

// closed reports whether ch is closed, without blocking or locking.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// skip reports whether a task of b should not run: the batch is over, or it
// failed at a task earlier in program order.
func (b *batch) skip(n *node) bool {
	return b.done.Load() || (b.failing.Load() && n.seq > b.failSeq.Load())
}

// run runs one task and returns a task it made ready, to run next.
func (e *exec) run(ws *wstate, it item) (item, bool) {
	b := it.b
	t := b.tasks[it.i]
	n := t.hdr()
	fi := t.fninfo()
	if b.skip(n) {
		if it.slot {
			fi.release()
		}
		return item{}, false
	}
	if !it.slot && fi.limit > 0 {
		it.slot = true
		if !fi.acquire(it) {
			return item{}, false
		}
	}
	if !n.state.CompareAndSwap(pack(b.id, stClaimed), pack(b.id, stRunning)) {
		if it.slot {
			fi.release()
		}
		return item{}, false
	}
	var err error
	sample := ws.n%sampleEvery == 0
	var start int64
	if sample {
		start = nanotime() // what the function's calls cost; see granular.go
	}
	if rec := obs.Load(); rec != nil || trace.IsEnabled() {
		err = b.observed(rec, t)
	} else {
		_, err = b.attempt(b.ctx, t)
	}
	if sample && err == nil {
		if _, isChunk := t.(*callChunk); !isChunk {
			fi.noteCost(nanotime() - start)
		}
	}
	if it.slot {
		fi.release()
	}
	if closed(b.ctxDone) {
		// The compute ended, or its caller gave up, while the task ran: its
		// result may be a cancelled one, so it is discarded and the task may
		// run again in a later compute.
		n.state.Store(stPending)
		n.settled()
		if perr := b.parent.Err(); perr != nil {
			b.finish(perr)
		}
		return item{}, false
	}
	if err == nil {
		n.err = nil
		n.state.Store(stDone)
		n.settled()
		t.release()
		return b.completed(ws, it.i)
	}
	n.err = err
	n.state.Store(stFailed)
	n.settled()
	b.fail(n.seq, taskErr(n, err))
	return item{}, false
}

// attempt runs t with ctx, retrying as its function says. It returns how
// many times it ran t again, and t's error.
func (b *batch) attempt(ctx context.Context, t task) (int, error) {
	fi := t.fninfo()
	wait := fi.backoff
	for try := 0; ; try++ {
		err := b.once(ctx, t)
		if err == nil || try >= fi.retries || b.ctx.Err() != nil {
			return try, err
		}
		var pe *PanicError
		if errors.As(err, &pe) {
			return try, err
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-b.ctx.Done():
				timer.Stop()
				return try, err
			}
		}
		wait = min(2*wait, maxBackoff)
	}
}

// once runs t one time with ctx, turning a panic into a *PanicError.
func (b *batch) once(ctx context.Context, t task) error {
	return callOnce(ctx, t, b.executor)
}

// completed records that task i finished successfully and makes the tasks
// that read it ready. It returns the first of those, for the caller to run.
// A worker passes its state, to hold back decrements (see wstate).
func (b *batch) completed(ws *wstate, i int32) (item, bool) {
	if b.isTarget(i) && b.left.Add(-1) == 0 {
		b.finish(nil)
	}
	if b.failing.Load() {
		b.settle(i)
	}
	if b.prog != nil {
		b.prog.add()
	}
	var next item
	ok := false
	edges := b.edges[b.start[i]:b.start[i+1]]
	if ws != nil && len(edges) == 1 && ws.lo < ws.hi {
		// Hold the decrement back while the worker has a chunk to go on with.
		j := edges[0]
		if ws.dn > 0 && ws.db == b && ws.dj == j && ws.dn < maxHeld {
			ws.dn++
			return next, ok
		}
		next, ok = ws.flush()
		ws.db, ws.dj, ws.dn = b, j, 1
		return next, ok
	}
	for _, j := range edges {
		if atomic.AddInt32(&b.pending[j], -1) == 0 {
			if !ok {
				next, ok = item{b: b, i: j}, true
			} else {
				b.e.push(item{b: b, i: j})
			}
		}
	}
	return next, ok
}

// fail records that the task numbered seq in program order failed with err.
// Unless the batch fails fast, it ends only when every task earlier in program
// order has settled, so that its error is the one a sequential run meets first.
func (b *batch) fail(seq uint64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done.Load() || (b.failing.Load() && seq >= b.failSeq.Load()) {
		return
	}
	b.failSeq.Store(seq)
	b.err = err
	b.failing.Store(true)
	if b.failFast {
		b.finishLocked(err)
		return
	}
	if b.blocker == nil {
		b.blocker = make([]bool, len(b.tasks))
	}
	b.blockers = 0
	for j, t := range b.tasks {
		n := t.hdr()
		open := false
		if n.seq < seq {
			if b.foreign[j] {
				open = b.fdone == nil || !b.fdone[j]
			} else {
				w := n.state.Load()
				open = w == pack(b.id, stClaimed) || w == pack(b.id, stRunning)
			}
		}
		b.blocker[j] = open
		if open {
			b.blockers++
		}
	}
	if b.blockers == 0 {
		b.finishLocked(err)
	}
}

// settle records that task i settled while the batch is failing.
func (b *batch) settle(i int32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blocker != nil && b.blocker[i] {
		b.blocker[i] = false
		b.blockers--
		if b.blockers == 0 {
			b.finishLocked(b.err)
		}
	}
}

func (b *batch) finish(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finishLocked(err)
}

func (b *batch) finishLocked(err error) {
	if b.done.Load() {
		return
	}
	b.err = err
	b.done.Store(true)
	b.cancel()
	if b.stop != nil && b.stop() {
		b.e.wg.Done()
	}
	if err != nil {
		// On success there is nothing to give up: every task the batch
		// claimed is an input, direct or not, of a target, and a target
		// is done only once all of them are.
		b.revert()
	}
	if b.prog != nil {
		b.prog.finish(err == nil)
	}
	close(b.doneCh)
	b.e.batchDone()
	if b.onDone != nil {
		b.onDone()
	}
}
