// Package runtime runs task graphs in parallel, by hand like Dask's delayed
// and futures, and under the parallel twins that daskgen generates.
//
// # At a glance
//
//   - [Func1] (and FuncN, FuncNE, FuncNC, FuncNCE for other shapes) declares a
//     delayed function; its Call adds a task and returns a [Delayed] at once.
//   - [Value] makes a plain Delayed; [Collect] gathers many into a slice.
//   - [Compute], [ComputeSlice] and [ComputeAll] run what values need.
//   - Per function: [Name], [Retries], [Backoff], [Limit], [Pure], [Register].
//     Per compute: [MaxWorkers], [FailFast], [Synchronous], [Progress].
//   - [NewClient] with [Submit], [Map], [Gather] and [AsCompleted]: futures.
//   - [Graph], [Apply], [Literal], [Get], [WriteDOT], [WriteSVG]: graphs as
//     data, and their drawings.
//   - [StartDashboard], [ReportTo]: see the work, live or afterwards
//     (or set DASKGEN_DASHBOARD, DASKGEN_REPORT).
//
// What only the code daskgen generates calls is in package
// [github.com/daskgen/daskgen/runtime/twinimpl]; what executor authors need
// is in [github.com/daskgen/daskgen/runtime/executor].
//
// # Delayed values
//
// A [Delayed] is a lazy value: a plain value, or the result of a call that has
// not run yet. Declare a delayed function once with one of the FuncN
// constructors, whose shape follows the function's (FuncN for func(...) R,
// FuncNE for func(...) (R, error), FuncNC and FuncNCE for functions that take
// a context.Context first; N is 1, 2 or 3, and a function of more arguments
// takes them in a struct), and call it with delayed arguments; each call
// adds a task to a graph and returns at once:
//
//	var inc = runtime.Func1(func(x int) int { time.Sleep(time.Second); return x + 1 })
//	var add = runtime.Func2(func(x, y int) int { time.Sleep(time.Second); return x + y })
//
//	x := inc.Call(runtime.Value(1))
//	y := inc.Call(runtime.Value(2))
//	z := add.Call(x, y)
//	v, err := runtime.Compute(ctx, z) // 2s, not 3s: both incs run at once
//
// The compiler checks the types: a Delayed[string] cannot be passed where a
// Delayed[int] is wanted. [Collect] turns a slice of delayed values into a
// delayed slice, to pass many results to one function. [Compute],
// [ComputeSlice] and [ComputeAll] run what the values need; a task that has
// run is not run again.
//
// # Scheduling
//
// The local scheduler counts, for each task, the inputs not ready yet, and
// starts a task the moment its count reaches zero. CPU-bound tasks run on as
// many goroutines as there are CPUs; when tasks block (sleep, wait on the
// network) and the CPUs are idle, more goroutines start, up to [MaxWorkers],
// so that blocking work overlaps far beyond the core count. Per task the
// scheduler costs about a hundred nanoseconds (see docs/performance.md).
// [Synchronous] runs every task in the caller's goroutine in program order,
// for debugging and for tests.
//
// The runtime learns what each function's calls cost as they run. In the
// pipelined loops of generated twins, calls too cheap to be worth a task
// (under about 20 µs) run without one: in the loop's producers, which run
// on every core, when the loop ranges over a slice, an array or an integer, and
// otherwise in chunks of consecutive calls, one task per chunk, on every
// core (or, under about 200 ns, in the loop's one producer). Each call
// keeps its own result, error and panic, so nothing but the speed changes.
// A twin that adds thousands of tasks
// before it waits starts them in the background as it goes, so that a fold
// over millions of iterations holds the tasks in flight, not a graph of all
// of them.
//
// Per function, [Retries] and [Backoff] re-run failing tasks, [Limit] caps
// how many tasks of the function run at once, and [Pure] lets identical calls
// share one task.
//
// # Errors and panics
//
// A compute that fails returns a [*TaskError]. By default it is the error of
// the failing task that comes first in program order, the error a sequential
// run of the same calls would meet, even when a later task fails sooner;
// [FailFast] returns the first failure seen instead. Tasks that can no longer
// matter are not started, and running ones see their context cancelled.
//
// A panic in a task is recovered and raised again in the goroutine that called
// Compute (or Result, for futures) as a [*PanicError] that names the task and
// holds the task's own stack. This is the policy of sourcegraph/conc's
// WaitGroup.Wait, chosen over errgroup's (which lets the panic crash the
// process from the task's goroutine) so that a caller can recover it and the
// task's stack is not lost.
//
// # Graphs as data
//
// A [Graph] maps keys to tasks, like Dask's dict graphs: a [Literal] value, or
// a function [Apply]'d to other keys. [Get] runs one on the same scheduler,
// after checking it for cycles and missing keys. A Delayed value shows its
// graph with [Delayed.Graph], and [WriteDOT] and [WriteSVG] draw a graph.
//
// # Futures
//
// A [Client] runs submitted work eagerly in the background: [Submit] and
// [Map] return [Future] values at once; [Gather] and [Future.Result] wait for
// them. A future passed to a later call becomes a dependency without a round
// trip through the caller. [AsCompleted] yields futures as they finish and
// accepts new ones while it is ranged over.
//
// # Seeing the work
//
// Set DASKGEN_DASHBOARD=127.0.0.1:8787 (or call [StartDashboard]) and open
// the address while the program runs: a live page, like Dask's dashboard,
// with each delayed function's tasks waiting, running, done, failed and
// retried, a task stream with one lane per worker slot (as many as tasks ran
// at once; one per worker process on an executor such as natsexec, which
// reports through executor.RanOn), tasks per second, and the twin or compute each
// task belongs to, named after the user's functions with their positions;
// after the program exits it shows the run's final state. The page is
// one self-contained file embedded in the binary; an address without a host
// listens on loopback only. Set DASKGEN_REPORT=run.html (or call [ReportTo])
// to write the same views for the whole run to one HTML file that opens from
// disk, like Dask's performance_report; [WriteReport] writes one anywhere.
//
// Under [runtime/trace] (go test -trace, or trace.Start), every call of a
// twin is a trace task named after F, and every task it runs is a trace task
// under it named after its delayed function, on the goroutine that ran it,
// so go tool trace shows daskgen's tasks with no other tool.
//
// All of this is off by default and then costs a task one pointer load; on,
// it costs a task two atomic stores and an event in a buffer of its worker's
// own (docs/performance.md has the numbers).
//
// # Executors
//
// An executor runs the tasks of registered functions elsewhere (package
// natsexec runs them on the workers of a NATS cluster): [Register] names a
// function so that a worker can find it, and [Using], [Locally] and
// [SetDefaultExecutor] choose where a compute runs. Writing an executor is
// the subject of package executor.
package runtime
