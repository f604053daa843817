// Package generic covers generic delayed functions: each instantiation
// that a twin calls gets a wrapper of its own.
package generic

import (
	"cmp"
	"fmt"
)

// clamp is generic, with one type parameter.
//
//daskgen:delayed
func clamp[T cmp.Ordered](x, lo, hi T) T { return min(max(x, lo), hi) }

// index is generic, with two type parameters and an error.
//
//daskgen:delayed
func index[K comparable, V any](keys []K, v V) (map[K]V, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no keys for %v", v)
	}
	m := make(map[K]V, len(keys))
	for _, k := range keys {
		m[k] = v
	}
	return m, nil
}

// Clamped calls clamp with two instantiations, one written out.
//
//daskgen:parallel
func Clamped(xs []float64, ns []int) ([]float64, int) {
	var out []float64
	for _, x := range xs {
		out = append(out, clamp(x, 0, 1))
	}
	total := 0
	for _, n := range ns {
		total += clamp[int](n, -10, 10)
	}
	return out, total
}

// Indexed uses the error idiom with a generic call, in a generic twin that
// instantiates it with concrete types only.
//
//daskgen:parallel
func Indexed[S ~string](names []S) ([]map[string]int, error) {
	var out []map[string]int
	for i, n := range names {
		m, err := index([]string{string(n)}, i)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
