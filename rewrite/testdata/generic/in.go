// Package generic covers generic delayed functions: each instantiation
// that a twin calls gets a wrapper of its own.
package generic

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
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

// keyed is what byKey's items are looked up by.
type keyed interface{ Key() string }

type user struct{ ID int }

func (u user) Key() string { return "u" + strconv.Itoa(u.ID) }

type team struct{ Name string }

func (t team) Key() string { return "t-" + t.Name }

//daskgen:delayed
func lookup(key string) (int, error) {
	if key == "t-" {
		return 0, errors.New("a team without a name")
	}
	return len(key)*7 + int(key[len(key)-1]), nil
}

// byKey calls a method of its type parameter to make a delayed call's
// argument. It is unexported, and the package instantiates it (and its
// twin) with user and team only, whose Key methods only compute: the issue
// part calls Key ahead.
//
//daskgen:parallel
func byKey[V keyed](vs []V) ([]int, error) {
	out := make([]int, len(vs))
	for i, v := range vs {
		n, err := lookup(v.Key())
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Users and Teams instantiate byKey.
func Users(us []user) ([]int, error) { return byKey(us) }

// Teams instantiates byKey with team.
func Teams(ts []team) ([]int, error) { return byKey(ts) }

// code and label are the whole type set of coded.
type code int

func (c code) Key() string { return "c" + strconv.Itoa(int(c)) }

type label string

func (l label) Key() string { return "l-" + string(l) }

// coded's type set is closed: code and label, and no other type.
type coded interface {
	code | label
	Key() string
}

// ByCode is exported, so other packages instantiate it, but only with
// code or label: their Key methods are the only ones it can call.
//
//daskgen:parallel
func ByCode[C coded](cs []C) ([]int, error) {
	out := make([]int, len(cs))
	for i, c := range cs {
		n, err := lookup(c.Key())
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
