package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/daskgen/daskgen/runtime"
)

func inc(x int) int {
	time.Sleep(10 * time.Millisecond)
	return x + 1
}

func add(x, y int) int {
	time.Sleep(10 * time.Millisecond)
	return x + y
}

// Delayed functions are declared once; calls build a graph, Compute runs it.
// The two incs run at the same time.
func ExampleCompute() {
	incD := runtime.Func1(inc)
	addD := runtime.Func2(add)

	x := incD.Call(runtime.Value(1))
	y := incD.Call(runtime.Value(2))
	z := addD.Call(x, y)

	v, err := runtime.Compute(context.Background(), z)
	fmt.Println(v, err)
	// Output: 5 <nil>
}

// The for-loop of the delayed tutorial: each inc is a task, sum reads them
// all.
func ExampleCollect() {
	incD := runtime.Func1(inc)
	sumD := runtime.Func1(func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}, runtime.Name("sum"))

	var results []runtime.Delayed[int]
	for _, x := range []int{1, 2, 3, 4, 5, 6, 7, 8} {
		results = append(results, incD.Call(runtime.Value(x)))
	}
	total := sumD.Call(runtime.Collect(results))
	v, _ := runtime.Compute(context.Background(), total)
	fmt.Println(v)
	// Output: 44
}

// Control flow stays eager: is_even decides, while the graph is built, which
// function each element goes to.
func ExampleFunc1() {
	double := runtime.Func1(func(x int) int { return 2 * x })
	incD := runtime.Func1(inc)
	var results []runtime.Delayed[int]
	for x := 1; x <= 10; x++ {
		if x%2 == 0 {
			results = append(results, double.Call(runtime.Value(x)))
		} else {
			results = append(results, incD.Call(runtime.Value(x)))
		}
	}
	vs, _ := runtime.ComputeSlice(context.Background(), results)
	fmt.Println(vs)
	// Output: [2 4 4 8 6 12 8 16 10 20]
}

// An unreliable function succeeds with retries.
func ExampleRetries() {
	var calls atomic.Int32
	unreliableInc := runtime.Func1E(func(x int) (int, error) {
		if calls.Add(1) < 3 {
			return 0, errors.New("I died")
		}
		return x + 1, nil
	}, runtime.Retries(3), runtime.Backoff(time.Millisecond))
	v, err := runtime.Compute(context.Background(), unreliableInc.Call(runtime.Value(1)))
	fmt.Println(v, err, calls.Load())
	// Output: 2 <nil> 3
}

// Identical calls of a pure function share one task.
func ExamplePure() {
	square := runtime.Func1(func(x int) int { return x * x }, runtime.Pure(), runtime.Name("square"))
	a := square.Call(runtime.Value(3))
	b := square.Call(runtime.Value(3))
	fmt.Println(a.Key() == b.Key())
	// Output: true
}

// At most two calls of a rate-limited function run at once.
func ExampleLimit() {
	var now, peak atomic.Int32
	api := runtime.Func1(func(x int) int {
		n := now.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		now.Add(-1)
		return x
	}, runtime.Limit(2))
	var ds []runtime.Delayed[int]
	for i := range 10 {
		ds = append(ds, api.Call(runtime.Value(i)))
	}
	_, _ = runtime.ComputeSlice(context.Background(), ds)
	fmt.Println(peak.Load())
	// Output: 2
}

// A compute fails with the error the sequential loop would have met first,
// even though the later failure happens sooner.
func ExampleTaskError() {
	check := runtime.Func1E(func(x int) (int, error) {
		time.Sleep(time.Duration(10-x) * 5 * time.Millisecond)
		if x == 3 || x == 7 {
			return 0, fmt.Errorf("bad input %d", x)
		}
		return x, nil
	})
	var ds []runtime.Delayed[int]
	for x := range 10 {
		ds = append(ds, check.Call(runtime.Value(x)))
	}
	_, err := runtime.ComputeSlice(context.Background(), ds)
	var te *runtime.TaskError
	fmt.Println(errors.As(err, &te), te.Err)
	// Output: true bad input 3
}

// A panic in a task is raised again in the caller, naming the task.
func ExamplePanicError() {
	boom := runtime.Func1(func(x int) int { panic("boom") }, runtime.Name("explode"))
	defer func() {
		pe := recover().(*runtime.PanicError)
		fmt.Println(pe.Value, strings.HasPrefix(pe.Task, "explode-"))
	}()
	_, _ = runtime.Compute(context.Background(), boom.Call(runtime.Value(1)))
	// Output: boom true
}

// Synchronous runs tasks one by one in the caller's goroutine, in program
// order.
func ExampleSynchronous() {
	show := runtime.Func1(func(s string) string { fmt.Println("running", s); return s })
	a := show.Call(runtime.Value("a"))
	b := show.Call(runtime.Value("b"))
	both := runtime.Func2(func(x, y string) string { return x + y }).Call(a, b)
	v, _ := runtime.Compute(context.Background(), both, runtime.Synchronous())
	fmt.Println(v)
	// Output:
	// running a
	// running b
	// ab
}

// ComputeAll computes values of different types at once.
func ExampleComputeAll() {
	count := runtime.Func2(strings.Count).Call(runtime.Value("cheese"), runtime.Value("e"))
	upper := runtime.Func1(strings.ToUpper).Call(runtime.Value("dask"))
	_ = runtime.ComputeAll(context.Background(), []runtime.Node{count, upper})
	c, _ := count.Result()
	u, _ := upper.Result()
	fmt.Println(c, u)
	// Output: 3 DASK
}

// The graph of the task-graphs talk, as plain data.
func ExampleGet() {
	sum := func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}
	d := runtime.Graph{
		"a": runtime.Literal([]int{0, 1, 2, 3}),
		"b": runtime.Apply(sum, runtime.Key("a")),
	}
	a, _ := runtime.Get(context.Background(), d, "a")
	b, _ := runtime.Get(context.Background(), d, "b")
	fmt.Println(a, b)
	// Output: [0 1 2 3] 6
}

// A cycle is reported with the keys on it, before anything runs.
func ExampleCycleError() {
	id := func(x int) int { return x }
	g := runtime.Graph{"a": runtime.Apply(id, runtime.Key("b")), "b": runtime.Apply(id, runtime.Key("a"))}
	_, err := runtime.Get(context.Background(), g, "a")
	fmt.Println(err)
	// Output: graph has a cycle: a -> b -> a
}

// A Delayed value shows its graph, which WriteDOT draws.
func ExampleWriteDOT() {
	x := runtime.Func1(inc, runtime.Name("inc")).Call(runtime.Value(1))
	z := runtime.Func2(add, runtime.Name("add")).Call(x, runtime.Value(10))
	var b strings.Builder
	_ = runtime.WriteDOT(&b, z.Graph())
	// Task names end in a unique suffix; show the shape of the graph.
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "->") {
			fmt.Println(strings.Count(line, "inc-"), strings.Count(line, "add-"))
		}
	}
	// Output: 1 1
}

// WriteSVG needs Graphviz's dot command.
func ExampleWriteSVG() {
	z := runtime.Func2(add).Call(runtime.Value(1), runtime.Value(2))
	if err := runtime.WriteSVG(context.Background(), os.Stdout, z.Graph()); err != nil {
		fmt.Println(err)
	}
}

// Futures run eagerly in the background; a future passed to a later call
// becomes its input without waiting.
func ExampleSubmit() {
	ctx := context.Background()
	client, _ := runtime.NewClient()
	defer client.Close()
	double := runtime.Func1(func(x int) int { return 2 * x })

	var futures []*runtime.Future[int]
	for _, x := range []int{1, 2, 3, 4, 5} {
		y := runtime.Submit(ctx, client, runtime.Func1(inc).Call(runtime.Value(x)))
		futures = append(futures, runtime.Submit(ctx, client, double.Call(y.Delayed())))
	}
	results, err := runtime.Gather(ctx, futures)
	fmt.Println(results, err)
	// Output: [4 6 8 10 12] <nil>
}

// Map submits one call per element.
func ExampleMap() {
	ctx := context.Background()
	client, _ := runtime.NewClient()
	defer client.Close()
	futures := runtime.Map(ctx, client, runtime.Func1(inc), []int{10, 20, 30})
	results, _ := runtime.Gather(ctx, futures)
	fmt.Println(results)
	// Output: [11 21 31]
}

// A crawler: each finished page adds the pages it links to, while the loop
// runs.
func ExampleAsCompleted() {
	ctx := context.Background()
	client, _ := runtime.NewClient()
	defer client.Close()
	site := map[string][]string{
		"/":  {"/a", "/b"},
		"/a": {"/b", "/c"},
		"/b": {"/"},
		"/c": {},
	}
	links := runtime.Func1(func(page string) []string { return site[page] })

	seen := map[string]bool{"/": true}
	ac := runtime.NewAsCompleted(runtime.Submit(ctx, client, links.Call(runtime.Value("/"))))
	for f := range ac.All(ctx) {
		found, _ := f.Result(ctx)
		for _, page := range found {
			if !seen[page] {
				seen[page] = true
				ac.Add(runtime.Submit(ctx, client, links.Call(runtime.Value(page))))
			}
		}
	}
	pages := make([]string, 0, len(seen))
	for p := range seen {
		pages = append(pages, p)
	}
	slices.Sort(pages)
	fmt.Println(pages)
	// Output: [/ /a /b /c]
}

// A dashboard shows the tasks of the process while it runs; open its URL
// in a browser. DASKGEN_DASHBOARD=127.0.0.1:8787 starts one without code.
func ExampleStartDashboard() {
	d, err := runtime.StartDashboard("127.0.0.1:0") // port 0: any free port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	fmt.Println(strings.HasPrefix(d.URL(), "http://127.0.0.1:"))

	double := runtime.Func1(func(x int) int { return 2 * x })
	v, err := runtime.Compute(context.Background(), double.Call(runtime.Value(21)))
	fmt.Println(v, err)
	// Output:
	// true
	// 42 <nil>
}

// A run report is one HTML file with the dashboard's views for a whole
// run, brought up to date whenever a compute or a twin returns.
// DASKGEN_REPORT=run.html does the same without code.
func ExampleReportTo() {
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.html")
	if err := runtime.ReportTo(path); err != nil {
		fmt.Println(err)
		return
	}
	square := runtime.Func1(func(x int) int { return x * x }, runtime.Name("square"))
	var ds []runtime.Delayed[int]
	for i := range 4 {
		ds = append(ds, square.Call(runtime.Value(i)))
	}
	vs, err := runtime.ComputeSlice(context.Background(), ds)
	fmt.Println(vs, err)

	page, err := os.ReadFile(path)
	fmt.Println(err, bytes.HasPrefix(page, []byte("<!DOCTYPE html>")), bytes.Contains(page, []byte(`"square"`)))
	// Output:
	// [0 1 4 9] <nil>
	// <nil> true true
}

// Must reads a value that is known: a plain value, or a computed task.
func ExampleDelayed_Must() {
	fmt.Println(runtime.Value("plain").Must())
	// Output: plain
}
