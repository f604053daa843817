package main

//go:generate go tool daskgen

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// work is how long inc, double and add sleep (the tutorial's functions sleep
// one second); main sets it from -work.
var work = 100 * time.Millisecond

//daskgen:delayed
func inc(x int) int {
	time.Sleep(work)
	return x + 1
}

//daskgen:delayed
func double(x int) int {
	time.Sleep(work)
	return 2 * x
}

//daskgen:delayed
func add(x, y int) int {
	time.Sleep(work)
	return x + y
}

//daskgen:delayed
func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func isEven(x int) bool { return x%2 == 0 }

// incAdd is the tutorial's first cell: x = inc(1); y = inc(2); z = add(x, y).
//
//daskgen:parallel
func incAdd() int {
	x := inc(1)
	y := inc(2)
	return add(x, y)
}

// forLoop is "parallelize a for loop": results = [inc(x) for x in data].
//
//daskgen:parallel
func forLoop(data []int) int {
	var results []int
	for _, x := range data {
		results = append(results, inc(x))
	}
	return sum(results)
}

// evenOdd is the exercise with control flow: is_even(x) chooses double or
// inc. The condition reads a plain value, so it costs the twin no wait.
//
//daskgen:parallel
func evenOdd(data []int) int {
	var results []int
	for _, x := range data {
		if isEven(x) {
			results = append(results, double(x))
		} else {
			results = append(results, inc(x))
		}
	}
	return sum(results)
}

var (
	rngMu    sync.Mutex
	rng      = rand.New(rand.NewPCG(5, 0))
	attempts atomic.Int64
)

// unreliableInc fails half the time, like the tutorial's unreliable_inc.
// retries=3 lets the twin call it again; the sequential loop cannot.
//
//daskgen:delayed retries=3
func unreliableInc(x int) (int, error) {
	time.Sleep(work)
	attempts.Add(1)
	rngMu.Lock()
	died := rng.Float64() < 0.5
	rngMu.Unlock()
	if died {
		return 0, errors.New("I died")
	}
	return x + 1, nil
}

//daskgen:parallel
func unreliableTotal(data []int) (int, error) {
	total := 0
	for _, x := range data {
		v, err := unreliableInc(x)
		if err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}
