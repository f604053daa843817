// Package safe is idiomatic parallel code that must draw no diagnostic.
package safe

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

//daskgen:delayed
func inc(x int) int { return x + 1 } // want inc:"delayed"

//daskgen:delayed
func double(x int) int { return 2 * x } // want double:"delayed"

//daskgen:delayed
func add(x, y int) int { return x + y } // want add:"delayed"

//daskgen:delayed
func total(xs []int) int { // want total:"delayed"
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

//daskgen:delayed
func three(n int) ([]float64, []float64, []float64) { // want three:"delayed"
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range a {
		a[i], b[i], c[i] = float64(i), float64(2*i), float64(3*i)
	}
	return a, b, c
}

//daskgen:delayed
func check(x int) (int, error) { // want check:"delayed"
	if x < 0 {
		return 0, errors.New("negative")
	}
	return x, nil
}

//daskgen:delayed
func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) } // want norm:"delayed"

// The delayed tutorial's first program.
//
//daskgen:parallel
func IncAdd() int {
	x := inc(1)
	y := inc(2)
	return add(x, y)
}

// The for-loop with sum.
//
//daskgen:parallel
func ForLoop(data []int) int {
	var results []int
	for _, x := range data {
		y := inc(x)
		results = append(results, y)
	}
	return total(results)
}

// Control flow on eager values: is_even chooses the function.
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
	sum := 0
	for _, r := range results {
		sum += r
	}
	return sum
}

// Three accumulators filled from a delayed call with three results.
//
//daskgen:parallel
func ThreeArrays(n, m int) ([]float64, []float64, []float64) {
	var a1, a2, a3 []float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			x, y, z := three(j)
			a1 = append(a1, x...)
			a2 = append(a2, y...)
			a3 = append(a3, z...)
		}
	}
	return a1, a2, a3
}

// The error idiom, wrapped and not.
//
//daskgen:parallel
func Checked(xs []int) ([]int, error) {
	var out []int
	for _, x := range xs {
		v, err := check(x)
		if err != nil {
			return nil, fmt.Errorf("check %d: %w", x, err)
		}
		w, err := check(v)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// A float sum folded in order, and a map of results.
//
//daskgen:parallel
func Folds(words []string) (float64, map[string]string) {
	sum := 0.0
	seen := map[string]string{}
	for i, w := range words {
		sum += float64(inc(i))
		seen[w] = norm(w)
	}
	return sum, seen
}

// Eager bookkeeping next to the delayed calls: counters, a set of seen keys,
// sorting a copy after the loop.
func Eager(keys []string) []string {
	count := 0
	seen := map[string]bool{}
	var out []string
	//daskgen:parallel workers=4
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		count++
		out = append(out, norm(k))
	}
	sorted := slices.Clone(out)
	sort.Strings(sorted)
	return sorted
}

// A buffer passed to a delayed call, then replaced (not changed): safe.
//
//daskgen:parallel
func Fresh(n int) []int {
	var sums []int
	for i := 0; i < n; i++ {
		buf := make([]int, i)
		for j := range buf {
			buf[j] = j
		}
		sums = append(sums, total(buf))
	}
	return sums
}

// A closure that does not capture delayed values.
//
//daskgen:parallel
func Closure(xs []int) []int {
	var out []int
	keep := func(x int) bool { return x > 0 }
	for _, x := range xs {
		if keep(x) {
			out = append(out, inc(x))
		}
	}
	return out
}
