// Package loopregion marks single loops parallel: the code around them
// stays as it is, and a barrier follows each loop.
package loopregion

import (
	"errors"
	"sort"
)

//daskgen:delayed
func cube(x int) int { return x * x * x }

//daskgen:delayed
func fetch(id int) (string, error) {
	if id < 0 {
		return "", errors.New("negative id")
	}
	return string(rune('a' + id%26)), nil
}

// Report has two parallel loops with eager code around them.
func Report(xs []int) (int, []string, error) {
	if len(xs) == 0 {
		return 0, nil, errors.New("empty")
	}
	sum := 0
	//daskgen:parallel workers=2
	for _, x := range xs {
		sum += cube(x)
	}
	sum *= 2
	var names []string
	//daskgen:parallel
	for i := 0; i < len(xs); i++ {
		name, err := fetch(xs[i])
		if err != nil {
			return sum, nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return sum, names, nil
}

// Labeled has a labeled parallel loop.
func Labeled(xs []int) []int {
	var out []int
	//daskgen:parallel
loop:
	for _, x := range xs {
		if x > 100 {
			break loop
		}
		out = append(out, cube(x))
	}
	return out
}

// Sorted has closures, with returns of their own, around and in the loop.
func Sorted(xs []int) []int {
	less := func(a, b int) bool { return a < b }
	var out []int
	//daskgen:parallel
	for _, x := range xs {
		key := func(v int) int { return -v }
		out = append(out, cube(key(x)))
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}
