package core_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// randomGraph builds, from fuzz data, a graph of n tasks where task i adds
// up to three earlier tasks (or constants), fails when i is marked bad,
// and may sleep briefly. It returns the values asked for.
type randomGraph struct {
	data []byte
	pos  int
}

func (g *randomGraph) next() int {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return int(b)
}

func (g *randomGraph) build(limit int) ([]core.Delayed[int], string) {
	g.pos = 0
	n := g.next()%40 + 1
	var opts []core.FnOption
	if limit > 0 {
		opts = append(opts, core.Limit(limit))
	}
	var tasks []core.Delayed[int]
	desc := ""
	for i := 0; i < n; i++ {
		shape := g.next()
		bad := shape%11 == 3
		nap := time.Duration(shape%4) * 100 * time.Microsecond
		f := core.Func3E(func(a, b, c int) (int, error) {
			time.Sleep(nap)
			if bad {
				return 0, fmt.Errorf("task %d failed", i)
			}
			return (a + b + c + i) % 1000003, nil
		}, opts...)
		args := [3]core.Delayed[int]{}
		for k := range args {
			if len(tasks) > 0 && g.next()%3 != 0 {
				args[k] = tasks[g.next()%len(tasks)]
			} else {
				args[k] = core.Value(g.next())
			}
		}
		tasks = append(tasks, f.Call(args[0], args[1], args[2]))
		desc += fmt.Sprintf("%d:%v ", i, bad)
	}
	// Ask for a few of them, in any order.
	var targets []core.Delayed[int]
	for range g.next()%4 + 1 {
		targets = append(targets, tasks[g.next()%len(tasks)])
	}
	return targets, desc
}

// outcome is what a compute returned, in terms that do not depend on task
// names: the values, or the error the failing task returned.
func outcome(vs []int, err error) string {
	if err != nil {
		var te *core.TaskError
		if errors.As(err, &te) {
			return "error: " + te.Err.Error()
		}
		return "other error: " + err.Error()
	}
	return fmt.Sprint(vs)
}

// FuzzComputeMatchesSynchronous checks the promise the generated twins rest
// on: a parallel compute returns what running the same calls one by one in
// program order returns, the same values or the same first error, whatever
// the graph, the failures, the timing, the worker cap and function limits.
func FuzzComputeMatchesSynchronous(f *testing.F) {
	f.Add([]byte{10, 3, 1, 2, 3, 14, 1, 1, 0, 25, 2, 7, 7, 3, 1, 2})
	f.Add([]byte{39, 3, 3, 3, 3, 14, 14, 14, 14, 25, 36, 47, 58, 69, 3, 3, 3, 3, 3, 3})
	f.Add([]byte{5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{20, 3, 200, 100, 3, 14, 25, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 200 {
			data = data[:200]
		}
		g := &randomGraph{data: data}
		ctx := context.Background()

		ref, desc := g.build(0)
		want := outcome(core.ComputeSlice(ctx, ref, core.Synchronous()))

		for _, run := range []struct {
			name  string
			limit int
			opts  []core.Option
		}{
			{"default", 0, nil},
			{"one worker", 0, []core.Option{core.MaxWorkers(1)}},
			{"three workers", 0, []core.Option{core.MaxWorkers(3)}},
			{"limit 2", 2, nil},
		} {
			ds, _ := g.build(run.limit)
			got := outcome(core.ComputeSlice(ctx, ds, run.opts...))
			if got != want {
				t.Fatalf("%s: got %s, synchronous run %s (tasks %s)", run.name, got, want, desc)
			}
		}
	})
}
