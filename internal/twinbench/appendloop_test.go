package twinbench

import (
	"context"
	"testing"

	"github.com/sourcegraph/conc/iter"
	"golang.org/x/sync/errgroup"
)

func TestDigests(t *testing.T) {
	for _, n := range []int{0, 1, 7, 3000} {
		bs := Blocks(n, 1024)
		want := Digests(bs)
		got, err := DigestsParallel(context.Background(), bs)
		if err != nil || len(got) != len(want) {
			t.Fatalf("n=%d: DigestsParallel = %d results, %v; want %d", n, len(got), err, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d: result %d differs", n, i)
			}
		}
		got, err = DigestsNamedParallel(context.Background(), bs)
		if err != nil || len(got) != len(want) || (n > 0 && got[n-1] != want[n-1]) {
			t.Fatalf("n=%d: DigestsNamedParallel differs", n)
		}
	}
}

// BenchmarkAppend is out = append(out, f(x)) over 20,000 blocks of 1 KiB,
// f a sha256 of about 1 µs: the loop, its twin, conc's iter.Map and a
// hand-written errgroup version, per iteration, in the same run.
func BenchmarkAppend(b *testing.B) {
	const n = 20_000
	bs := Blocks(n, 1024)
	per := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iter")
	}
	b.Run("loop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Digests(bs)
		}
		per(b)
	})
	b.Run("twin", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DigestsParallel(context.Background(), bs); err != nil {
				b.Fatal(err)
			}
		}
		per(b)
	})
	b.Run("conc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			iter.Map(bs, func(x *Block) [32]byte { return digest(*x) })
		}
		per(b)
	})
	b.Run("errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([][32]byte, len(bs))
			var g errgroup.Group
			g.SetLimit(-1)
			const chunk = 256
			for lo := 0; lo < len(bs); lo += chunk {
				hi := min(lo+chunk, len(bs))
				g.Go(func() error {
					for i := lo; i < hi; i++ {
						out[i] = digest(bs[i])
					}
					return nil
				})
			}
			g.Wait()
		}
		per(b)
	})
}
