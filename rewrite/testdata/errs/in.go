// Package errs checks that a twin returns the error the sequential function
// meets first, even when a later call fails sooner.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// ErrBad is what check returns for a negative number.
var ErrBad = errors.New("bad number")

// check fails for negative numbers; it sleeps longer for earlier items, so
// that in parallel later failures come first.
//
//daskgen:delayed
func check(x, delay int) (int, error) {
	time.Sleep(time.Duration(delay) * time.Millisecond)
	if x < 0 {
		return 0, fmt.Errorf("%d: %w", x, ErrBad)
	}
	return x * x, nil
}

//daskgen:delayed
func boom(x int) int {
	if x == 13 {
		panic("thirteen")
	}
	return x
}

// Squares returns the error as it is.
//
//daskgen:parallel
func Squares(xs []int) ([]int, error) {
	var out []int
	for i, x := range xs {
		v, err := check(x, len(xs)-i)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Wrapped wraps it with the index and a running count, as they were at the
// failing call.
//
//daskgen:parallel
func Wrapped(xs []int) (int, []int, error) {
	var out []int
	seen := 0
	for i, x := range xs {
		seen++
		v, err := check(x, len(xs)-i)
		if err != nil {
			return seen, nil, fmt.Errorf("item %d (seen %d): %w", i, seen, err)
		}
		out = append(out, v)
	}
	return seen, out, nil
}

// Declared uses a var-declared error and plain assignments.
//
//daskgen:parallel
func Declared(xs []int) (int, error) {
	var err error
	total := 0
	for _, x := range xs {
		var v int
		v, err = check(x, 1)
		if err != nil {
			return -1, err
		}
		total += v
	}
	return total, nil
}

// Ignored drops the error: the twin must not fail either.
//
//daskgen:parallel
func Ignored(xs []int) []int {
	var out []int
	for _, x := range xs {
		v, _ := check(x, 0)
		out = append(out, v)
	}
	return out
}

// Handled reads the error as a value: a barrier, not an idiom.
//
//daskgen:parallel
func Handled(xs []int) (int, error) {
	bad := 0
	for _, x := range xs {
		_, err := check(x, 0)
		if err != nil {
			bad++
			continue
		}
	}
	return bad, nil
}

// Panics lets a task panic: the twin raises it again.
//
//daskgen:parallel
func Panics(xs []int) int {
	total := 0
	for _, x := range xs {
		total += boom(x)
	}
	return total
}

// Indexed indexes a table with each checked number. For a negative number
// the sequential function returns check's error before the index would
// panic; the twin's eager code runs ahead, panics, and must return that
// same error.
//
//daskgen:parallel
func Indexed(xs []int, table []string) ([]string, int, error) {
	var out []string
	total := 0
	for _, x := range xs {
		v, err := check(x, 0)
		if err != nil {
			return nil, 0, err
		}
		total += v
		out = append(out, table[x])
	}
	return out, total, nil
}

// Partial returns what it has so far along with the error: the handler of
// the idiom reads the accumulator as it was before the failing call.
//
//daskgen:parallel
func Partial(xs []int) ([]int, int, error) {
	var out []int
	total := 0
	for _, x := range xs {
		v, err := check(x, 1)
		if err != nil {
			return out, total, fmt.Errorf("after %d: %w", total, err)
		}
		out = append(out, v)
		total += v
	}
	return out, total, nil
}
