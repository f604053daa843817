// Package tutorial is delayed-tutorial.md as sequential Go.
package tutorial

import (
	"errors"
	"sync/atomic"
)

//daskgen:delayed
func inc(x int) int { return x + 1 }

//daskgen:delayed
func double(x int) int { return 2 * x }

//daskgen:delayed
func add(x, y int) int { return x + y }

// The tutorial's for loop: results = [inc(x) for x in data]; total = sum(results).
//
//daskgen:delayed
func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

//daskgen:parallel
func Total(data []int) int {
	var results []int
	for _, x := range data {
		y := inc(x)
		results = append(results, y)
	}
	return sum(results)
}

// The tutorial's exercise: is_even chooses double or inc. The condition is
// eager (x is a plain value), so the choice costs no wait.
//
//daskgen:parallel
func EvenOdd(data []int) int {
	var results []int
	for _, x := range data {
		var y int
		if x%2 == 0 {
			y = double(x)
		} else {
			y = inc(x)
		}
		results = append(results, y)
	}
	return sum(results)
}

// A sum of pairs: add(inc(x), double(x)), folded with +=.
//
//daskgen:parallel
func Pairs(data []int) int {
	total := 0
	for _, x := range data {
		a := inc(x)
		b := double(x)
		total += add(a, b)
	}
	return total
}

var calls atomic.Int64

// errFlaky is what unreliable returns on its first calls.
var errFlaky = errors.New("flaky")

// unreliable fails on every other call; retries=3 makes the twin try again.
//
//daskgen:delayed retries=3
func unreliable(x int) (int, error) {
	if calls.Add(1)%2 == 1 {
		return 0, errFlaky
	}
	return x * 10, nil
}

// Retried runs unreliable through the twin only: the sequential function
// fails at once, so the twin's retries are the one difference, and they are
// the user's choice.
//
//daskgen:parallel
func Retried(data []int) ([]int, error) {
	var out []int
	for _, x := range data {
		v, err := unreliable(x)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
