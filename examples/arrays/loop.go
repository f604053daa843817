package main

//go:generate go tool daskgen

import (
	"math/rand/v2"
	"time"
)

// work is the most doSomething sleeps per element (the post: up to 3 s);
// main sets it from -work.
var work = 10 * time.Millisecond

// doSomething stands for the slow work inside the loop: for each of x
// elements it sleeps and draws three numbers. The numbers come from a
// generator seeded by x, so a parallel run draws the same ones.
//
//daskgen:delayed
func doSomething(x int) (array1, array2, array3 []float64) {
	rng := rand.New(rand.NewPCG(uint64(x), 42))
	for range x {
		time.Sleep(time.Duration(rng.IntN(4)) * work / 3)
		array1 = append(array1, rng.Float64())
		array2 = append(array2, rng.Float64())
		array3 = append(array3, rng.Float64())
	}
	return array1, array2, array3
}

// multipleArrays is the post's nested loop: one slow call returns three
// arrays, appended to three lists. The twin runs the calls in parallel and
// fills the lists in the loop's order.
//
//daskgen:parallel
func multipleArrays(a, b int) (list1, list2, list3 []float64) {
	for range a {
		for j := range b {
			array1, array2, array3 := doSomething(j)
			list1 = append(list1, array1...)
			list2 = append(list2, array2...)
			list3 = append(list3, array3...)
		}
	}
	return list1, list2, list3
}
