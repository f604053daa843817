//go:build unix

package twinbench

import (
	"context"
	"fmt"
	"syscall"
	"testing"
)

// BenchmarkFoldRange folds a trivial delayed call over a range of n, and
// reports the process's peak resident memory: run one size per process for
// that figure to be the fold's (docs/performance.md has the commands).
func BenchmarkFoldRange(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			want := FoldRange(n)
			for b.Loop() {
				got, err := FoldRangeParallel(context.Background(), n)
				if err != nil || got != want {
					b.Fatalf("FoldRangeParallel(%d) = %d, %v; want %d", n, got, err, want)
				}
			}
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(ru.Maxrss)/1024, "MB-peak-RSS")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
		})
	}
}
