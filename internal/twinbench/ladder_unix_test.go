//go:build unix

package twinbench

import (
	"context"
	goruntime "runtime"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkOneCore runs a rung's loop and its twin alternately on one core
// (GOMAXPROCS 1 whatever -cpu says) and reports the CPU time this process
// spent in each, per iteration, and their ratio, as medians over the pairs: on a shared machine the
// wall clock of separate benchmarks moves by more than the few per cent a
// twin adds on one core, while the CPU time of alternate runs does not
// (issue 24: the 1 µs rung's twin should cost at most 1.08x the loop).
func BenchmarkOneCore(b *testing.B) {
	b.Run("1us", func(b *testing.B) { rungDigest.oneCore(b) })
	b.Run("10us", func(b *testing.B) { rungDigest10.oneCore(b) })
}

func (r rung[R]) oneCore(b *testing.B) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(1))
	bs := Blocks(r.n, r.block)
	runLoop := func() time.Duration {
		start := cpuTime(b)
		r.seq(bs)
		return cpuTime(b) - start
	}
	runTwin := func() time.Duration {
		start := cpuTime(b)
		if _, err := r.twin(context.Background(), bs); err != nil {
			b.Fatal(err)
		}
		return cpuTime(b) - start
	}
	runLoop() // warm up: the twin learns what the calls cost
	runTwin()
	var loops, twins, ratios []float64
	for b.Loop() {
		var loop, twin time.Duration
		if len(ratios)%2 == 0 {
			loop, twin = runLoop(), runTwin()
		} else {
			twin, loop = runTwin(), runLoop()
		}
		loops = append(loops, float64(loop.Nanoseconds())/float64(r.n))
		twins = append(twins, float64(twin.Nanoseconds())/float64(r.n))
		ratios = append(ratios, float64(twin)/float64(loop))
	}
	// Medians: a pair that another process disturbed does not move them.
	median := func(xs []float64) float64 {
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(loops), "loop-cpu-ns/iter")
	b.ReportMetric(median(twins), "twin-cpu-ns/iter")
	b.ReportMetric(median(ratios), "twin/loop")
}

// cpuTime is the CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
