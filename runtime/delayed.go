package runtime

import (
	"context"
	"unsafe"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// Delayed is a lazy value of type T: either a plain value, or the result of a
// task that runs when the value is computed (Dask's Delayed). Calls of delayed
// functions take and return Delayed values, so a program builds a graph of
// tasks that Compute then runs in parallel.
//
// A Delayed is a small value; copy it freely. The zero Delayed[T] is the
// plain zero value of T. Once a task has run successfully its value is kept:
// computing it again, or computing a later task that depends on it, does not
// run it again. A task whose run failed runs again in the next compute.
type Delayed[T any] core.Delayed[T]

// Value returns a Delayed that holds v. It does not allocate.
func Value[T any](v T) Delayed[T] { return Delayed[T](core.Value(v)) }

// Collect returns a Delayed slice whose elements are the values of ds, in
// order. The slice ds is copied, so changing it afterwards does not change the
// result. Use it to pass many delayed values to one function, as
// delayed(sum)(results) does in Dask:
//
//	total := runtime.Func1(sum).Call(runtime.Collect(results))
func Collect[T any](ds []Delayed[T]) Delayed[[]T] {
	return Delayed[[]T](core.Collect(coreSlice(ds)))
}

// Key returns the name of d's task, such as "inc-1f", or "" for a plain value.
func (d Delayed[T]) Key() string { return core.Delayed[T](d).Key() }

// String returns "Delayed(inc-1f)" for a task and "Delayed(value)" for a plain
// value, as Dask prints delayed objects.
func (d Delayed[T]) String() string { return core.Delayed[T](d).String() }

// Done reports whether d's value is known: it is a plain value, or its task
// has run successfully.
func (d Delayed[T]) Done() bool { return core.Delayed[T](d).Done() }

// Result returns d's value once it is known, without running anything. It
// returns the task's error after a failed run, and ErrNotComputed before any.
func (d Delayed[T]) Result() (T, error) { return core.Delayed[T](d).Result() }

// Must returns d's value once it is known: a plain value, or a task that has
// run successfully (see Done). It panics otherwise.
func (d Delayed[T]) Must() T { return core.Delayed[T](d).Must() }

// Graph returns the graph of tasks that d's value needs, keyed by task name.
// Tasks that have run show as literals holding their values. A plain value
// has an empty graph. Do not call Graph while d is being computed.
func (d Delayed[T]) Graph() Graph { return core.Delayed[T](d).Graph() }

// core returns d as the scheduler's Delayed, for Node.
func (d Delayed[T]) core() core.Node { return core.Delayed[T](d) }

// Node is any Delayed value, whatever its type, for functions that handle
// several values of different types at once, such as ComputeAll.
type Node = core.Node

func init() {
	core.SetUnwrap(func(n core.Node) core.Node {
		if d, ok := n.(interface{ core() core.Node }); ok {
			return d.core()
		}
		return nil
	})
}

// coreSlice returns ds as a slice of the scheduler's Delayed values, without
// copying: the two types have one underlying type, so one memory layout.
func coreSlice[T any](ds []Delayed[T]) []core.Delayed[T] {
	return unsafe.Slice((*core.Delayed[T])(unsafe.SliceData(ds)), len(ds))
}

// Compute runs the tasks that d needs and returns d's value.
//
// Tasks start as soon as their inputs are ready. A task that has already run
// successfully is not run again. When a task fails, Compute returns a
// *TaskError holding its error; which one, when several fail, is set by
// FailFast. When a task panics, Compute panics with a *PanicError in the
// caller's goroutine. When ctx is done, no new task starts, the context passed
// to running tasks is cancelled, and Compute returns ctx.Err() once they have
// returned; a cancelled context returns at once. No goroutine that Compute
// starts outlives it.
func Compute[T any](ctx context.Context, d Delayed[T], opts ...Option) (T, error) {
	return core.Compute(ctx, core.Delayed[T](d), opts...)
}

// ComputeSlice computes several values of one type at once; tasks they share
// run once. It returns the values in the order of ds.
func ComputeSlice[T any](ctx context.Context, ds []Delayed[T], opts ...Option) ([]T, error) {
	return core.ComputeSlice(ctx, coreSlice(ds), opts...)
}

// ComputeAll computes values of any types at once, like dask.compute(a, b);
// tasks they share run once. Read each value afterwards with its Result
// method.
func ComputeAll(ctx context.Context, ds []Node, opts ...Option) error {
	return core.ComputeAll(ctx, ds, opts...)
}
