// Command delayed is Dask's delayed tutorial in Go: inc and add made delayed,
// a for loop summed, control flow that stays eager (is_even chooses double or
// inc), the graph drawn, a future made from a delayed value, and an
// unreliable function rescued by retries. Each part runs sequentially and
// with daskgen's runtime and prints both wall times.
//
// The tutorial's functions sleep one second; these sleep -work (100 ms by
// default), so the whole program takes a few seconds.
//
//	go run ./examples/delayed [-work 100ms] [-dot graph.dot] [-svg graph.svg]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"sync"
	"time"

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
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal(err)
	}
}

// funcs are the tutorial's toy functions, sleeping cfg.work to simulate work.
type funcs struct {
	inc, double func(int) int
	add         func(int, int) int
}

func newFuncs(work time.Duration) funcs {
	return funcs{
		inc:    func(x int) int { time.Sleep(work); return x + 1 },
		double: func(x int) int { time.Sleep(work); return 2 * x },
		add:    func(x, y int) int { time.Sleep(work); return x + y },
	}
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func isEven(x int) bool { return x%2 == 0 }

func run(ctx context.Context, w io.Writer, cfg config) error {
	f := newFuncs(cfg.work)
	inc := runtime.Func1(f.inc, runtime.Name("inc"))
	add := runtime.Func2(f.add, runtime.Name("add"))
	double := runtime.Func1(f.double, runtime.Name("double"))
	sumD := runtime.Func1(sum, runtime.Name("sum"))
	tab := timing.Table{Example: "delayed"}

	// x = inc(1); y = inc(2); z = add(x, y)
	var seqZ, parZ int
	tSeq, _ := timing.Time(func() error { seqZ = f.add(f.inc(1), f.inc(2)); return nil })
	tPar, err := timing.Time(func() error {
		x := inc.Call(runtime.Value(1))
		y := inc.Call(runtime.Value(2))
		z := add.Call(x, y)
		var err error
		parZ, err = runtime.Compute(ctx, z)
		return err
	})
	if err != nil {
		return err
	}
	if seqZ != parZ {
		return fmt.Errorf("inc/add: sequential %d, delayed %d", seqZ, parZ)
	}
	fmt.Fprintf(w, "z = add(inc(1), inc(2)) = %d\n", parZ)
	tab.Add("inc, inc, add", "Compute", tSeq, tPar)

	// Parallelize a for loop.
	data := []int{1, 2, 3, 4, 5, 6, 7, 8}
	var seqTotal, parTotal int
	tSeq, _ = timing.Time(func() error {
		var results []int
		for _, x := range data {
			results = append(results, f.inc(x))
		}
		seqTotal = sum(results)
		return nil
	})
	var loopGraph runtime.Graph
	tPar, err = timing.Time(func() error {
		var results []runtime.Delayed[int]
		for _, x := range data {
			results = append(results, inc.Call(runtime.Value(x)))
		}
		total := sumD.Call(runtime.Collect(results))
		fmt.Fprintf(w, "before computing: %v\n", total)
		loopGraph = total.Graph()
		var err error
		parTotal, err = runtime.Compute(ctx, total)
		return err
	})
	if err != nil {
		return err
	}
	if seqTotal != parTotal {
		return fmt.Errorf("for loop: sequential %d, delayed %d", seqTotal, parTotal)
	}
	fmt.Fprintf(w, "after computing: %d\n", parTotal)
	tab.Add(fmt.Sprintf("for loop x%d, sum", len(data)), "Compute", tSeq, tPar)
	if err := graphfile.Write(ctx, loopGraph, cfg.dot, cfg.svg); err != nil {
		return err
	}

	// Control flow stays eager: is_even decides which function to delay.
	data = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tSeq, _ = timing.Time(func() error {
		var results []int
		for _, x := range data {
			if isEven(x) {
				results = append(results, f.double(x))
			} else {
				results = append(results, f.inc(x))
			}
		}
		seqTotal = sum(results)
		return nil
	})
	tPar, err = timing.Time(func() error {
		var results []runtime.Delayed[int]
		for _, x := range data {
			if isEven(x) {
				results = append(results, double.Call(runtime.Value(x)))
			} else {
				results = append(results, inc.Call(runtime.Value(x)))
			}
		}
		var err error
		parTotal, err = runtime.Compute(ctx, sumD.Call(runtime.Collect(results)))
		return err
	})
	if err != nil {
		return err
	}
	if seqTotal != parTotal {
		return fmt.Errorf("control flow: sequential %d, delayed %d", seqTotal, parTotal)
	}
	fmt.Fprintf(w, "is_even: total = %d\n", parTotal)
	tab.Add(fmt.Sprintf("is_even ? double : inc x%d", len(data)), "Compute", tSeq, tPar)

	// A delayed value computed as a future.
	client, err := runtime.NewClient()
	if err != nil {
		return err
	}
	defer client.Close()
	fut := runtime.Submit(ctx, client, inc.Call(runtime.Value(1)))
	v, err := fut.Result(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "future of inc(1): %d\n", v)

	// unreliable_inc fails half the time; retries=3 gives it a better chance.
	unreliable(ctx, w, cfg)
	fmt.Fprintln(w)
	return tab.Print(w)
}

// unreliable runs unreliable_inc once without retries and once with three.
func unreliable(ctx context.Context, w io.Writer, cfg config) {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(cfg.seed, 0))
	attempts := 0
	unreliableInc := func(x int) (int, error) {
		time.Sleep(cfg.work)
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if rng.Float64() < 0.5 {
			return 0, errors.New("I died")
		}
		return x + 1, nil
	}
	once := runtime.Func1E(unreliableInc, runtime.Name("unreliable_inc"))
	_, err := runtime.Compute(ctx, once.Call(runtime.Value(1)))
	fmt.Fprintf(w, "unreliable_inc(1) without retries: %v\n", orValue(err, "ok"))

	attempts = 0
	retried := runtime.Func1E(unreliableInc, runtime.Name("unreliable_inc"), runtime.Retries(3), runtime.Backoff(0))
	v, err := runtime.Compute(ctx, retried.Call(runtime.Value(1)))
	if err != nil {
		fmt.Fprintf(w, "unreliable_inc(1) with retries=3: %v after %d attempts\n", err, attempts)
		return
	}
	fmt.Fprintf(w, "unreliable_inc(1) with retries=3: %d after %d attempts\n", v, attempts)
}

func orValue(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}
