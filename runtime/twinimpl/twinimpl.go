package twinimpl

import (
	"context"
	"iter"

	"github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/internal/core"
)

// DefaultWindow is how many iterations a pipelined loop issues ahead of the
// one its eager part is on, when the //daskgen:parallel directive sets no
// window=N.
const DefaultWindow = core.DefaultWindow

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
type Twin = core.Twin

// NewTwin starts a twin's run. Its computes use ctx and opts.
func NewTwin(ctx context.Context, opts ...runtime.Option) *Twin { return core.NewTwin(ctx, opts...) }

// OwnContext says that the twin's ctx is the sequential function's own
// context (F takes a context.Context first). F's code, not the runtime,
// decides what F's cancellation means: a cancelled ctx does not stop the
// twin's computes, and delayed functions that take a context get ctx
// itself (cancelled when it is, and when the runtime drops their task), so
// that they return what they return in F, which F's code then wraps as it
// does. Generated twins of such functions pass it to NewTwin.
func OwnContext() runtime.Option { return core.OwnContext() }

// End ends a twin. A twin defers it first thing, with the address of its
// Twin (made later, when its parallel code starts) and fail, which sets the
// twin's results to what the sequential function returns for a failure met
// at an error site (see Recover). End recovers a panic of the twin's eager
// code, passes it through Recover, and then closes the Twin, so that no
// task of a pipelined loop outlives the twin.
func End(t **Twin, fail func(site int, err error)) { core.End(t, fail) }

// Await is Wait for one value: generated twins call it where eager code
// needs one delayed value. A value already known returns at once, without
// allocating.
func Await[T any](t *Twin, d runtime.Delayed[T]) (int, error) {
	return core.Await(t, core.Delayed[T](d))
}

// Track records d's task, if it has one, as added by the twin, and returns d.
func Track[T any](t *Twin, d runtime.Delayed[T]) runtime.Delayed[T] {
	return runtime.Delayed[T](core.Track(t, core.Delayed[T](d)))
}

// Project is Call1(f, d) for what generated code takes out of a delayed
// value (one of a call's several results, a conversion): when d is known
// already, it applies f at once and returns a plain value, so that the
// results of calls that ran inline make no task. f must be cheap and touch
// nothing but its argument.
//
// Generated code calls Project; there is no need to call it by hand.
func Project[T, V any](f func(T) V, d runtime.Delayed[T]) runtime.Delayed[V] {
	return runtime.Delayed[V](core.Project(f, core.Delayed[T](d)))
}

// Step is what one iteration of a pipelined loop issued: its tasks, each
// with the step (the statement of the issue part) that issued it, and a
// panic of the issue part, if it had one.
type Step = core.Step

// Issue records d's task, if it has one, as issued by the current step of
// an iteration, and returns d. The task starts when the iteration's issue
// part is done.
func Issue[T any](s *Step, d runtime.Delayed[T]) runtime.Delayed[T] {
	return runtime.Delayed[T](core.Issue(s, core.Delayed[T](d)))
}

// Slots says whether a pipelined loop's eager part keeps pointers into an
// iteration's values (a closure that captures them, their address) after
// it is done with the iteration.
type Slots = core.Slots

// The values of Slots.
const (
	// Keep gives every iteration memory of its own.
	Keep = core.Keep
	// Reuse lets the producer write later iterations into the memory of
	// iterations that the eager part is done with.
	Reuse = core.Reuse
)

// Producer is the issue part's side of a [Pipeline].
type Producer[I any] = core.Producer[I]

// Pipeline runs a pipelined loop of a generated twin (DESIGN.md, "Pipelined
// loops"): produce is the loop's issue part, and the caller's range over the
// result is its eager part.
//
// produce runs in a goroutine of its own. It runs the loop's header and,
// through [Producer.Next], each iteration's issue part: the statements that
// compute the arguments of the iteration's delayed calls, and the calls. The
// tasks an iteration issues start at once, in the background, so that the
// delayed work of up to window iterations runs while the caller's loop body
// is still on an earlier iteration. The caller's loop receives the
// iterations in order, each with the values its issue part stored (*I) and
// its [Step], and runs the eager statements of F's loop body on them; it
// adopts each step's tasks into the twin ([Twin.Adopt]) where F would have
// made the calls, so that failures are reported in F's order.
//
// Leaving the range early (break, return, a panic) stops produce and cancels
// the tasks of the iterations the loop had not reached; an iteration that
// was reached keeps its tasks, so that a later Finish can still wait for
// them. A panic in produce is raised again in the caller's loop at the point
// where F would have met it: a panic of the header when the loop asks for
// the next iteration, a panic of a step at [Twin.Adopt] of that step.
//
// With slots Reuse, the producer writes later iterations into the memory
// of iterations the eager part is done with, so that a loop of millions of
// iterations allocates for the window, not for every iteration. The
// generated code says Reuse when the eager part keeps no pointer into an
// iteration's values past the iteration (no closure or address of them).
//
// Generated code calls Pipeline; there is no need to call it by hand.
func Pipeline[I any](t *Twin, window int, slots Slots, produce func(p *Producer[I])) iter.Seq2[*I, *Step] {
	return core.Pipeline(t, window, slots, produce)
}

// PipelineIndex is [Pipeline] for a loop over the indexes 0 to n-1 (a range
// over a slice, an array or an integer), whose issue parts depend on
// nothing but their index: producers (one fewer than the CPUs, and the
// caller's goroutine while the block it needs is not issued yet) run the
// issue parts of blocks of consecutive iterations at once, and the caller's
// range receives the iterations in order, as with Pipeline. issue is one
// iteration's issue part; k is its index.
//
// Because the producers run in parallel, calls that cost less than a chunk
// of tasks would (see [Issue1]) run in the producer that issues them:
// a loop of cheap calls spreads over every core without a task per call.
//
// detach, when not nil, is the eager part of an iteration whose values are
// all known, for a loop whose eager parts commute: each only stores values
// of its own iteration at its own index (out[i] = f(x)) and defines
// variables of its own (the analyzer's Pipeline.Detached). A producer runs
// it right after the issue part when no task of the iteration is still to
// run, and the caller's range never receives that iteration; detach
// returns false, having changed nothing it would not change again, when a
// value it needs is not known after all, and the range receives the
// iteration as usual. A panic in detach is met again, in order, by the
// eager part.
//
// Generated code calls PipelineIndex; there is no need to call it by hand.
func PipelineIndex[I any](t *Twin, window int, slots Slots, n int, issue func(k int, it *I, st *Step), detach func(it *I) bool) iter.Seq2[*I, *Step] {
	return core.PipelineIndex(t, window, slots, n, issue, detach)
}

// Unordered runs a generated twin's unordered worklist loop in its natural
// shape (//daskgen:parallel unordered): the twin runs the loop's issue part
// (pop an item, make its delayed calls) for every item in the queue, and
// Adds each iteration with its tasks, which start at once in the
// background; Next returns the iterations as their tasks complete, for the
// rest of the body (Dask's as_completed with add). The twin's goroutine
// calls every method; the tasks run on the twin's background client.
type Unordered[I any] = core.Unordered[I]

// NewUnordered returns an empty set of iterations for the twin t.
func NewUnordered[I any](t *Twin) *Unordered[I] { return core.NewUnordered[I](t) }

// Verifier compares one call of a twin with its sequential function. Generated
// twins get one from [Verify].
type Verifier = core.Verifier

// Verify returns a Verifier when verify mode is on and ctx is not already
// that of a verified run, and nil otherwise (at the cost of three atomic
// loads). name is F's name and pos its position, for reports, and for the
// dashboard and the execution trace when either is on: they name the
// twin's rows and tasks after F. A generated
// twin starts with
//
//	if v := runtime.Verify(ctx, "F", "f.go:12"); v != nil {
//		v.Check(func() []any { a, err := F(x); return []any{a, err} },
//			func() []any { r0, err = FParallel(v.Context(), x); return []any{r0, err} })
//		return r0, err
//	}
func Verify(ctx context.Context, name, pos string) *Verifier { return core.Verify(ctx, name, pos) }

// Error holds an error in a task's value, such as the error result of a
// delayed function whose error the code reads as a value (generated twins
// use it in tuples). In the computing process it is the error itself; across
// processes its text becomes a *RemoteError.
type Error = core.Error
