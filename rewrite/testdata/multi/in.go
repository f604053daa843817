// Package multi covers delayed functions with several results.
package multi

import (
	"errors"
	"strconv"
)

//daskgen:delayed
func divmod(a, b int) (int, int) { return a / b, a % b }

//daskgen:delayed
func parse(s string) (int, string, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, "", err
	}
	return n, "#" + s, nil
}

//daskgen:delayed
func validate(n int) (int, error) {
	if n > 100 {
		return 0, errors.New("too big")
	}
	return n, nil
}

// Split uses both results of divmod, and ignores one of them elsewhere.
//
//daskgen:parallel
func Split(xs []int) ([]int, []int, int) {
	var qs, rs []int
	total := 0
	for _, x := range xs {
		q, r := divmod(x, 7)
		qs = append(qs, q)
		rs = append(rs, r)
		_, r2 := divmod(x, 3)
		total += r2
	}
	return qs, rs, total
}

// Parse returns the first parse error, wrapped.
//
//daskgen:parallel
func Parse(ss []string) ([]int, []string, error) {
	var ns []int
	var tags []string
	for _, s := range ss {
		n, tag, err := parse(s)
		if err != nil {
			return nil, nil, errors.Join(errors.New("parse"), err)
		}
		if _, err := validate(n); err != nil {
			return ns, nil, err
		}
		ns = append(ns, n)
		tags = append(tags, tag)
	}
	return ns, tags, nil
}

//daskgen:delayed
func seed() int { return 3 }

//daskgen:delayed
func mix4(a, b, c, d int) int { return a*1000 + b*100 + c*10 + d }

// Arity calls delayed functions of no arguments and of four, whose FuncN
// are runtime/twinimpl's (package runtime has those of one to three).
//
//daskgen:parallel
func Arity(xs []int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		s := seed()
		out[i] = mix4(x, s, i, x%10)
	}
	return out
}
