package core

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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
// compute, lane, start and end. A task holds a worker slot while it runs
// (see takeSlot); the slot's lane is written by that task alone, without
// locks: the task's goroutine appends events
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

// lane is one row of the task stream: a worker slot of the local pool (see
// takeSlot), or a worker process of an executor.
type lane struct {
	rec  *recorder
	id   int32
	name string
	slot int // the worker slot of a local lane; see takeSlot
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
	name, pos                                   string // see fnSite
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
	fnByName map[site]int32
	groups   []site
	groupID  map[site]int32
	lanes    []*lane
	remote   map[string]*lane
	errs     []string // the first errors that computes and twins returned
	nerrs    int64    // how many they returned

	// The local pool's worker slots: slots[k] is the lane of slot k, and
	// held[k] says whether a task holds it.
	slotMu sync.Mutex
	slots  []*lane
	held   []bool

	first, last int64   // the first task's start and the last one's end; -1 before any
	events      []event // collected, in the order collected
	dropped     int64   // events not kept, beyond maxEvents
	lastLook    int64   // when the lanes were last collected
}

// maxEvents bounds the events kept for the task stream (32 bytes each);
// counts go on beyond it.
const maxEvents = 1_000_000

var startRec sync.Once

// record turns the recorder on, once per process, and returns it.
func record() *recorder {
	startRec.Do(func() {
		r := &recorder{t0: nanotime(), wall: time.Now(), groupID: map[site]int32{}, fnByName: map[site]int32{}, remote: map[string]*lane{}, first: -1, last: -1}
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
	st := fnSite(fi)
	r.mu.Lock()
	defer r.mu.Unlock()
	if id := fi.obsID.Load(); id > 0 {
		return id - 1
	}
	// Functions of one site share a row: a twin makes a function value per
	// call for its small steps.
	id, ok := r.fnByName[st]
	if !ok {
		r.fns = append(r.fns, &fnStats{name: st.name, pos: st.pos})
		id = int32(len(r.fns)) - 1
		r.fnByName[st] = id
	}
	fi.obsID.Store(id + 1)
	return id
}

// group returns the index of a twin or compute.
func (r *recorder) group(g site) int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.groupID[g]; ok {
		return id
	}
	id := int32(len(r.groups))
	r.groups = append(r.groups, g)
	r.groupID[g] = id
	return id
}

// maxErrs is how many error messages the recorder keeps.
const maxErrs = 20

// failed notes an error that the compute or twin of group g returned.
func (r *recorder) failed(g int32, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nerrs++
	if len(r.errs) < maxErrs {
		msg := err.Error()
		if g >= 0 && int(g) < len(r.groups) {
			msg = r.groups[g].name + ": " + msg
		}
		r.errs = append(r.errs, msg)
	}
}

// takeSlot gives a starting task the lowest worker slot that no task
// holds, and reads the clock, both under one lock: the task stream then has
// one lane per slot, as many as tasks ran at once at the most (the pool's
// size: the number of CPUs for tasks that compute, more where the pool grew
// past tasks that block), and no two tasks of a lane overlap.
func (r *recorder) takeSlot() (*lane, int64) {
	r.slotMu.Lock()
	defer r.slotMu.Unlock()
	k := 0
	for k < len(r.held) && r.held[k] {
		k++
	}
	if k == len(r.slots) {
		r.mu.Lock()
		l := r.newLaneLocked("worker " + strconv.Itoa(k+1))
		r.mu.Unlock()
		l.slot = k
		r.slots = append(r.slots, l)
		r.held = append(r.held, false)
	}
	r.held[k] = true
	return r.slots[k], r.now()
}

// putSlot gives the slot of lane l back. With a task's event, it reads the
// clock for its end and publishes it on l first, under the lock that
// takeSlot takes.
func (r *recorder) putSlot(l *lane, ev *event) {
	r.slotMu.Lock()
	defer r.slotMu.Unlock()
	if ev != nil {
		ev.end = r.now()
		l.add(*ev)
	}
	l.idle()
	r.held[l.slot] = false
}

func (r *recorder) newLaneLocked(name string) *lane {
	l := &lane{rec: r, id: int32(len(r.lanes)), name: name}
	r.lanes = append(r.lanes, l)
	return l
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
			if r.first < 0 || ev.start < r.first {
				r.first = ev.start
			}
			r.last = max(r.last, ev.end)
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

// A site is what the dashboard names a row after: a function of the
// user's code and where it is declared, or where it computes (file:line,
// the file's base name), never the runtime's own bookkeeping.
type site struct{ name, pos string }

// twinSites maps a twin's full function name to the site of F, as the twin
// reports it to Verify when it starts.
var twinSites sync.Map

// observing reports whether the dashboard, the report or the execution
// tracer is on.
func observing() bool { return obs.Load() != nil || trace.IsEnabled() }

// noteTwin records that the function calling Verify is the twin of the
// function name declared at pos.
func noteTwin(name, pos string) {
	f := callerOutside()
	if _, ok := twinSites.Load(f.Function); !ok {
		twinSites.Store(f.Function, site{name: name, pos: pos})
	}
}

// twinSite returns the site of the F whose twin calls NewTwin. A twin
// that did not report F (one that daskgen writes without a Verify call) is
// FParallel in a file of daskgen's: F is looked up among the package's
// sources. Any other caller is itself, where it calls.
func twinSite() site {
	f := callerOutside()
	if st, ok := twinSites.Load(f.Function); ok {
		return st.(site)
	}
	st := site{name: shortFunc(f.Function), pos: filePos(f.File, f.Line)}
	if name, ok := strings.CutSuffix(st.name[strings.Index(st.name, ".")+1:], "Parallel"); ok && strings.HasSuffix(f.File, "_daskgen.go") {
		if pos := declPos(filepath.Dir(f.File), name); pos != "" {
			st = site{name: name, pos: pos}
			twinSites.Store(f.Function, st)
		}
	}
	return st
}

// taskGroup is what a batch's tasks belong to, for the dashboard: the twin
// or the user's function that computes them.
func taskGroup(cfg *config) site {
	if cfg.group.name != "" {
		return cfg.group
	}
	f := callerOutside()
	return site{name: "compute in " + shortFunc(f.Function), pos: filePos(f.File, f.Line)}
}

// callerOutside returns the innermost frame on the stack that is not in
// daskgen's runtime: the twin or the user's function that computes.
func callerOutside() goruntime.Frame {
	var pcs [16]uintptr
	n := goruntime.Callers(2, pcs[:])
	frames := goruntime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !inRuntime(f.Function) || !more {
			return f
		}
	}
}

const runtimePkg = "github.com/daskgen/daskgen/runtime"

// inRuntime reports whether fn, a function's full name, belongs to one of
// daskgen's runtime packages (runtime, runtime/twinimpl, the core, the
// executors), not counting their tests.
func inRuntime(fn string) bool {
	rest, ok := strings.CutPrefix(fn, runtimePkg)
	if !ok || rest == "" || rest[0] != '.' && rest[0] != '/' {
		return false
	}
	// The package path ends at the first dot after the last slash.
	path := fn
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if j := strings.IndexByte(path[i:], '.'); j >= 0 {
			path = path[:i+j]
		}
	}
	return !strings.HasSuffix(path, "_test")
}

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

// filePos is file:line with the file's base name, as twins give F's.
func filePos(file string, line int) string {
	if file == "" {
		return ""
	}
	return filepath.Base(file) + ":" + strconv.Itoa(line)
}

// closureSuffix matches what Go appends to the name of a function literal.
var closureSuffix = regexp.MustCompile(`(\.func\d+|\.gowrap\d+)(\.\d+)*$`)

// fnSite is the row a function's tasks count in. A delayed function is
// itself, declared where its source says; a function literal of a twin (the
// small steps a twin adds between delayed calls: appends, operators,
// fields of results) is F, whose code those steps are; any other function
// literal is named by Go, at its position.
func fnSite(fi *fnInfo) site {
	if fi.chunkOf != nil {
		fi = fi.chunkOf // a batch of calls counts as the function's
	}
	name := fi.Name()
	v := reflect.ValueOf(fi.raw)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return site{name: name}
	}
	rf := goruntime.FuncForPC(v.Pointer())
	if rf == nil {
		return site{name: name}
	}
	full := strings.TrimSuffix(rf.Name(), "-fm")
	file, line := rf.FileLine(rf.Entry())
	if outer := closureSuffix.ReplaceAllString(full, ""); outer != full {
		if st, ok := twinSites.Load(outer); ok {
			return st.(site)
		}
	}
	if strings.HasSuffix(file, "_daskgen.go") && fi.name != "" {
		// The wrapper that daskgen writes for a delayed function: find the
		// function among its package's files.
		if pos := declPos(filepath.Dir(file), fi.name); pos != "" {
			return site{name: name, pos: pos}
		}
	}
	return site{name: name, pos: filePos(file, line)}
}

// declPos returns where function or method name is declared among the Go
// files of dir, or "" when the sources are not there (a binary run away
// from its module). name is as Name gives it: "f", "T.M" or "(*T).M".
func declPos(dir, name string) string {
	recv, fn := "", name
	if i := strings.LastIndex(name, "."); i >= 0 {
		recv, fn = strings.Trim(name[:i], "(*)"), name[i+1:]
	}
	pat := `^func\s+` + regexp.QuoteMeta(fn) + `\s*[\[(]`
	if recv != "" {
		pat = `^func\s*\([^)]*\b` + regexp.QuoteMeta(recv) + `\b[^)]*\)\s*` + regexp.QuoteMeta(fn) + `\s*[\[(]`
	}
	re := regexp.MustCompile(pat)
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_daskgen.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for i, line := range strings.Split(string(b), "\n") {
			if re.MatchString(line) {
				return filePos(f, i+1)
			}
		}
	}
	return ""
}

// inGroup names the twin whose computes these are.
func inGroup(g site) Option { return func(c *config) { c.group = g } }

// observed runs one task of b with the recorder and the execution tracer
// watching. It returns the task's error.
func (b *batch) observed(rec *recorder, t task) error {
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
	fn := rec.fnID(t.fninfo())
	l, start := rec.takeSlot()
	l.begin(fn, start)
	var slot remoteSlot
	if b.executor != nil {
		ctx = context.WithValue(ctx, remoteSlotKey{}, &slot)
	}
	retries, err := b.attempt(ctx, t)
	ev := event{start: l.start, fn: fn, group: b.group, retries: uint8(min(retries, 255))}
	switch {
	case b.done.Load():
		ev.status = evCancelled
	case err != nil:
		ev.status = evFailed
	}
	if slot.worker != "" {
		ev.end = rec.now()
		rl := rec.remoteLane(slot.worker)
		rl.mu.Lock()
		rl.add(ev)
		rl.idle()
		rl.mu.Unlock()
		rec.putSlot(l, nil)
		return err
	}
	// Published before the task's compute can end, so that a report
	// written when it returns has every task.
	rec.putSlot(l, &ev)
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
