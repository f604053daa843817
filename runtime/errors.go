package runtime

import "github.com/daskgen/daskgen/runtime/internal/core"

// The errors of a compute. They are the scheduler's own types, so that
// errors.As finds them in what any of daskgen's packages returns.
type (
	// TaskError is the error a compute returns when a task fails: Task is
	// the task's name, such as "fetch-2k", and Err the error its function
	// returned. Use errors.Is and errors.As on it as on the function's own
	// error, or Unwrap to get that error itself.
	TaskError = core.TaskError

	// PanicError is what a task's panic becomes. A compute does not return
	// it as an error: it panics again with the *PanicError in the caller's
	// goroutine, so the panic is not lost and the original stack is kept
	// (the policy of sourcegraph/conc's WaitGroup.Wait, not errgroup's).
	// Recover it to inspect Task (the task's name), Value (what it panicked
	// with) and Stack (its goroutine's stack at the panic); Unwrap returns
	// Value when it is an error.
	PanicError = core.PanicError

	// CycleError reports a cycle in a Graph. Keys lists the keys on it, the
	// first repeated at the end.
	CycleError = core.CycleError

	// GraphError reports a task of a Graph that cannot run as written: Key
	// is the task at fault and Msg what is wrong with it (a missing key, a
	// function that is nil or of the wrong shape, arguments of the wrong
	// number or type).
	GraphError = core.GraphError

	// VerifyError is what verify mode (EnvVerify, SetVerify) panics with
	// when a twin returns something else than its sequential function: Func
	// is the function's name, Pos where it is declared, and Diff the first
	// difference, such as "result 0: F returned 3, the twin 4".
	VerifyError = core.VerifyError

	// RemoteError is an error that crossed processes: a task's error as its
	// worker reported it, or an error held in a task's value. Only the text
	// (Msg) crosses, so errors.Is against a sentinel of the function's
	// package does not hold for it; compare texts, or return error codes in
	// values.
	RemoteError = core.RemoteError
)

var (
	// ErrNotComputed is returned by Delayed.Result for a task that has not
	// run successfully yet.
	ErrNotComputed = core.ErrNotComputed

	// ErrClosed is the error of futures submitted to, or still running on, a
	// Client that has been closed.
	ErrClosed = core.ErrClosed
)
