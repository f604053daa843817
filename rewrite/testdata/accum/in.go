// Package accum covers the accumulators: append, append-spread, op-assign on
// ints and floats (folded in sequential order, bit-identical), and map writes.
package accum

import "math"

//daskgen:delayed
func scale(x float64) float64 { return x * 1.1 }

//daskgen:delayed
func pair(x int) []int { return []int{x, -x} }

//daskgen:delayed
func name(x int) string {
	if x%2 == 0 {
		return "even"
	}
	return "odd"
}

//daskgen:delayed
func sq(x int) int { return x * x }

// Floats sums, multiplies and divides in a fixed order; any other order
// could change the last bits.
//
//daskgen:parallel
func Floats(xs []float64) (float64, float64, float64) {
	sum, prod, q := 0.0, 1.0, 1e300
	for _, x := range xs {
		s := scale(x)
		sum += s
		prod *= s / 3
		q /= s + 0.5
	}
	return sum, prod, math.Float64frombits(math.Float64bits(q))
}

// Spread appends several items at a time, then mixes in eager items.
//
//daskgen:parallel
func Spread(xs []int) []int {
	out := []int{100}
	for _, x := range xs {
		out = append(out, pair(x)...)
		out = append(out, 7)
	}
	return out
}

// Counts writes a map: the last write of a key wins, as in the loop.
//
//daskgen:parallel
func Counts(xs []int) (map[string]int, map[int]int) {
	last := map[string]int{}
	squares := make(map[int]int)
	for _, x := range xs {
		last[name(x)] = x
		squares[x] = sq(x)
	}
	return last, squares
}

// Ints uses every integer op-assign.
//
//daskgen:parallel
func Ints(xs []int) (int, int, int, uint) {
	a, b, c := 0, -1, 1
	var bits uint = 1
	for _, x := range xs {
		v := sq(x)
		a += v
		a -= v / 2
		b ^= v
		b |= v << 1
		c *= v%7 + 1
		c &^= v & 0xff
		bits <<= uint(v % 3)
		bits >>= 1
	}
	return a, b, c, bits
}

// Strings concatenates in order.
//
//daskgen:parallel
func Strings(xs []int) string {
	s := ""
	for _, x := range xs {
		s += name(x) + ","
	}
	return s
}
