// Command delayed is Dask's delayed tutorial in Go: inc and add marked
// //daskgen:delayed, a for loop summed, control flow that stays eager
// (is_even chooses double or inc), and an unreliable function rescued by
// retries, all written as plain sequential functions in tutorial.go. go
// generate writes their parallel twins to tutorial_daskgen.go; each part runs
// both and prints both wall times. The graph of the for loop is drawn from
// the generated wrappers, and one is computed as a future.
//
// The tutorial's functions sleep one second; these sleep -work (100 ms by
// default), so the whole program takes a few seconds.
//
//	go run ./examples/delayed [-work 100ms] [-dot graph.dot] [-svg graph.svg]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"time"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/graphfile"
	"github.com/daskgen/daskgen/examples/internal/timing"
	"github.com/daskgen/daskgen/runtime"
)

type config struct {
	work     time.Duration
	dot, svg string
	seed     uint64
}

func main() {
	var cfg config
	flag.DurationVar(&cfg.work, "work", 100*time.Millisecond, "how `long` inc, add and double sleep")
	flag.StringVar(&cfg.dot, "dot", "", "write the graph of the for loop to `file` in DOT")
	flag.StringVar(&cfg.svg, "svg", "", "draw the graph of the for loop to `file` as SVG (needs graphviz)")
	flag.Uint64Var(&cfg.seed, "seed", 5, "the `seed` of unreliable_inc's failures")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("delayed: ")
	// With DASKGEN_WORKER=1 this process is a worker of a NATS cluster;
	// with DASKGEN_NATS_URL set, its delayed calls run on the workers.
	cfg.apply()
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	work = cfg.work
	rng = rand.New(rand.NewPCG(cfg.seed, 0))
	tab := timing.Table{Example: "delayed"}

	// x = inc(1); y = inc(2); z = add(x, y)
	var seqZ, parZ int
	tSeq, _ := timing.Time(func() error { seqZ = incAdd(); return nil })
	tPar, err := timing.Time(func() (err error) { parZ, err = incAddParallel(ctx); return err })
	if err != nil {
		return err
	}
	if seqZ != parZ {
		return fmt.Errorf("inc/add: sequential %d, twin %d", seqZ, parZ)
	}
	fmt.Fprintf(w, "z = add(inc(1), inc(2)) = %d\n", parZ)
	tab.Add("inc, inc, add", "incAddParallel", tSeq, tPar)

	// Parallelize a for loop.
	data := []int{1, 2, 3, 4, 5, 6, 7, 8}
	var seqTotal, parTotal int
	tSeq, _ = timing.Time(func() error { seqTotal = forLoop(data); return nil })
	tPar, err = timing.Time(func() (err error) { parTotal, err = forLoopParallel(ctx, data); return err })
	if err != nil {
		return err
	}
	if seqTotal != parTotal {
		return fmt.Errorf("for loop: sequential %d, twin %d", seqTotal, parTotal)
	}
	fmt.Fprintf(w, "for loop: total = %d\n", parTotal)
	tab.Add(fmt.Sprintf("for loop x%d, sum", len(data)), "forLoopParallel", tSeq, tPar)

	// The same graph built by hand from the generated wrappers, to look at.
	var results []runtime.Delayed[int]
	for _, x := range data {
		results = append(results, incDelayed.Call(runtime.Value(x)))
	}
	total := sumDelayed.Call(runtime.Collect(results))
	fmt.Fprintf(w, "before computing: %v\n", total)
	loopGraph := total.Graph()
	if err := graphfile.Write(ctx, loopGraph, cfg.dot, cfg.svg); err != nil {
		return err
	}

	// Control flow stays eager: is_even decides which function to delay.
	data = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tSeq, _ = timing.Time(func() error { seqTotal = evenOdd(data); return nil })
	tPar, err = timing.Time(func() (err error) { parTotal, err = evenOddParallel(ctx, data); return err })
	if err != nil {
		return err
	}
	if seqTotal != parTotal {
		return fmt.Errorf("control flow: sequential %d, twin %d", seqTotal, parTotal)
	}
	fmt.Fprintf(w, "is_even: total = %d\n", parTotal)
	tab.Add(fmt.Sprintf("is_even ? double : inc x%d", len(data)), "evenOddParallel", tSeq, tPar)

	// A delayed value computed as a future.
	client, err := runtime.NewClient()
	if err != nil {
		return err
	}
	defer client.Close()
	fut := runtime.Submit(ctx, client, incDelayed.Call(runtime.Value(1)))
	v, err := fut.Result(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "future of inc(1): %d\n", v)

	// unreliable_inc fails half the time: the sequential loop stops at the
	// first failure; the twin retries each call up to three times.
	data = []int{1, 2, 3}
	attempts.Store(0)
	_, err = unreliableTotal(data)
	fmt.Fprintf(w, "unreliable loop, sequential: %v after %d attempts\n", orValue(err, "ok"), attempts.Load())
	attempts.Store(0)
	got, err := unreliableTotalParallel(ctx, data)
	if err != nil {
		fmt.Fprintf(w, "unreliable loop, twin with retries=3: %v after %d attempts\n", err, attempts.Load())
	} else {
		fmt.Fprintf(w, "unreliable loop, twin with retries=3: %d after %d attempts\n", got, attempts.Load())
	}
	fmt.Fprintln(w)
	return tab.Print(w)
}

func orValue(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// apply sets what the delayed functions read from the flags. Workers call it
// too, so start them with the same flags.
func (cfg config) apply() {
	work = cfg.work
	rng = rand.New(rand.NewPCG(cfg.seed, 0))
}
