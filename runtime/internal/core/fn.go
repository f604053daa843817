package core

import (
	"fmt"
	"reflect"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"
)

// A FnOption configures a delayed function: how its tasks are named, retried,
// limited and shared. Pass options to the FuncN constructors.
type FnOption func(*fnInfo)

// Name sets the name of the function's tasks. The default is the Go name of
// the function without its package, such as "inc" or "(*Client).Fetch".
func Name(name string) FnOption {
	return func(fi *fnInfo) { fi.name = name }
}

// Retries runs a failing task up to n more times before its error counts,
// waiting between attempts as Backoff sets. A task is not retried when it
// panics or when its context is done. A negative n makes every compute that
// contains the function fail before any task runs.
func Retries(n int) FnOption {
	return func(fi *fnInfo) {
		if n < 0 {
			fi.setErr(fmt.Errorf("retries must be zero or more, got %d", n))
			return
		}
		fi.retries = n
	}
}

// Backoff sets the wait before the first retry; each later retry waits twice
// as long as the one before, up to one minute. The default is 10ms.
func Backoff(d time.Duration) FnOption {
	return func(fi *fnInfo) {
		if d < 0 {
			fi.setErr(fmt.Errorf("backoff must be zero or more, got %v", d))
			return
		}
		fi.backoff = d
	}
}

// Limit caps how many tasks of the function run at once across all computes
// of the process, for a rate-limited service or code that is not reentrant.
// Tasks over the limit wait in a queue without holding a worker. Zero means no
// limit; a negative n makes computes fail before any task runs.
func Limit(n int) FnOption {
	return func(fi *fnInfo) {
		if n < 0 {
			fi.setErr(fmt.Errorf("limit must be zero or more, got %d", n))
			return
		}
		fi.limit = n
	}
}

// Pure declares that the function's result depends only on its arguments, so
// that calls with identical arguments share one task (Dask's pure=True).
// Arguments are identical when they are the same delayed value or equal
// comparable plain values; a call with an argument that cannot be compared
// gets a task of its own. A shared task that failed runs again in the next
// compute, like any failed task.
func Pure() FnOption {
	return func(fi *fnInfo) { fi.pure = true }
}

// fnInfo is what all tasks of one delayed function share.
type fnInfo struct {
	raw     any // the user's function, for its name and for Graph
	name    string
	once    sync.Once
	retries int
	backoff time.Duration
	limit   int
	pure    bool
	remote  string // the name an Executor runs it by; see Register
	local   bool   // always runs in the computing process
	// takesCtx: the function takes the compute's context, so it may block
	// until the context is done; its calls never run inline (granular.go).
	takesCtx bool

	crossOnce sync.Once
	cross     bool  // its arguments and result cross processes; see remotable
	err       error // a bad option, reported by every compute that meets it

	lmu     sync.Mutex // guards running and queue, for limit > 0
	running int
	queue   []item

	pmu   sync.Mutex // guards cache, for pure functions
	cache map[any]weak.Pointer[node]

	obsID atomic.Int32 // the recorder's index of the function plus one; see observe.go

	// What its calls cost, and the function of its chunks; see granular.go.
	cost      atomic.Int64 // nanoseconds per call, a moving average; 0 until measured
	chunkOnce sync.Once
	chunkFn   *fnInfo
	chunkOf   *fnInfo // the function whose calls a chunk function runs
}

func newInfo(raw any, opts []FnOption) *fnInfo {
	fi := &fnInfo{raw: raw, backoff: 10 * time.Millisecond}
	for _, o := range opts {
		o(fi)
	}
	if raw == nil || reflect.ValueOf(raw).IsNil() {
		fi.setErr(errNilFunc)
	}
	return fi
}

func (fi *fnInfo) setErr(err error) {
	if fi.err == nil {
		fi.err = err
	}
}

// Name returns the name of the function's tasks, without the unique suffix.
func (fi *fnInfo) Name() string {
	if fi == nil {
		return "nil"
	}
	fi.once.Do(func() {
		if fi.name == "" {
			fi.name = funcName(fi.raw)
		}
	})
	return fi.name
}

// funcName returns the short Go name of a function value: "inc" for
// main.inc, "(*T).M" for a method value, "main.func1" for a closure in main.
func funcName(f any) string {
	v := reflect.ValueOf(f)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return "nil"
	}
	rf := goruntime.FuncForPC(v.Pointer())
	if rf == nil {
		return "func"
	}
	name := rf.Name()
	name = strings.TrimSuffix(name, "-fm") // method values
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.Index(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "[...]", "")
}

// acquire reports whether a task of this function may start now. When the
// limit is reached, the task is queued and acquire returns false; release
// queues it again on its executor when a slot is free.
func (fi *fnInfo) acquire(it item) bool {
	if fi.limit <= 0 {
		return true
	}
	fi.lmu.Lock()
	defer fi.lmu.Unlock()
	if fi.running < fi.limit {
		fi.running++
		return true
	}
	fi.queue = append(fi.queue, it)
	return false
}

// release ends a task's hold on the limit. The slot goes to the first queued
// task whose compute is still running, on that compute's own executor.
func (fi *fnInfo) release() {
	if fi.limit <= 0 {
		return
	}
	for {
		fi.lmu.Lock()
		if len(fi.queue) == 0 {
			fi.running--
			fi.lmu.Unlock()
			return
		}
		it := fi.queue[0]
		fi.queue[0] = item{}
		fi.queue = fi.queue[1:]
		fi.lmu.Unlock()
		if it.b.e.pushLive(it) {
			return
		}
	}
}

// pureKey returns a comparable key for a delayed argument, and false when the
// argument cannot be compared.
func pureKey[T any](d Delayed[T]) (any, bool) {
	if d.o != nil {
		return weak.Make(&d.o.node), true
	}
	v := any(d.v)
	if v == nil {
		return nil, true
	}
	if !reflect.ValueOf(v).Comparable() {
		return nil, false
	}
	return v, true
}

// shared returns the live task made earlier for key, if any.
func (fi *fnInfo) shared(key any) *node {
	fi.pmu.Lock()
	defer fi.pmu.Unlock()
	if wp, ok := fi.cache[key]; ok {
		if n := wp.Value(); n != nil {
			return n
		}
		delete(fi.cache, key)
	}
	return nil
}

// share records n as the task for key until n is garbage collected.
func (fi *fnInfo) share(key any, n *node) {
	fi.pmu.Lock()
	if fi.cache == nil {
		fi.cache = map[any]weak.Pointer[node]{}
	}
	wp := weak.Make(n)
	fi.cache[key] = wp
	fi.pmu.Unlock()
	goruntime.AddCleanup(n, func(key any) {
		fi.pmu.Lock()
		if cur, ok := fi.cache[key]; ok && cur.Value() == nil {
			delete(fi.cache, key)
		}
		fi.pmu.Unlock()
	}, key)
}
