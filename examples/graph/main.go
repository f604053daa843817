// Command graph is the task-graphs talk in Go: a task graph as plain data run
// with Get, delayed(sum), a map and a reduce over delayed calls. The map and
// the reduce are then timed with functions that sleep, sequentially and with
// the twins that daskgen generates from mapreduce.go. A left fold (Python's
// functools.reduce) is a chain that nothing can run in parallel; a tree
// reduction of the same sum can, waiting once per level.
//
//	go run ./examples/graph [-n 16] [-work 50ms] [-dot graph.dot] [-svg graph.svg]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"time"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/graphfile"
	"github.com/daskgen/daskgen/examples/internal/timing"
	"github.com/daskgen/daskgen/runtime"
)

type config struct {
	n    int           // elements to map and reduce in the timed part
	work time.Duration // how long addTwo and add sleep there
	dot  string        // write the map-reduce graph here as DOT
	svg  string        // and here as SVG
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 16, "the `number` of elements to map and reduce")
	flag.DurationVar(&cfg.work, "work", 50*time.Millisecond, "how `long` each addTwo and add takes")
	flag.StringVar(&cfg.dot, "dot", "", "write the map-reduce graph to `file` in DOT")
	flag.StringVar(&cfg.svg, "svg", "", "draw the map-reduce graph to `file` as SVG (needs graphviz)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("graph: ")
	// With DASKGEN_WORKER=1 this process is a worker of a NATS cluster;
	// with DASKGEN_NATS_URL set, its delayed calls run on the workers.
	cfg.apply()
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	// In [3]: d = {"a": a, "b": (sum, "a")}
	a := []int{0, 1, 2, 3}
	d := runtime.Graph{"a": runtime.Literal(a), "b": runtime.Apply(sum, runtime.Key("a"))}
	va, err := runtime.Get(ctx, d, "a")
	if err != nil {
		return err
	}
	vb, err := runtime.Get(ctx, d, "b")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "get(d, \"a\") = %v\nget(d, \"b\") = %v\n", va, vb)

	// r = dask.delayed(sum)(a): its graph is one task holding a.
	r := sumFast.Call(runtime.Value(a))
	g := r.Graph()
	fmt.Fprintf(w, "delayed(sum)(a) graph: {%q: %s%v}\n", r.Key(), g[r.Key()].FuncName(), g[r.Key()].Args)
	fromGraph, err := runtime.Get(ctx, g, r.Key())
	if err != nil {
		return err
	}
	computed, err := runtime.Compute(ctx, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "get(graph, key) = %v, compute = %v\n", fromGraph, computed)

	// Map and reduce, as in the talk, with functions that do not sleep.
	var b []runtime.Delayed[int]
	for _, x := range a {
		b = append(b, addTwoFast.Call(runtime.Value(x)))
	}
	fmt.Fprintf(w, "map(addTwo, a) = %v\n", b)
	mapped, err := runtime.ComputeSlice(ctx, b)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "compute(*b) = %v\n", mapped)
	reduced, err := runtime.Compute(ctx, foldDelayed(addFast, a))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "reduce(add, a).compute() = %v\n", reduced)

	return timed(ctx, w, cfg)
}

// The talk's functions without the sleep, registered so that NATS workers
// can run them too.
var (
	addTwoFast = runtime.Func1(func(x int) int { return x + 2 }, runtime.Name("addTwo"), runtime.Register("examples/graph.addTwoFast"))
	addFast    = runtime.Func2(func(x, y int) int { return x + y }, runtime.Name("add"), runtime.Register("examples/graph.addFast"))
	sumFast    = runtime.Func1(sum, runtime.Name("sum"), runtime.Register("examples/graph.sumFast"))
)

// foldDelayed is functools.reduce(add, xs) on delayed values, by hand: a
// chain.
func foldDelayed(add runtime.Fn2[int, int, int], xs []int) runtime.Delayed[int] {
	acc := runtime.Value(xs[0])
	for _, x := range xs[1:] {
		acc = add.Call(acc, runtime.Value(x))
	}
	return acc
}

// treeDelayed sums ds pairwise, level by level, by hand.
func treeDelayed(add runtime.Fn2[int, int, int], ds []runtime.Delayed[int]) runtime.Delayed[int] {
	for len(ds) > 1 {
		var next []runtime.Delayed[int]
		for i := 0; i+1 < len(ds); i += 2 {
			next = append(next, add.Call(ds[i], ds[i+1]))
		}
		if len(ds)%2 == 1 {
			next = append(next, ds[len(ds)-1])
		}
		ds = next
	}
	return ds[0]
}

// timed runs the map and the reduces of mapreduce.go with sleeping
// functions: each sequential function against its generated twin.
func timed(ctx context.Context, w io.Writer, cfg config) error {
	work = cfg.work
	xs := make([]int, cfg.n)
	for i := range xs {
		xs[i] = i
	}
	tab := timing.Table{Example: "graph"}

	var seqMapped, parMapped []int
	tSeq, _ := timing.Time(func() error { seqMapped = mapAddTwo(xs); return nil })
	tPar, err := timing.Time(func() (err error) { parMapped, err = mapAddTwoParallel(ctx, xs); return err })
	if err != nil {
		return err
	}
	if !slices.Equal(seqMapped, parMapped) {
		return fmt.Errorf("map: sequential %v, parallel %v", seqMapped, parMapped)
	}
	tab.Add(fmt.Sprintf("map addTwo x%d", cfg.n), "mapAddTwoParallel", tSeq, tPar)

	var seqFold, parFold, seqTree, parTree int
	tSeq, _ = timing.Time(func() error { seqFold = foldLeft(xs); return nil })
	tPar, err = timing.Time(func() (err error) { parFold, err = foldLeftParallel(ctx, xs); return err })
	if err != nil {
		return err
	}
	tab.Add(fmt.Sprintf("reduce add x%d (left fold)", cfg.n), "a chain: no parallelism", tSeq, tPar)
	tSeq, _ = timing.Time(func() error { seqTree = treeSum(xs); return nil })
	tPar, err = timing.Time(func() (err error) { parTree, err = treeSumParallel(ctx, xs); return err })
	if err != nil {
		return err
	}
	if parFold != seqFold || seqTree != seqFold || parTree != seqFold {
		return fmt.Errorf("reduce: fold %d, twin %d; tree %d, twin %d", seqFold, parFold, seqTree, parTree)
	}
	tab.Add(fmt.Sprintf("reduce add x%d (tree)", cfg.n), "treeSumParallel, a wait per level", tSeq, tPar)
	fmt.Fprintf(w, "\nsum of 0..%d = %d\n\n", cfg.n-1, parTree)
	if err := tab.Print(w); err != nil {
		return err
	}

	// The tree's graph, built by hand from the generated wrapper.
	leaves := make([]runtime.Delayed[int], len(xs))
	for i, x := range xs {
		leaves[i] = runtime.Value(x)
	}
	return graphfile.Write(ctx, treeDelayed(addDelayed, leaves).Graph(), cfg.dot, cfg.svg)
}

// apply sets what the delayed functions read from the flags. Workers call it
// too, so start them with the same flags.
func (cfg config) apply() {
	work = cfg.work
}
