package twinbench

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"testing"
	"time"

	"github.com/sourcegraph/conc/iter"
)

// rung is one body cost of the ladder: the loop, its twin, and conc's
// iter.Map over the same blocks.
type rung[R comparable] struct {
	name  string
	n     int // iterations
	seq   func([]Block) []R
	twin  func(context.Context, []Block) ([]R, error)
	f     func(Block) R
	block int // bytes per block
}

func (r rung[R]) bench(b *testing.B) {
	bs := Blocks(r.n, r.block)
	perIter := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(r.n), "ns/iter")
		b.ReportMetric(0, "ns/op")
	}
	b.Run(r.name+"/sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.seq(bs)
		}
		perIter(b)
	})
	b.Run(r.name+"/twin", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.twin(context.Background(), bs); err != nil {
				b.Fatal(err)
			}
		}
		perIter(b)
	})
	b.Run(r.name+"/conc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			iter.Map(bs, func(b *Block) R { return r.f(*b) })
		}
		perIter(b)
	})
}

func (r rung[R]) check(t *testing.T) {
	bs := Blocks(min(r.n, 3000), r.block)
	want := r.seq(bs)
	got, err := r.twin(context.Background(), bs)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("%s: the twin differs from the loop (%v)", r.name, err)
	}
	if c := iter.Map(bs, func(b *Block) R { return r.f(*b) }); !slices.Equal(c, want) {
		t.Errorf("%s: conc's iter.Map differs from the loop", r.name)
	}
}

var (
	rungTrivial  = rung[uint64]{"trivial", 100_000, Trivial, TrivialParallel, trivial, 8}
	rungMix      = rung[uint64]{"100ns", 100_000, Mix, MixParallel, mix, 8}
	rungDigest   = rung[[32]byte]{"1us", 20_000, Digest, DigestParallel, digest, 1024}
	rungDigest10 = rung[[32]byte]{"10us", 4_000, Digest10, Digest10Parallel, digest10, 1024}
	rungSleepy   = rung[uint64]{"1ms-sleep", 400, Sleepy, SleepyParallel, sleepy, 8}
)

func TestLadderTwinsMatch(t *testing.T) {
	rungTrivial.check(t)
	rungMix.check(t)
	rungDigest.check(t)
	rungDigest10.check(t)
	if !testing.Short() {
		rungSleepy.check(t)
	}
	bs := Blocks(5000, 8)
	got, err := FoldParallel(context.Background(), bs)
	if want := Fold(bs); err != nil || got != want {
		t.Errorf("FoldParallel = %d, %v; want %d", got, err, want)
	}
}

// BenchmarkLadder is issue 11's ladder of body costs: out[i] = f(x) with a
// trivial body, about 100 ns, about 1 µs (sha256 of 1 KiB), about 10 µs and
// a 1 ms sleep; each as the loop, its twin and conc's iter.Map in the same
// run, per iteration.
func BenchmarkLadder(b *testing.B) {
	rungTrivial.bench(b)
	rungMix.bench(b)
	rungDigest.bench(b)
	rungDigest10.bench(b)
	rungSleepy.bench(b)
}

// BenchmarkFold is a fold of a trivial delayed call over n iterations.
func BenchmarkFold(b *testing.B) {
	for _, n := range []int{100_000} {
		bs := Blocks(n, 8)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FoldParallel(context.Background(), bs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
		})
	}
}

// BenchmarkSerialCost measures what a twin adds to each iteration when the
// body costs nothing (the trivial rung: a multiply), on one core, where
// nothing runs in parallel: the producer's issue part, the hand-over of
// blocks and the eager part, per iteration. Run at GOMAXPROCS 1 whatever
// -cpu says. overhead-ns/iter is the twin's time less the loop's; the part
// of it that cannot run in parallel is at most that, so a body of cost C
// speeds up at most C/overhead times on any number of cores (see
// docs/performance.md, "Scaling"). index is out[i] = f(x), whose eager parts
// run in the producers; fold is total += f(x), whose eager part runs in
// the caller's goroutine, one iteration after the other.
func BenchmarkSerialCost(b *testing.B) {
	const n = 100_000
	bs := Blocks(n, 8)
	for _, c := range []struct {
		name string
		loop func()
		twin func() error
	}{
		{"index", func() { Trivial(bs) }, func() error { _, err := TrivialParallel(context.Background(), bs); return err }},
		{"fold", func() { Fold(bs) }, func() error { _, err := FoldParallel(context.Background(), bs); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(1))
			const loops = 20
			start := time.Now()
			for range loops {
				c.loop()
			}
			loop := float64(time.Since(start).Nanoseconds()) / loops / n
			b.ResetTimer()
			for b.Loop() {
				if err := c.twin(); err != nil {
					b.Fatal(err)
				}
			}
			twin := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / n
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(loop, "loop-ns/iter")
			b.ReportMetric(twin, "twin-ns/iter")
			b.ReportMetric(twin-loop, "overhead-ns/iter")
		})
	}
}

// BenchmarkCursor is a loop that cannot run ahead (each call reads the
// cursor the one before returned), as the loop and as its twin in the
// same run: the twin runs each wait's one call where it waits, so it
// costs what the loop costs (issue 22: a serialized twin is never slower
// than F).
func BenchmarkCursor(b *testing.B) {
	bs := Blocks(4096, 1024)
	const pages = 2000
	b.Run("loop", func(b *testing.B) {
		for b.Loop() {
			if _, err := Cursor(bs, pages); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("twin", func(b *testing.B) {
		for b.Loop() {
			if _, err := CursorParallel(context.Background(), bs, pages); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestCursorTwinMatches(t *testing.T) {
	bs := Blocks(512, 1024)
	for _, pages := range []int{0, 1, 300} {
		want, werr := Cursor(bs, pages)
		got, gerr := CursorParallel(context.Background(), bs, pages)
		if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("CursorParallel(%d pages) = %d, %v; Cursor = %d, %v", pages, got, gerr, want, werr)
		}
	}
}
