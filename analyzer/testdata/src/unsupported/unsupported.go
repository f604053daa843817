package unsupported

import (
	"context"
	"fmt"
	"sort"
)

//daskgen:delayed
func inc(x int) int { return x + 1 } // want inc:"delayed"

var last int

//daskgen:parallel
func Go(xs []int) int {
	t := 0
	for _, x := range xs {
		go fmt.Println(x) // want `go statement in parallel code: the twin would start it while the graph is built; move it out of the parallel region`
		t += inc(x)
	}
	return t
}

//daskgen:parallel
func Defer(xs []int) (t int) {
	defer fmt.Println("done") // want `defer in parallel code: the twin cannot keep its timing; move it out of the parallel region`
	for _, x := range xs {
		t += inc(x)
	}
	return t
}

//daskgen:parallel
func Recover(xs []int) int {
	t := 0
	for _, x := range xs {
		_ = recover() // want `recover in parallel code is not supported`
		t += inc(x)
	}
	return t
}

//daskgen:parallel
func Select(xs []int, ch chan int) int {
	t := 0
	for _, x := range xs {
		select { // want `select in parallel code is not supported, except the check of F.s own context \(select \{ case <-ctx.Done\(\): ...; default: \}\); move it out of the parallel region`
		case ch <- x:
		default:
		}
		t += inc(x)
	}
	return t
}

//daskgen:parallel
func Goto(xs []int) int {
	t := 0
	i := 0
again:
	t += inc(xs[i])
	i++
	if i < len(xs) {
		goto again // want `goto again in parallel code is not supported; use a loop with break or continue`
	}
	return t
}

//daskgen:parallel
func Capture(xs []int) []func() int {
	var fs []func() int
	for _, x := range xs {
		y := inc(x)
		fs = append(fs, func() int { return y }) // want `closure captures y, which holds a delayed value; compute it before the closure, or pass it in as an argument`
	}
	return fs
}

//daskgen:parallel
func CallInClosure(xs []int) []int {
	var out []int
	f := func(x int) int { return inc(x) } // want `delayed function inc is called inside a function literal in parallel code; call it in the loop itself, or move the closure out`
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

//daskgen:parallel
func Send(xs []int, ch chan int) {
	for _, x := range xs {
		y := inc(x)
		ch <- y // want `y, a delayed value, is sent on a channel; compute it first, or send after the parallel code`
	}
}

//daskgen:parallel
func Store(xs []int) { // want Store:"writes globals unsupported.last"
	for _, x := range xs {
		y := inc(x)
		last = y // want `y, a delayed value, is stored in package variable last; keep it in a local variable and store the result after the parallel code`
	}
}

//daskgen:delayed
func isZero(x int) bool { return x == 0 } // want isZero:"delayed"

//daskgen:parallel
func ShortCircuit(xs []int) bool {
	z := true
	for _, x := range xs {
		z = z && isZero(x) // want `delayed call isZero is on the right of &&, so the sequential code makes it only sometimes; call it in a statement of its own`
	}
	return z
}

//daskgen:parallel
func InCase(xs []int) int {
	n := 0
	for _, x := range xs {
		switch x {
		case inc(0): // want `delayed call inc in a case of a switch runs only when the cases before it do not match; call it before the switch`
			n++
		}
	}
	return n
}

//daskgen:delayed
func lookup(ctx context.Context, x int) int { return x } // want lookup:"delayed"

type key struct{}

//daskgen:parallel
func OtherContext(ctx context.Context, xs []int) []int {
	var out []int
	sub := context.WithValue(ctx, key{}, 1)
	for _, x := range xs {
		out = append(out, lookup(sub, x)) // want `delayed call lookup gets the context sub, but its task runs with the twin's context, which is OtherContext's own; pass ctx`
	}
	return out
}

//daskgen:parallel
func NoContext(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, lookup(context.Background(), x)) // want `delayed call lookup gets the context context.Background\(\), but its task runs with the twin's context, whose values and deadline may differ; give NoContext a context.Context as its first parameter and pass that`
	}
	return out
}

type Box[T any] struct{ v T }

//daskgen:delayed // want `delayed method Get has a receiver with type parameters, which daskgen does not support yet; make it a generic function that takes the receiver as its first argument`
func (b Box[T]) Get() T { return b.v } // want Get:"aliases receiver"

// SortedAfter sorts what a loop that cannot be pipelined collected, with a
// closure over it after the loop.
//
//daskgen:parallel
func SortedAfter(xs []int) []int {
	var out []int
	prev := 0
	for _, x := range xs {
		prev = inc(x + prev)
		out = append(out, prev)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] }) // want `closure captures out, which holds a delayed value; compute it before the closure, or pass it in as an argument; or, since the closure comes after the loop, put //daskgen:parallel on the line above the for statement instead of on SortedAfter: the code after a marked loop runs as F's, on the loop's results` `closure captures out`
	return out
}
