//go:build go1.22

package syncs

import (
	"fmt"
	"strings"
)

// The loops here are pipelined; the plans say which have eager parts that
// commute, so that a producer may run them (Pipeline.Detached).

// Pair is stored field by field.
type Pair struct {
	Name  string
	Score int
}

// Fields stores a field of its own element and defines a variable of its
// own first: the eager parts commute.
//
//daskgen:parallel
func Fields(xs []string) []Pair {
	out := make([]Pair, len(xs))
	for i, x := range xs {
		s := score(x) * 2 // pipelined
		out[i].Name = strings.ToUpper(x)
		out[i].Score = s + len(x)
	}
	return out
}

// Checked stores behind the error idiom, whose return does not read out:
// the eager parts commute.
//
//daskgen:parallel
func Checked(xs []string) ([]int, error) {
	out := make([]int, len(xs))
	for i, x := range xs {
		n, err := weighed(x)
		if err != nil { // pipelined
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = n
	}
	return out, nil
}

//daskgen:delayed
func weighed(x string) (int, error) { // want weighed:"delayed"
	if x == "" {
		return 0, fmt.Errorf("empty")
	}
	return len(x), nil
}

// Scores is what Converted returns.
type Scores []int

// Converted returns its slice as the function's named type, like
// go-version's NewConstraint: the eager parts commute.
//
//daskgen:parallel
func Converted(xs []string) (Scores, error) {
	out := make([]int, len(xs))
	for i, x := range xs {
		n, err := weighed(x)
		if err != nil { // pipelined
			return nil, err
		}
		out[i] = n
	}
	return Scores(out), nil
}

// Partial returns what it stored so far when it fails: a producer running
// later iterations' eager parts would change it, so they do not commute.
//
//daskgen:parallel
func Partial(xs []string) ([]int, error) {
	out := make([]int, len(xs))
	for i, x := range xs {
		n, err := weighed(x)
		if err != nil { // pipelined
			return out, err
		}
		out[i] = n
	}
	return out, nil
}

// Neighbour stores beside its own index: not its own element.
//
//daskgen:parallel
func Neighbour(xs []string) []int {
	out := make([]int, len(xs)+1)
	for i, x := range xs {
		out[i+1] = score(x) // pipelined
	}
	return out
}

// Running reads the slice it stores into: the eager parts depend on each
// other's order.
//
//daskgen:parallel
func Running(xs []string) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = score(x) // pipelined
		if i > 0 {
			out[i] += out[i-1]
		}
	}
	return out
}

// Printed prints in its eager part: the order of the output matters.
//
//daskgen:parallel
func Printed(xs []string) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = score(x) // pipelined
		fmt.Println(i)
	}
	return out
}

// Given stores into a slice it was given, which the caller may read
// through another: not the function's own memory.
//
//daskgen:parallel
func Given(dst []int, xs []string) { // want Given:"writes params 0"
	for i, x := range xs {
		dst[i] = score(x) // pipelined
	}
}

// Branched stores one thing or another at its own index, by a test of the
// iteration's values: the eager parts commute.
//
//daskgen:parallel
func Branched(xs []string) ([]int, []bool) {
	out := make([]int, len(xs))
	bad := make([]bool, len(xs))
	for i, x := range xs {
		n, err := weighedErr(x)
		if err != nil { // pipelined
			bad[i] = true
		} else if n > 3 {
			out[i] = n
		} else {
			out[i] = -n
		}
	}
	return out, bad
}

//daskgen:delayed
func weighedErr(x string) (int, error) { // want weighedErr:"delayed"
	return weighed(x)
}

// Skipping leaves the iteration with continue before its store, which ends
// only its own eager part: the eager parts commute.
//
//daskgen:parallel
func Skipping(xs []string) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		n := score(x)
		if n == 0 { // pipelined
			continue
		}
		out[i] = n
	}
	return out
}

type kv struct{ Key, Value string }

//daskgen:delayed
func parseKV(l string) (kv, error) { // want parseKV:"delayed"
	k, v, ok := strings.Cut(l, "=")
	if !ok {
		return kv{}, fmt.Errorf("no = in %q", l)
	}
	return kv{k, v}, nil
}

// Graded tests a call's error as a value and stores by its result's
// fields, in an else-if with a statement of its own: the eager parts
// commute.
//
//daskgen:parallel
func Graded(lines []string) ([]int, []bool) {
	scores := make([]int, len(lines))
	broken := make([]bool, len(lines))
	for i, l := range lines {
		r, err := parseKV(l)
		if err != nil { // pipelined
			broken[i] = true
		} else if n := len(r.Value); n > 2 {
			scores[i] = n*10 + len(r.Key)
		} else {
			scores[i] = -n
		}
	}
	return scores, broken
}

// Stopping leaves the loop with break: later iterations must not store.
//
//daskgen:parallel
func Stopping(xs []string) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		n := score(x)
		if n == 0 { // pipelined
			break
		}
		out[i] = n
	}
	return out
}
