package runtime

import (
	"context"
	"io"
	"time"

	"github.com/daskgen/daskgen/runtime/executor"
	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Key names a task of a Graph. As an argument of Apply it refers to the value
// of that task; any other argument is passed as it is.
type Key = core.Key

// Task is one entry of a Graph: a literal value, or a function applied to
// arguments, some of which are other tasks' keys.
type Task = core.Task

// Graph is a task graph as plain data: keys mapped to tasks. Build one by hand
// with Literal and Apply, or get one from a Delayed value with its Graph
// method, and run it with Get:
//
//	g := runtime.Graph{
//		"a": runtime.Literal([]int{0, 1, 2, 3}),
//		"b": runtime.Apply(sum, runtime.Key("a")),
//	}
//	b, err := runtime.Get(ctx, g, "b") // 6
type Graph = core.Graph

// Literal returns a task whose value is v, like a plain value in a Dask graph.
func Literal(v any) Task { return core.Literal(v) }

// Apply returns a task that calls f with args, like the tuple (f, args...) in a
// Dask graph. An argument of type Key is replaced by that task's value. f may
// take a context.Context first and may return an error last; it must return
// one value besides.
func Apply(f any, args ...any) Task { return core.Apply(f, args...) }

// Get computes the task named key in g and returns its value, like Dask's
// get(graph, key). Before anything runs it checks the tasks that key needs and
// returns a *CycleError for a cycle and a *GraphError for a missing key, a
// function that is nil or not a function, or a wrong number of arguments. A
// failing function gives a *TaskError named after its key. Options are as for
// Compute.
func Get(ctx context.Context, g Graph, key string, opts ...Option) (any, error) {
	return core.Get(ctx, g, key, opts...)
}

// GetAll is Get for several keys at once; tasks they share run once.
func GetAll(ctx context.Context, g Graph, keys []string, opts ...Option) ([]any, error) {
	return core.GetAll(ctx, g, keys, opts...)
}

// WriteDOT writes g in Graphviz's DOT language: one node per task, labelled
// with its key (the task name, like Dask's visualize), calls as ellipses and
// literal values as boxes, and an edge from each input to the task that reads
// it. The output is deterministic.
func WriteDOT(w io.Writer, g Graph) error { return core.WriteDOT(w, g) }

// WriteSVG draws g as SVG with Graphviz's dot command, which must be on the
// PATH. When it is not, the error says which package to install.
func WriteSVG(ctx context.Context, w io.Writer, g Graph) error { return core.WriteSVG(ctx, w, g) }

// An Option configures one compute.
type Option = core.Option

// FailFast ends the compute at the first task that fails, whichever that is.
// By default a compute returns the error of the failing task that comes first
// in program order, the one a sequential run of the same calls would meet,
// even when a later task fails sooner: it stops the tasks after that one and
// lets the ones before it finish. FailFast returns sooner, but which error it
// returns may change from run to run.
func FailFast() Option { return core.FailFast() }

// MaxWorkers caps how many tasks of the compute run at once. The default is
// 10,000: CPU-bound tasks run on as many goroutines as there are CPUs, and more
// start only while tasks are blocked (sleeping, waiting on the network). One
// means one task at a time in program order of readiness; n below one makes
// the compute fail before it starts.
func MaxWorkers(n int) Option { return core.MaxWorkers(n) }

// Progress draws a progress bar of finished tasks on standard error while
// the compute runs, when standard error is a terminal. Elsewhere it does
// nothing.
func Progress() Option { return core.Progress() }

// ProgressTo draws the progress bar on w, whatever w is.
func ProgressTo(w io.Writer) Option { return core.ProgressTo(w) }

// Synchronous runs every task in the caller's goroutine, one at a time, in
// program order (the order in which the calls were made), like Dask's
// scheduler="sync". Use it for debugging, and in tests as the reference a
// parallel run is compared with. Function limits do not apply.
func Synchronous() Option { return core.Synchronous() }

// Using runs the compute's tasks with e: the tasks of registered functions
// run wherever e runs them; the small tasks that generated twins add between
// them (operators, appends, tuples) run in the computing process, and so do
// the tasks of functions whose arguments or result cannot cross processes
// (interfaces, functions, channels, structs with unexported fields, unless
// the type implements encoding.BinaryMarshaler and BinaryUnmarshaler). A
// task of a function that is not registered fails the compute before
// anything runs.
func Using(e executor.Executor) Option { return core.Using(e) }

// Locally runs the compute's tasks on local goroutines even when a default
// executor is set.
func Locally() Option { return core.Locally() }

// SetDefaultExecutor makes e the executor of every compute that does not
// choose one, so that the same code, generated twins included, moves from
// local goroutines to a cluster with no change; nil restores local
// goroutines. natsexec.Setup calls it when DASKGEN_NATS_URL is set.
func SetDefaultExecutor(e executor.Executor) { core.SetDefaultExecutor(e) }

// SetVerify turns verify mode on or off for the whole process, as
// DASKGEN_VERIFY does at its start, and returns the setting it replaces.
func SetVerify(on bool) bool { return core.SetVerify(on) }

// A FnOption configures a delayed function: how its tasks are named, retried,
// limited and shared. Pass options to the FuncN constructors.
type FnOption = core.FnOption

// Name sets the name of the function's tasks. The default is the Go name of
// the function without its package, such as "inc" or "(*Client).Fetch".
func Name(name string) FnOption { return core.Name(name) }

// Retries runs a failing task up to n more times before its error counts,
// waiting between attempts as Backoff sets. A task is not retried when it
// panics or when its context is done. A negative n makes every compute that
// contains the function fail before any task runs.
func Retries(n int) FnOption { return core.Retries(n) }

// Backoff sets the wait before the first retry; each later retry waits twice
// as long as the one before, up to one minute. The default is 10ms.
func Backoff(d time.Duration) FnOption { return core.Backoff(d) }

// Limit caps how many tasks of the function run at once across all computes
// of the process, for a rate-limited service or code that is not reentrant.
// Tasks over the limit wait in a queue without holding a worker. Zero means no
// limit; a negative n makes computes fail before any task runs.
func Limit(n int) FnOption { return core.Limit(n) }

// Pure declares that the function's result depends only on its arguments, so
// that calls with identical arguments share one task (Dask's pure=True).
// Arguments are identical when they are the same delayed value or equal
// comparable plain values; a call with an argument that cannot be compared
// gets a task of its own. A shared task that failed runs again in the next
// compute, like any failed task.
func Pure() FnOption { return core.Pure() }

// Register names a delayed function for executors: a worker runs its tasks
// by that name, so the name must be the same in every process of the
// program, and unique. Generated wrappers register every delayed function
// as "import/path.name". Registering one name twice makes the second
// function's tasks fail.
func Register(name string) FnOption { return core.Register(name) }
