// Package twinbench holds the workloads of the twin benchmarks: the mocked
// fetches of the Dask-vs-multiprocessing post, and CPU-bound calls, written
// as sequential loops with generated twins.
package twinbench

//go:generate go tool daskgen

import (
	"time"
)

// fetchDelay is how long a mocked fetch takes.
const fetchDelay = 200 * time.Millisecond

// fetch stands for one HTTP request of the post: it waits and returns its
// day.
//
//daskgen:delayed
func fetch(day int) string {
	time.Sleep(fetchDelay)
	return time.Date(2020, 1, 1+day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Fetch makes n mocked fetches in a loop.
//
//daskgen:parallel
func Fetch(n int) []string {
	var out []string
	for day := range n {
		out = append(out, fetch(day))
	}
	return out
}

// spinRounds makes spin take about 10 ms on the machine of
// docs/performance.md.
const spinRounds = 6_000_000

// spin is CPU-bound work: a xorshift generator run spinRounds times.
//
//daskgen:delayed
func spin(seed uint64) uint64 {
	x := seed | 1
	for range spinRounds {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// Spin makes n CPU-bound calls in a loop and folds their results.
//
//daskgen:parallel
func Spin(n int) uint64 {
	var total uint64
	for i := range n {
		total ^= spin(uint64(i))
	}
	return total
}
