package gostmt

import "sync"

//daskgen:delayed
func inc(x int) int { return x + 1 }

// Spawn starts goroutines in parallel code.
//
//daskgen:parallel
func Spawn(xs []int) int {
	var wg sync.WaitGroup
	total := 0
	for _, x := range xs {
		total += inc(x)
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	wg.Wait()
	return total
}
