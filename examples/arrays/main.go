// Command arrays is "How to parallelize for loops with Dask" in Go: a nested
// loop whose slow call returns three arrays, appended to three accumulators
// (loop.go). The post needed a delayed helper to combine them; the generated
// twin fills the accumulators in the loop's order, and the parallel result is
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
	"os"
	"slices"
	"time"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/timing"
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
	var s1, s2, s3, p1, p2, p3 []float64
	tSeq, _ := timing.Time(func() error {
		s1, s2, s3 = multipleArrays(cfg.a, cfg.b)
		return nil
	})
	tPar, err := timing.Time(func() (err error) {
		p1, p2, p3, err = multipleArraysParallel(ctx, cfg.a, cfg.b)
		return err
	})
	if err != nil {
		return err
	}
	if !slices.Equal(s1, p1) || !slices.Equal(s2, p2) || !slices.Equal(s3, p3) {
		return fmt.Errorf("the parallel arrays differ from the sequential ones")
	}
	fmt.Fprintf(w, "three arrays of %d elements each, identical to the sequential run\n\n", len(p1))
	tab := timing.Table{Example: "arrays"}
	tab.Add(fmt.Sprintf("%dx%d calls, 3 arrays", cfg.a, cfg.b), "multipleArraysParallel", tSeq, tPar)
	return tab.Print(w)
}

// apply sets what the delayed functions read from the flags. Workers call it
// too, so start them with the same flags.
func (cfg config) apply() {
	work = cfg.work
}
