package twinbench

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestTwinsMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	ctx := context.Background()
	got, err := FetchParallel(ctx, 3)
	if err != nil || !slices.Equal(got, Fetch(3)) {
		t.Errorf("FetchParallel(3) = %v, %v; want %v", got, err, Fetch(3))
	}
	s, err := SpinParallel(ctx, 4)
	if err != nil || s != Spin(4) {
		t.Errorf("SpinParallel(4) = %v, %v; want %v", s, err, Spin(4))
	}
}

// BenchmarkFetch20 is the post's 20 mocked fetches of 200 ms: the for loop
// against its twin, with default settings. The target is 0.21 s for the twin.
func BenchmarkFetch20(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			Fetch(20)
		}
		report(b)
	})
	b.Run("twin", func(b *testing.B) {
		for b.Loop() {
			if _, err := FetchParallel(context.Background(), 20); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// BenchmarkSpin32 is 32 CPU-bound calls of about 10 ms: the loop against its
// twin. The target is a speed-up of 1.8 on two cores.
func BenchmarkSpin32(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			Spin(32)
		}
		report(b)
	})
	b.Run("twin", func(b *testing.B) {
		for b.Loop() {
			if _, err := SpinParallel(context.Background(), 32); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// BenchmarkSpinOne measures one spin call, to check that it takes about
// 10 ms on the machine at hand.
func BenchmarkSpinOne(b *testing.B) {
	for b.Loop() {
		spin(7)
	}
}

func report(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Second), "s/op")
}
