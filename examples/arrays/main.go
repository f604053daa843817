// Command arrays is "How to parallelize for loops with Dask" in Go: a nested
// loop whose slow call returns three arrays, appended to three accumulators.
// The post needed a delayed helper to combine them; here the accumulators are
// filled in the loop's order after the compute, and the parallel result is
// checked against the sequential one, element by element.
//
//	go run ./examples/arrays [-a 4] [-b 6] [-work 10ms]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/daskgen/daskgen/examples/internal/timing"
	"github.com/daskgen/daskgen/runtime"
)

type config struct {
	a, b int           // the loop's bounds (the post draws them at random below 100)
	work time.Duration // the most doSomething sleeps per element (the post: up to 3 s)
}

func main() {
	var cfg config
	flag.IntVar(&cfg.a, "a", 4, "the outer loop's `count`")
	flag.IntVar(&cfg.b, "b", 6, "the inner loop's `count`")
	flag.DurationVar(&cfg.work, "work", 10*time.Millisecond, "the most `time` each element takes")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("arrays: ")
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal(err)
	}
}

// arrays are the three arrays one call produces.
type arrays struct {
	Array1, Array2, Array3 []float64
}

// doSomething stands for the slow work inside the loop: for each of x
// elements it sleeps and draws three numbers. The numbers come from a
// generator seeded by x, so a parallel run draws the same ones.
func doSomething(work time.Duration) func(x int) arrays {
	return func(x int) arrays {
		rng := rand.New(rand.NewPCG(uint64(x), 42))
		var out arrays
		for range x {
			time.Sleep(time.Duration(rng.IntN(4)) * work / 3)
			out.Array1 = append(out.Array1, rng.Float64())
			out.Array2 = append(out.Array2, rng.Float64())
			out.Array3 = append(out.Array3, rng.Float64())
		}
		return out
	}
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	slow := doSomething(cfg.work)

	var seq arrays
	tSeq, _ := timing.Time(func() error {
		for range cfg.a {
			for b := range cfg.b {
				out := slow(b)
				seq.Array1 = append(seq.Array1, out.Array1...)
				seq.Array2 = append(seq.Array2, out.Array2...)
				seq.Array3 = append(seq.Array3, out.Array3...)
			}
		}
		return nil
	})

	doSomethingD := runtime.Func1(slow, runtime.Name("do_something"))
	var par arrays
	tPar, err := timing.Time(func() error {
		var lazy []runtime.Delayed[arrays]
		for range cfg.a {
			for b := range cfg.b {
				lazy = append(lazy, doSomethingD.Call(runtime.Value(b)))
			}
		}
		outs, err := runtime.ComputeSlice(ctx, lazy)
		if err != nil {
			return err
		}
		// Combine in the loop's order: the same arrays as the sequential run.
		for _, out := range outs {
			par.Array1 = append(par.Array1, out.Array1...)
			par.Array2 = append(par.Array2, out.Array2...)
			par.Array3 = append(par.Array3, out.Array3...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !slices.Equal(seq.Array1, par.Array1) || !slices.Equal(seq.Array2, par.Array2) || !slices.Equal(seq.Array3, par.Array3) {
		return fmt.Errorf("the parallel arrays differ from the sequential ones")
	}
	fmt.Fprintf(w, "three arrays of %d elements each, identical to the sequential run\n\n", len(par.Array1))
	tab := timing.Table{Example: "arrays"}
	tab.Add(fmt.Sprintf("%dx%d calls, 3 arrays", cfg.a, cfg.b), "ComputeSlice", tSeq, tPar)
	return tab.Print(w)
}
