package core

import (
	"context"
	"errors"
	"fmt"
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
type Delayed[T any] struct {
	o *out[T] // the task, or nil for a plain value
	v T       // the plain value when o is nil
}

// out is the first part of every node type that produces a T.
type out[T any] struct {
	node
	val T
}

// Value returns a Delayed that holds v. It does not allocate.
func Value[T any](v T) Delayed[T] { return Delayed[T]{v: v} }

// get returns the value; valid for plain values and finished tasks.
func (d Delayed[T]) get() T {
	if d.o != nil {
		return d.o.val
	}
	return d.v
}

// nodeOf returns d's task header, or nil for a plain value.
func (d Delayed[T]) nodeOf() *node {
	if d.o == nil {
		return nil
	}
	return &d.o.node
}

// Key returns the name of d's task, such as "inc-1f", or "" for a plain value.
func (d Delayed[T]) Key() string {
	if d.o == nil {
		return ""
	}
	return d.o.name()
}

// String returns "Delayed(inc-1f)" for a task and "Delayed(value)" for a plain
// value, as Dask prints delayed objects.
func (d Delayed[T]) String() string {
	if d.o == nil {
		return "Delayed(value)"
	}
	return "Delayed(" + d.o.name() + ")"
}

// Done reports whether d's value is known: it is a plain value, or its task
// has run successfully.
func (d Delayed[T]) Done() bool {
	// Kept within the inliner's budget through runtime's Delayed.Done,
	// which twins call in every iteration: no stOf call.
	return d.o == nil || d.o.state.Load()&0xff == stDone
}

// ErrNotComputed is returned by Result for a task that has not run
// successfully yet.
var ErrNotComputed = errors.New("daskgen: value not computed yet")

// Result returns d's value once it is known, without running anything. It
// returns the task's error after a failed run, and ErrNotComputed before any.
func (d Delayed[T]) Result() (T, error) {
	if d.o == nil {
		return d.v, nil
	}
	switch stOf(d.o.state.Load()) {
	case stDone:
		return d.o.val, nil
	case stFailed:
		var zero T
		return zero, &TaskError{Task: d.o.name(), Err: d.o.err}
	}
	var zero T
	return zero, ErrNotComputed
}

// Node is any Delayed value, whatever its type, for functions that handle
// several values of different types at once, such as ComputeAll.
type Node interface {
	Key() string
	Graph() Graph
}

// unwrap turns a Node of another package's Delayed type (the user
// package's, which wraps this one) into this package's Delayed; see
// SetUnwrap.
var unwrap func(Node) Node

// SetUnwrap installs f, which turns the Delayed values of the package that
// wraps this one into this package's. The runtime package calls it once, as
// it initializes.
func SetUnwrap(f func(Node) Node) { unwrap = f }

// nodeOfAny returns the task header of d, any Delayed value, or nil for a
// plain value.
func nodeOfAny(d Node) *node {
	type hasNode interface{ nodeOf() *node }
	if r, ok := d.(hasNode); ok {
		return r.nodeOf()
	}
	if unwrap != nil {
		if r, ok := unwrap(d).(hasNode); ok {
			return r.nodeOf()
		}
	}
	panic(fmt.Sprintf("daskgen: %T is not a Delayed value", d))
}

// collect is the task made by Collect.
type collect[T any] struct {
	out[[]T]
	items []Delayed[T]
}

// Collect returns a Delayed slice whose elements are the values of ds, in
// order. The slice ds is copied, so changing it afterwards does not change the
// result. Use it to pass many delayed values to one function, as
// delayed(sum)(results) does in Dask:
//
//	total := runtime.Func1(sum).Call(runtime.Collect(results))
func Collect[T any](ds []Delayed[T]) Delayed[[]T] {
	n := &collect[T]{items: append([]Delayed[T](nil), ds...)}
	n.init(n)
	return Delayed[[]T]{o: &n.out}
}

var collectInfo = &fnInfo{name: "collect", local: true}

func (c *collect[T]) fninfo() *fnInfo { return collectInfo }

func (c *collect[T]) call(context.Context) error {
	vs := make([]T, len(c.items))
	for i, d := range c.items {
		vs[i] = d.get()
	}
	c.val = vs
	return nil
}

func (c *collect[T]) deps(buf []*node) []*node {
	for _, d := range c.items {
		if n := d.nodeOf(); n != nil {
			buf = append(buf, n)
		}
	}
	return buf
}

func (c *collect[T]) release() { c.items = nil }

func (c *collect[T]) spec() Task {
	if t, ok := c.literal(); ok {
		return t
	}
	args := make([]any, len(c.items))
	for i, d := range c.items {
		args[i] = argSpec(d)
	}
	return Task{Func: func(xs ...T) []T { return xs }, Args: args, name: "collect"}
}

// argSpec describes an argument for Graph: a Key for a task not done yet,
// the value otherwise.
func argSpec[T any](d Delayed[T]) any {
	if d.o == nil {
		return d.v
	}
	if stOf(d.o.state.Load()) == stDone {
		return d.o.val
	}
	return Key(d.o.name())
}
