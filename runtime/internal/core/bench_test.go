package core_test

import (
	"context"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// The benchmarks run the same work four ways in one run: a plain sequential
// loop, errgroup, sourcegraph/conc and daskgen, and report ns/task. The
// "daskgen" times include building the graph, like the errgroup and conc times
// include starting their goroutines; "daskgen-prebuilt" times Compute alone,
// the scheduler's own cost. See docs/performance.md.

const (
	fanTasks   = 100_000
	chainTasks = 10_000
	treeLeaves = 65_536
)

//go:noinline
func noop(x int) int { return x + 1 }

//go:noinline
func add2(x, y int) int { return x + y }

var (
	noopFn = core.Func1(noop)
	addN   = core.Func2(add2)
	sumN   = core.Func1(func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
)

func perTask(b *testing.B, tasks int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasks), "ns/task")
}

// goBaselines runs work, which starts one goroutine per task with spawn and
// waits with wait, on errgroup and on sourcegraph/conc.
func goBaselines(b *testing.B, tasks int, work func(spawn func(func()), wait func()) int, check func(*testing.B, int)) {
	b.Run("errgroup", func(b *testing.B) {
		for b.Loop() {
			var g errgroup.Group
			check(b, work(func(f func()) { g.Go(func() error { f(); return nil }) }, func() { _ = g.Wait() }))
		}
		perTask(b, tasks)
	})
	b.Run("conc", func(b *testing.B) {
		for b.Loop() {
			p := pool.New()
			check(b, work(p.Go, p.Wait))
		}
		perTask(b, tasks)
	})
}

// computePrebuilt times Compute alone: the graph is built with the timer
// stopped, so ns/task is the scheduler's cost per task.
func computePrebuilt(b *testing.B, tasks int, build func() core.Delayed[int], check func(*testing.B, int)) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := build()
		b.StartTimer()
		v, err := core.Compute(context.Background(), d)
		if err != nil {
			b.Fatal(err)
		}
		check(b, v)
	}
	perTask(b, tasks)
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func BenchmarkFanOut(b *testing.B) {
	want := fanTasks*(fanTasks-1)/2 + fanTasks
	check := func(b *testing.B, got int) {
		if got != want {
			b.Fatalf("got %d, want %d", got, want)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			out := make([]int, fanTasks)
			for i := range out {
				out[i] = noop(i)
			}
			check(b, sum(out))
		}
		perTask(b, fanTasks)
	})
	b.Run("errgroup", func(b *testing.B) {
		for b.Loop() {
			out := make([]int, fanTasks)
			var g errgroup.Group
			for i := range out {
				g.Go(func() error { out[i] = noop(i); return nil })
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			check(b, sum(out))
		}
		perTask(b, fanTasks)
	})
	b.Run("conc", func(b *testing.B) {
		for b.Loop() {
			out := make([]int, fanTasks)
			p := pool.New()
			for i := range out {
				p.Go(func() { out[i] = noop(i) })
			}
			p.Wait()
			check(b, sum(out))
		}
		perTask(b, fanTasks)
	})
	build := func(ds []core.Delayed[int]) core.Delayed[int] {
		for i := range ds {
			ds[i] = noopFn.Call(core.Value(i))
		}
		return sumN.Call(core.Collect(ds))
	}
	b.Run("daskgen", func(b *testing.B) {
		ds := make([]core.Delayed[int], fanTasks)
		for b.Loop() {
			v, err := core.Compute(context.Background(), build(ds))
			if err != nil {
				b.Fatal(err)
			}
			check(b, v)
		}
		perTask(b, fanTasks)
	})
	b.Run("daskgen-prebuilt", func(b *testing.B) {
		ds := make([]core.Delayed[int], fanTasks)
		computePrebuilt(b, fanTasks, func() core.Delayed[int] { return build(ds) }, check)
	})
}

func BenchmarkChain(b *testing.B) {
	check := func(b *testing.B, got int) {
		if got != chainTasks {
			b.Fatalf("got %d, want %d", got, chainTasks)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			x := 0
			for range chainTasks {
				x = noop(x)
			}
			check(b, x)
		}
		perTask(b, chainTasks)
	})
	// errgroup and conc: each task waits for the one before it on a channel.
	goChain := func(spawn func(func()), wait func()) int {
		vals := make([]int, chainTasks+1)
		done := make([]chan struct{}, chainTasks+1)
		for i := range done {
			done[i] = make(chan struct{})
		}
		close(done[0])
		for i := 1; i <= chainTasks; i++ {
			spawn(func() {
				<-done[i-1]
				vals[i] = noop(vals[i-1])
				close(done[i])
			})
		}
		wait()
		return vals[chainTasks]
	}
	goBaselines(b, chainTasks, goChain, check)
	build := func() core.Delayed[int] {
		d := core.Value(0)
		for range chainTasks {
			d = noopFn.Call(d)
		}
		return d
	}
	b.Run("daskgen", func(b *testing.B) {
		for b.Loop() {
			v, err := core.Compute(context.Background(), build())
			if err != nil {
				b.Fatal(err)
			}
			check(b, v)
		}
		perTask(b, chainTasks)
	})
	b.Run("daskgen-prebuilt", func(b *testing.B) {
		computePrebuilt(b, chainTasks, build, check)
	})
}

func BenchmarkTree(b *testing.B) {
	const tasks = 2*treeLeaves - 1
	want := treeLeaves * (treeLeaves - 1) / 2
	check := func(b *testing.B, got int) {
		if got != want {
			b.Fatalf("got %d, want %d", got, want)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			level := make([]int, treeLeaves)
			for i := range level {
				level[i] = i
			}
			for len(level) > 1 {
				next := level[:len(level)/2]
				for i := range next {
					next[i] = add2(level[2*i], level[2*i+1])
				}
				level = next
			}
			check(b, level[0])
		}
		perTask(b, tasks)
	})
	// errgroup and conc: one goroutine per node, waiting for its children.
	goTree := func(spawn func(func()), wait func()) int {
		vals := make([]int, tasks)
		done := make([]chan struct{}, tasks)
		for i := range done {
			done[i] = make(chan struct{})
		}
		// Nodes are numbered as a heap: children of i are 2i+1 and 2i+2;
		// leaves are the last treeLeaves numbers.
		for i := tasks - 1; i >= 0; i-- {
			spawn(func() {
				if i >= treeLeaves-1 {
					vals[i] = i - (treeLeaves - 1)
				} else {
					<-done[2*i+1]
					<-done[2*i+2]
					vals[i] = add2(vals[2*i+1], vals[2*i+2])
				}
				close(done[i])
			})
		}
		wait()
		return vals[0]
	}
	goBaselines(b, tasks, goTree, check)
	level := make([]core.Delayed[int], treeLeaves)
	build := func() core.Delayed[int] {
		for i := range level {
			level[i] = core.Value(i)
		}
		cur := level
		for len(cur) > 1 {
			next := cur[:len(cur)/2]
			for i := range next {
				next[i] = addN.Call(cur[2*i], cur[2*i+1])
			}
			cur = next
		}
		return cur[0]
	}
	b.Run("daskgen", func(b *testing.B) {
		for b.Loop() {
			v, err := core.Compute(context.Background(), build())
			if err != nil {
				b.Fatal(err)
			}
			check(b, v)
		}
		perTask(b, tasks-treeLeaves) // the leaves are plain values, not tasks
	})
	b.Run("daskgen-prebuilt", func(b *testing.B) {
		computePrebuilt(b, tasks-treeLeaves, build, check)
	})
}

// BenchmarkBuild measures graph construction alone: B/op and allocs/op are
// per node.
func BenchmarkBuild(b *testing.B) {
	b.Run("call1", func(b *testing.B) {
		b.ReportAllocs()
		d := core.Value(0)
		for b.Loop() {
			d = noopFn.Call(core.Value(1))
		}
		_ = d
	})
	b.Run("call2", func(b *testing.B) {
		b.ReportAllocs()
		x := noopFn.Call(core.Value(1))
		var d core.Delayed[int]
		for b.Loop() {
			d = addN.Call(x, core.Value(2))
		}
		_ = d
	})
	b.Run("chain", func(b *testing.B) {
		b.ReportAllocs()
		d := core.Value(0)
		i := 0
		for b.Loop() {
			if i++; i%chainTasks == 0 {
				d = core.Value(0) // keep the chain the size of BenchmarkChain's
			}
			d = noopFn.Call(d)
		}
		_ = d
	})
}

// BenchmarkObserved is the cost of recording for the dashboard and the
// report: the fan-out of BenchmarkFanOut with the recorder off and on, in
// the same run.
func BenchmarkObserved(b *testing.B) {
	want := fanTasks*(fanTasks-1)/2 + fanTasks
	build := func(ds []core.Delayed[int]) core.Delayed[int] {
		for i := range ds {
			ds[i] = noopFn.Call(core.Value(i))
		}
		return sumN.Call(core.Collect(ds))
	}
	fanOut := func(b *testing.B) {
		ds := make([]core.Delayed[int], fanTasks)
		for b.Loop() {
			v, err := core.Compute(context.Background(), build(ds))
			if err != nil || v != want {
				b.Fatalf("got %d, %v", v, err)
			}
		}
		perTask(b, fanTasks)
	}
	d, err := core.StartDashboard("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	b.Run("off", func(b *testing.B) {
		resume := core.PauseRecording()
		defer resume()
		fanOut(b)
	})
	b.Run("on", fanOut)
}

// BenchmarkPipelineSerial measures what PipelineIndex costs per iteration
// beyond the loop's own work, on one core (GOMAXPROCS 1 whatever -cpu says),
// with a body that costs nothing: the issue part, the blocks' claim and
// hand-over, and the eager part. It is a bound on the speed-up of any twin
// over the loop: a body of cost C runs at most C / serial-ns/iter times
// faster on any number of cores (docs/performance.md, issue 24).
//
//   - eager: every iteration reaches the caller's range (a fold: total +=
//     f(x)); what the range does runs one iteration after the other, so
//     this is the serial cost of loops whose eager parts keep their order.
//   - detached: out[i] = f(x), whose eager parts run in the producers; the
//     caller only hands blocks over, so what stays serial is per block.
//   - inline: detached, with a delayed call of a cheap function that runs
//     inline in the producer (Fn1.Issue), as the ladder's twins do.
func BenchmarkPipelineSerial(b *testing.B) {
	defer core.PauseRecording()()
	const n = 100_000
	cheap := core.Func1(noop)
	core.SetCost(cheap, 1)
	out := make([]int, n)
	type it struct {
		i int
		d core.Delayed[int]
	}
	loop := func() {
		for i := range n {
			out[i] = noop(i)
		}
	}
	for _, c := range []struct {
		name string
		twin func(tw *core.Twin)
	}{
		{"eager", func(tw *core.Twin) {
			total := 0
			for x := range core.PipelineIndex(tw, core.DefaultWindow, core.Reuse, n, func(k int, x *it, _ *core.Step) {
				x.i = k
			}, nil) {
				total += noop(x.i)
			}
			out[0] = total
		}},
		{"detached", func(tw *core.Twin) {
			for x := range core.PipelineIndex(tw, core.DefaultWindow, core.Reuse, n, func(k int, x *it, _ *core.Step) {
				x.i = k
			}, func(x *it) bool {
				out[x.i] = noop(x.i)
				return true
			}) {
				out[x.i] = noop(x.i)
			}
		}},
		{"inline", func(tw *core.Twin) {
			for x, st := range core.PipelineIndex(tw, core.DefaultWindow, core.Reuse, n, func(k int, x *it, st *core.Step) {
				x.i = k
				st.At(1)
				x.d = cheap.Issue(st, core.Value(k))
			}, func(x *it) bool {
				if !x.d.Done() {
					return false
				}
				out[x.i] = x.d.Must()
				return true
			}) {
				tw.Adopt(st, 1)
				if _, err := core.Await(tw, x.d); err != nil {
					b.Fatal(err)
				}
				out[x.i] = x.d.Must()
			}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(1))
			// The loop's time: the fastest of a few batches, as the
			// machine may be busy during any one.
			base := 0.0
			for k := range 5 {
				const loops = 10
				start := time.Now()
				for range loops {
					loop()
				}
				if t := float64(time.Since(start).Nanoseconds()) / loops / n; k == 0 || t < base {
					base = t
				}
			}
			b.ResetTimer()
			for b.Loop() {
				tw := core.NewTwin(context.Background())
				c.twin(tw)
				if _, err := tw.Finish(); err != nil {
					b.Fatal(err)
				}
				tw.Close()
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / n
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(base, "loop-ns/iter")
			b.ReportMetric(ns, "twin-ns/iter")
			b.ReportMetric(ns-base, "serial-ns/iter")
		})
	}
}
