package runtime

import (
	"context"
	"regexp"
	goruntime "runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "unsafe" // for go:linkname
)

// Observing: what the dashboard and the run report show.
//
// When neither is on, obs is nil and a task pays one pointer load for all of
// this. When one is on, the recorder keeps every task's function, twin or
// compute, lane, start and end. Each lane of the task stream is written by
// one worker goroutine at a time, without locks: the worker appends events
// to chunks of its lane and publishes how many it has written with one
// atomic store when a task starts (which also says what runs on the lane)
// and one when it ends (before the task's compute can end, so that a report
// written when the compute returns has it). The times come from a clock
// that a goroutine advances every millisecond while tasks run, so a task
// reads no system clock. Whoever reads the recorder (the page, the report,
// the clock every tenth of a second) collects the published events under
// the recorder's lock.

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// obs is the process's recorder; nil unless the dashboard or the report is on.
var obs atomic.Pointer[recorder]

// clockTick is the resolution of the recorder's clock.
const clockTick = time.Millisecond

// chunkLen is how many events a chunk of a lane holds.
const chunkLen = 256

// Event statuses.
const (
	evDone uint8 = iota
	evFailed
	evCancelled // the compute ended while the task ran; it may run again
)

// event is one task run: where, when and how it ended.
type event struct {
	start, end int64 // nanoseconds since the recorder started, to clockTick
	fn         int32
	group      int32
	lane       int32
	status     uint8
	retries    uint8
}

// chunks are reused once read.
var chunks = sync.Pool{New: func() any { return new(chunk) }}

type chunk struct {
	ev   [chunkLen]event
	next *chunk // set by the writer before it publishes an event in it
}

// lane is one row of the task stream: a local worker's slot, or a worker
// process of an executor.
type lane struct {
	rec  *recorder
	id   int32
	name string
	// cur is what the writer has published: the number of events written
	// (high 32 bits) and the function running now plus one, or zero when the
	// lane is idle (low 32 bits).
	cur atomic.Uint64

	// The writer's: under mu for a shared lane (an executor's worker, which
	// many local goroutines report for).
	mu      sync.Mutex
	first   *chunk // until the reader takes it
	tail    *chunk
	written uint32
	start   int64 // the running task's start

	// The reader's, under the recorder's lock: where it is, the end of the
	// last task it read, and when it first saw the running task.
	head    *chunk
	read    uint32
	lastEnd int64
	seen    uint64
	seenAt  int64
}

// begin publishes the events written so far and that fn now runs on l.
func (l *lane) begin(fn int32, now int64) {
	l.start = now
	l.cur.Store(uint64(l.written)<<32 | uint64(uint32(fn+1)))
}

// add writes an event; it is published by the lane's next begin or idle.
func (l *lane) add(ev event) {
	i := l.written % chunkLen
	if l.tail == nil || i == 0 && l.written > 0 {
		c := chunks.Get().(*chunk)
		c.next = nil
		if l.tail != nil {
			l.tail.next = c
		} else {
			l.first = c
		}
		l.tail = c
	}
	ev.lane = l.id
	l.tail.ev[i] = ev
	l.written++
}

// idle publishes the events written and that nothing runs on l.
func (l *lane) idle() { l.cur.Store(uint64(l.written) << 32) }

// fnStats are one function's counts.
type fnStats struct {
	name                                        string
	submitted, skipped, done, failed, cancelled int64
	retried                                     int64
}

// recorder holds what the dashboard and the report show.
type recorder struct {
	t0   int64     // nanotime at the start
	wall time.Time // wall time at the start
	// clock is the time since t0, to clockTick, while ticking.
	clock   atomic.Int64
	ticking atomic.Bool

	mu       sync.Mutex
	fns      []*fnStats
	fnByName map[string]int32
	groups   []string
	groupID  map[string]int32
	lanes    []*lane
	free     []*lane // local lanes no worker holds
	remote   map[string]*lane
	events   []event // collected, in the order collected
	dropped  int64   // events not kept, beyond maxEvents
	lastLook int64   // when the lanes were last collected
}

// maxEvents bounds the events kept for the task stream (32 bytes each);
// counts go on beyond it.
const maxEvents = 1_000_000

var startRec sync.Once

// record turns the recorder on, once per process, and returns it.
func record() *recorder {
	startRec.Do(func() {
		r := &recorder{t0: nanotime(), wall: time.Now(), groupID: map[string]int32{}, fnByName: map[string]int32{}, remote: map[string]*lane{}}
		obs.Store(r)
	})
	return obs.Load()
}

// now reads the recorder's clock, starting it if it stopped.
func (r *recorder) now() int64 {
	if !r.ticking.Load() {
		r.startClock()
	}
	return r.clock.Load()
}

// clockIdle is how many ticks the clock goes on with no task running.
const clockIdle = 100

// collectTicks is how often the clock collects the lanes' events.
const collectTicks = 100

func (r *recorder) startClock() {
	if r.ticking.CompareAndSwap(false, true) {
		r.clock.Store(nanotime() - r.t0)
		go r.runClock()
	}
}

// runClock advances the clock every tick while tasks run, and a little
// longer; then it stops until a task starts.
func (r *recorder) runClock() {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	idle := 0
	for n := 1; ; n++ {
		<-t.C
		r.clock.Store(nanotime() - r.t0)
		if n%collectTicks == 0 {
			// Keep the lanes' chunks short when no page reads them.
			r.mu.Lock()
			r.collectLocked()
			r.mu.Unlock()
		}
		if r.busy() {
			idle = 0
			continue
		}
		if idle++; idle < clockIdle {
			continue
		}
		r.ticking.Store(false)
		// A task that began before the store saw the clock running; if one
		// runs now, go on.
		if r.busy() && r.ticking.CompareAndSwap(false, true) {
			idle = 0
			continue
		}
		return
	}
}

// busy reports whether a task runs on any lane.
func (r *recorder) busy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lanes {
		if uint32(l.cur.Load()) != 0 {
			return true
		}
	}
	return false
}

// fnID returns fi's index in r.fns, adding it on first sight.
func (r *recorder) fnID(fi *fnInfo) int32 {
	if id := fi.obsID.Load(); id > 0 {
		return id - 1
	}
	name := taskName(fi.Name())
	r.mu.Lock()
	defer r.mu.Unlock()
	if id := fi.obsID.Load(); id > 0 {
		return id - 1
	}
	// Functions of one name share a row: a twin makes a function value per
	// call for its small steps.
	id, ok := r.fnByName[name]
	if !ok {
		r.fns = append(r.fns, &fnStats{name: name})
		id = int32(len(r.fns)) - 1
		r.fnByName[name] = id
	}
	fi.obsID.Store(id + 1)
	return id
}

// closureName matches the name of a function literal: the function it is
// in, then func1, func1.2 and so on.
var closureName = regexp.MustCompile(`^([^.]+(?:\.[^.]+)?)\.func\d+(?:\.\d+)*$`)

// taskName is the name the dashboard shows for a function: its own, or,
// for a function literal (the small steps that twins add between delayed
// calls: appends, operators), "steps of" the function it is in.
func taskName(name string) string {
	if m := closureName.FindStringSubmatch(name); m != nil {
		return "steps of " + m[1]
	}
	return name
}

// group returns the index of a twin's or compute's name.
func (r *recorder) group(name string) int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.groupID[name]; ok {
		return id
	}
	id := int32(len(r.groups))
	r.groups = append(r.groups, name)
	r.groupID[name] = id
	return id
}

// localLane gives a worker a lane of its own until it exits.
func (r *recorder) localLane() *lane {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.free); n > 0 {
		l := r.free[n-1]
		r.free = r.free[:n-1]
		return l
	}
	return r.newLaneLocked("worker " + strconv.Itoa(len(r.lanes)-len(r.remote)))
}

func (r *recorder) newLaneLocked(name string) *lane {
	l := &lane{rec: r, id: int32(len(r.lanes)), name: name}
	r.lanes = append(r.lanes, l)
	return l
}

// release gives a worker's lane back when the worker exits.
func (l *lane) release() {
	r := l.rec
	l.idle()
	r.mu.Lock()
	r.free = append(r.free, l)
	r.mu.Unlock()
}

// remoteLane returns the lane of an executor's worker.
func (r *recorder) remoteLane(worker string) *lane {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.remote[worker]; ok {
		return l
	}
	l := r.newLaneLocked(worker)
	r.remote[worker] = l
	return l
}

// submitted counts the tasks a batch claimed, per function.
func (r *recorder) submitted(tasks []task, foreign []bool) {
	counts := map[*fnInfo]int64{}
	for i, t := range tasks {
		if !foreign[i] {
			counts[t.fninfo()]++
		}
	}
	r.add(counts, func(st *fnStats) *int64 { return &st.submitted })
}

// skippedTasks counts the tasks a batch claimed and gave up, per function.
func (r *recorder) skippedTasks(counts map[*fnInfo]int64) {
	r.add(counts, func(st *fnStats) *int64 { return &st.skipped })
}

func (r *recorder) add(counts map[*fnInfo]int64, field func(*fnStats) *int64) {
	for fi, n := range counts {
		if fi == nil {
			continue // a nil function: the compute fails before it starts
		}
		id := r.fnID(fi)
		r.mu.Lock()
		*field(r.fns[id]) += n
		r.mu.Unlock()
	}
}

// collectLocked moves the published events of every lane into r.events and
// counts them. It returns, per lane, the function running on it (or -1).
func (r *recorder) collectLocked() []int32 {
	running := make([]int32, len(r.lanes))
	now := nanotime() - r.t0
	for k, l := range r.lanes {
		cur := l.cur.Load()
		n := uint32(cur >> 32)
		running[k] = int32(uint32(cur)) - 1
		for l.read < n {
			switch {
			case l.head == nil:
				// The writer set first before it published an event, and
				// never touches it again: the chunks read are let go.
				l.head, l.first = l.first, nil
			case l.read%chunkLen == 0:
				done := l.head
				l.head = l.head.next
				chunks.Put(done)
			}
			ev := l.head.ev[l.read%chunkLen]
			l.read++
			st := r.fns[ev.fn]
			switch ev.status {
			case evDone:
				st.done++
			case evFailed:
				st.failed++
			case evCancelled:
				st.cancelled++
			}
			st.retried += int64(ev.retries)
			l.lastEnd = max(l.lastEnd, ev.end)
			if len(r.events) < maxEvents {
				r.events = append(r.events, ev)
			} else {
				r.dropped++
			}
		}
		if cur != l.seen {
			// The running task started after the last one ended, and
			// after the last look at the lane.
			l.seen, l.seenAt = cur, max(l.lastEnd, r.lastLook)
		}
	}
	r.lastLook = now
	return running
}

// runningSince returns when the task running on lane k was first seen.
func (r *recorder) runningSince(k int) int64 { return r.lanes[k].seenAt }

// taskGroup is what a batch's tasks belong to, for the dashboard: the twin
// or the function that computes them.
func taskGroup(cfg *config) string {
	if cfg.group != "" {
		return cfg.group
	}
	return "compute in " + callerOutside()
}

// callerOutside returns the name of the innermost function on the stack
// that is not in this package: the twin or the user's function that
// computes.
func callerOutside() string {
	var pcs [16]uintptr
	n := goruntime.Callers(2, pcs[:])
	frames := goruntime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		name := f.Function
		if !strings.HasPrefix(name, runtimePkg+".") && !strings.HasPrefix(name, runtimePkg+"/") {
			return shortFunc(name)
		}
		if !more {
			return "?"
		}
	}
}

const runtimePkg = "github.com/daskgen/daskgen/runtime"

// shortFunc turns "example.com/m/pkg.FParallel.func1" into "pkg.FParallel".
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	parts := strings.Split(name, ".")
	for len(parts) > 2 && (strings.HasPrefix(parts[len(parts)-1], "func") || parts[len(parts)-1] == "gowrap1") {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}

// inGroup names the twin whose computes these are.
func inGroup(name string) Option { return func(c *config) { c.group = name } }

// observed runs one task of b with the recorder and the execution tracer
// watching, on the worker whose state is ws (nil for a synchronous
// compute, which uses sync). It returns the task's error.
func (b *batch) observed(rec *recorder, ws *wstate, t task) error {
	ctx := b.ctx
	if trace.IsEnabled() {
		var tk *trace.Task
		ctx, tk = trace.NewTask(ctx, t.fninfo().Name())
		defer tk.End()
	}
	if rec == nil {
		_, err := b.attempt(ctx, t)
		return err
	}
	if ws.lane == nil {
		ws.lane = rec.localLane()
	}
	l := ws.lane
	fn := rec.fnID(t.fninfo())
	l.begin(fn, rec.now())
	var slot remoteSlot
	if b.executor != nil {
		ctx = context.WithValue(ctx, remoteSlotKey{}, &slot)
	}
	retries, err := b.attempt(ctx, t)
	ev := event{start: l.start, end: rec.now(), fn: fn, group: b.group, retries: uint8(min(retries, 255))}
	switch {
	case b.done.Load():
		ev.status = evCancelled
	case err != nil:
		ev.status = evFailed
	}
	if slot.worker != "" {
		rl := rec.remoteLane(slot.worker)
		rl.mu.Lock()
		rl.add(ev)
		rl.idle()
		rl.mu.Unlock()
		l.idle()
		return err
	}
	l.add(ev)
	// Published before the task's compute can end, so that a report
	// written when it returns has every task.
	l.idle()
	return err
}

// remoteSlot is where an executor says which of its workers ran a task.
type remoteSlot struct{ worker string }

type remoteSlotKey struct{}

// RanOn tells the dashboard which worker of an executor ran the task whose
// context ctx is, so that the task stream shows one lane per worker
// process. Executors call it when a result arrives; it does nothing when
// neither the dashboard nor the report is on.
func RanOn(ctx context.Context, worker string) {
	if s, ok := ctx.Value(remoteSlotKey{}).(*remoteSlot); ok {
		s.worker = worker
	}
}
