// Package methods covers delayed methods, twins of methods, generic twins
// and variadic parameters.
package methods

import (
	"context"
	"strings"
)

// Store answers lookups slowly.
type Store struct {
	prefix string
}

// Lookup is a delayed method with a pointer receiver.
//
//daskgen:delayed
func (s *Store) Lookup(key string) string { return s.prefix + strings.ToUpper(key) }

// Len is a delayed method with a value receiver.
//
//daskgen:delayed
func (s Store) Len(key string) int { return len(s.prefix) + len(key) }

// All is a twin of a method: FParallel keeps the receiver.
//
//daskgen:parallel
func (s *Store) All(keys ...string) ([]string, int) {
	var out []string
	n := 0
	for _, k := range keys {
		out = append(out, s.Lookup(k))
		n += s.Len(k)
	}
	return out, n
}

//daskgen:delayed
func join(sep string, parts ...string) string { return strings.Join(parts, sep) }

// Joined calls a variadic delayed function with delayed arguments.
//
//daskgen:parallel
func Joined(s *Store, keys []string) []string {
	var out []string
	for _, k := range keys {
		a := s.Lookup(k)
		out = append(out, join("-", a, k, a))
		out = append(out, join("+"))
		out = append(out, join("/", keys...))
	}
	return out
}

//daskgen:delayed
func weight(ctx context.Context, s string) float64 {
	if ctx == nil {
		panic("no context")
	}
	return float64(len(s)) / 3
}

// Number is what Weighted sums.
type Number interface{ ~int | ~float64 }

// Weighted is generic: its twin keeps the type parameter.
//
//daskgen:parallel
func Weighted[N Number](ctx context.Context, xs []string, scale N) []float64 {
	var out []float64
	for _, x := range xs {
		w := weight(ctx, x)
		out = append(out, w*float64(scale))
	}
	return out
}
