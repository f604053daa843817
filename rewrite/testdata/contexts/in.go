// Package contexts covers functions that take a context.Context first:
// delayed methods that take one, a parallel function whose own context is
// the twin's, stores into fields of delayed results, and a file that
// dot-imports a package.
package contexts

import (
	"context"
	"errors"
	"fmt"
	. "strings"
)

type tenantKey struct{}

// Store looks things up for the tenant in the context.
type Store struct{ base int }

// Get is a delayed method that takes a context first.
//
//daskgen:delayed
func (s *Store) Get(ctx context.Context, x int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	tenant, _ := ctx.Value(tenantKey{}).(string)
	if x < 0 {
		return 0, fmt.Errorf("tenant %q: negative key %d", tenant, x)
	}
	return s.base + x + len(tenant), nil
}

// All is parallel and takes its own context: the twin takes no second one,
// and its delayed calls see this context's values.
//
//daskgen:parallel
func (s *Store) All(ctx context.Context, xs []int) ([]int, error) {
	out := make([]int, len(xs))
	for i, x := range xs {
		v, err := s.Get(ctx, x)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// Info is what stat returns.
type Info struct {
	Name string
	Size int
	Meta struct{ Seen int }
}

//daskgen:delayed
func stat(p string) Info { return Info{Size: len(p) * 3} }

// Named sets fields of delayed results, with a name from a dot import.
//
//daskgen:parallel
func Named(ps []string) []Info {
	var out []Info
	for _, p := range ps {
		fi := stat(p)
		fi.Name = ToUpper(p)
		fi.Size += 1
		fi.Meta.Seen++
		out = append(out, fi)
	}
	return out
}

// Touch has no results: its twin returns only an error.
//
//daskgen:parallel
func Touch(ctx context.Context, s *Store, xs []int, sums map[int]int) {
	for _, x := range xs {
		v, err := s.Get(ctx, x)
		if err != nil {
			sums[x] = -1
			continue
		}
		sums[x] = v
	}
}

// ErrStop is returned by Stop.
var ErrStop = errors.New("stop")
