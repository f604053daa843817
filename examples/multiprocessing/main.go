// Command multiprocessing is the "Dask vs multiprocessing" post in Go: twenty
// mocked HTTP calls of 200 ms each, made by a for loop, a map, a pool of 8
// goroutines (the post's multiprocessing.Pool(8)) and the for loop's
// generated twin (fetch.go), with the same
// table of wall times. The post measured 4.1 s, 4.1 s, 1.6 s and 0.6 s.
//
//	go run ./examples/multiprocessing [-calls 20] [-delay 200ms]
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

	"golang.org/x/sync/errgroup"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/timing"
)

type config struct {
	calls int
	delay time.Duration
}

func main() {
	var cfg config
	flag.IntVar(&cfg.calls, "calls", 20, "the `number` of mocked calls")
	flag.DurationVar(&cfg.delay, "delay", 200*time.Millisecond, "how `long` each mocked call takes")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("multiprocessing: ")
	// With DASKGEN_WORKER=1 this process is a worker of a NATS cluster;
	// with DASKGEN_NATS_URL set, its delayed calls run on the workers.
	cfg.apply()
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	delay = cfg.delay
	fcn := fetchResultsMock
	params := make([]time.Time, cfg.calls)
	for i := range params {
		params[i] = time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	type result struct {
		name, how string
		took      time.Duration
		out       []string
	}
	var results []result

	// For loop.
	var forOut []string
	took, _ := timing.Time(func() error {
		forOut = forLoop(params)
		return nil
	})
	results = append(results, result{"For loop", "", took, forOut})

	// Map: Go has none built in; slices and a loop are its equivalent.
	var mapOut []string
	took, _ = timing.Time(func() error {
		mapOut = make([]string, len(params))
		for i, p := range params {
			mapOut[i] = fcn(p)
		}
		return nil
	})
	results = append(results, result{"Map", "", took, mapOut})

	// A pool of 8 workers, as multiprocessing.Pool(8).
	var poolOut []string
	took, err := timing.Time(func() error {
		poolOut = make([]string, len(params))
		var g errgroup.Group
		g.SetLimit(8)
		for i, p := range params {
			g.Go(func() error { poolOut[i] = fcn(p); return nil })
		}
		return g.Wait()
	})
	if err != nil {
		return err
	}
	results = append(results, result{"Goroutine pool (8)", "errgroup, limit 8", took, poolOut})

	// daskgen: the twin of the for loop.
	var daskOut []string
	took, err = timing.Time(func() (err error) {
		daskOut, err = forLoopParallel(ctx, params)
		return err
	})
	if err != nil {
		return err
	}
	results = append(results, result{"daskgen", "forLoopParallel", took, daskOut})

	for _, r := range results {
		if !slices.Equal(r.out, forOut) {
			return fmt.Errorf("%s returned %v, the for loop %v", r.name, r.out, forOut)
		}
		fmt.Fprintf(w, "%s: %.1f\n", r.name, r.took.Seconds())
	}
	fmt.Fprintln(w)
	tab := timing.Table{Example: "multiprocessing"}
	for _, r := range results[2:] {
		tab.Add(fmt.Sprintf("%d mocked calls", cfg.calls), r.how, results[0].took, r.took)
	}
	return tab.Print(w)
}

// apply sets what the delayed functions read from the flags. Workers call it
// too, so start them with the same flags.
func (cfg config) apply() {
	delay = cfg.delay
}
