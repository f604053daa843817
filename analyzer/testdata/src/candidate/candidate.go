package candidate

import (
	"fmt"
	"strings"
	"testing"

	"example.com/slow"
)

//daskgen:delayed
func inc(x int) int { return x + 1 } // want inc:"delayed"

func Sum(xs []int) int {
	t := 0
	for _, x := range xs { // want `the iterations of this loop call delayed function inc independently; mark it //daskgen:parallel to run them in parallel`
		t += inc(x)
	}
	return t
}

func Nested(rows [][]int) []int {
	var out []int
	for _, row := range rows { // want `the iterations of this loop call delayed function inc independently`
		for _, x := range row {
			out = append(out, inc(x))
		}
	}
	return out
}

// Printed waits in each iteration for its own value only: the loop is
// pipelined, so it is a candidate too.
func Printed(xs []int) {
	for _, x := range xs { // want `the iterations of this loop call delayed function inc independently`
		fmt.Println(inc(x))
	}
}

// Not candidates: a wait that holds up later iterations, no delayed call.
func Chained(xs []int) int {
	t := 0
	for _, x := range xs {
		t = inc(t + x)
		if t > 100 {
			fmt.Println(t)
		}
	}
	return t
}

func Fast(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// Already parallel.
func Marked(xs []int) int {
	t := 0
	//daskgen:parallel
	for _, x := range xs {
		t += inc(x)
	}
	return t
}

// With -delayed=strings.ToUpper,example.com/slow.Fill: ToUpper is pure and
// counts; Fill writes its parameter, so it does not.
func Upper(words []string) []string {
	var out []string
	for _, w := range words { // want `the iterations of this loop call delayed function ToUpper independently`
		out = append(out, strings.ToUpper(w))
	}
	return out
}

func Fills(rows [][]int) {
	for _, r := range rows {
		slow.Fill(r)
	}
}

// Not candidates: the delayed call is in the range expression, which runs
// once; a benchmark's timing loop.
func Header(s string) int {
	n := 0
	for range strings.ToUpper(s) {
		n++
	}
	return n
}

func BenchmarkInc(b *testing.B) { // want BenchmarkInc:"writes params 0"
	for i := 0; i < b.N; i++ {
		inc(i)
	}
	for b.Loop() {
		inc(1)
	}
}
