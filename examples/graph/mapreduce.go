package main

//go:generate go tool daskgen

import "time"

// work is how long addTwo and add sleep; main sets it from -work.
var work = 50 * time.Millisecond

//daskgen:delayed
func addTwo(x int) int {
	time.Sleep(work)
	return x + 2
}

//daskgen:delayed
func add(x, y int) int {
	time.Sleep(work)
	return x + y
}

// mapAddTwo is the talk's map(add_two, a).
//
//daskgen:parallel
func mapAddTwo(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, addTwo(x))
	}
	return out
}

// foldLeft is functools.reduce(add, xs): each add needs the one before, so
// the twin's graph is a chain and runs no faster.
//
//daskgen:parallel
func foldLeft(xs []int) int {
	acc := xs[0]
	for _, x := range xs[1:] {
		acc = add(acc, x)
	}
	return acc
}

// treeSum adds pairs, level by level. The loop's condition reads the level's
// length, so the twin waits once per level (a barrier) and runs each level's
// adds in parallel.
//
//daskgen:parallel
func treeSum(xs []int) int {
	level := xs
	for len(level) > 1 {
		var next []int
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, add(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}
