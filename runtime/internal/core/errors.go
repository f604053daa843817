package core

import (
	"errors"
	"fmt"
	"strings"
)

// TaskError is the error a compute returns when a task fails: the name of the
// task and the error its function returned. Use errors.Is and errors.As on it
// as on the function's own error, or Unwrap to get that error itself.
type TaskError struct {
	Task string // the task's name, such as "fetch-2k"
	Err  error  // the function's error

	seq uint64 // the task's place in program order, for Twin
}

// Error returns "task NAME: " and the function's error.
func (e *TaskError) Error() string { return "task " + e.Task + ": " + e.Err.Error() }

// Unwrap returns the function's error.
func (e *TaskError) Unwrap() error { return e.Err }

// PanicError is what a task's panic becomes. A compute does not return it as
// an error: it panics again with the *PanicError in the caller's goroutine, so
// the panic is not lost and the original stack is kept (the policy of
// sourcegraph/conc's WaitGroup.Wait, not errgroup's). Recover it to inspect
// Value and Stack.
type PanicError struct {
	Task  string // the task's name
	Value any    // the value the task panicked with
	Stack []byte // the stack of the task's goroutine at the panic

	seq uint64 // the task's place in program order, for Twin
}

// Error returns the task, the panic value and the task's stack.
func (p *PanicError) Error() string {
	return fmt.Sprintf("task %s panicked: %v\n\n%s", p.Task, p.Value, p.Stack)
}

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

var errNilFunc = errors.New("nil function")

// CycleError reports a cycle in a Graph. Keys lists the keys on it, the first
// repeated at the end.
type CycleError struct {
	Keys []string
}

// Error names the keys on the cycle.
func (e *CycleError) Error() string {
	return "graph has a cycle: " + strings.Join(e.Keys, " -> ")
}

// GraphError reports a task of a Graph that cannot run as written: a missing
// key, a function that is nil or of the wrong shape, arguments of the wrong
// number or type.
type GraphError struct {
	Key string // the task at fault
	Msg string // what is wrong with it
}

// Error names the key and what is wrong with it.
func (e *GraphError) Error() string { return "graph key " + quote(e.Key) + ": " + e.Msg }

func quote(s string) string { return fmt.Sprintf("%q", s) }
