package natsexec_test

import (
	"context"
	"sync"
	"testing"
	"time"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
)

var (
	noop = daskgen.Func1(func(x int) int { return x }, daskgen.Register("natsexec_test.noop"))
	echo = daskgen.Func1(func(b []byte) []byte { return b }, daskgen.Register("natsexec_test.echo"))
)

// benchCluster is an embedded server on loopback with two workers in this
// process, each running up to 64 tasks at once.
func benchCluster(b *testing.B, signed bool) *natsexec.Executor {
	b.Helper()
	var wopts, copts []natsexec.Option
	if signed {
		secret := []byte("a secret of the benchmark's own")
		wopts = append(wopts, natsexec.ResultSecret(secret))
		copts = append(copts, natsexec.ResultSecret(secret))
	}
	srv := startServer(&testing.T{}, b.TempDir(), -1)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := natsexec.Work(ctx, srv.ClientURL(), append(wopts, natsexec.Concurrency(64))...); err != nil {
				b.Error(err)
			}
		}()
	}
	ex, err := natsexec.Connect(context.Background(), srv.ClientURL(), copts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ex.Close()
		cancel()
		wg.Wait()
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	time.Sleep(100 * time.Millisecond) // the workers' consumers start
	return ex
}

func perTask(b *testing.B, tasks int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasks)/1000, "µs/task")
}

// BenchmarkNoop5000 runs 5,000 independent no-op tasks on two workers:
// the per-task cost of the executor, with results signed by the workers and
// checked by the client, and without. The target is 100 µs per task.
func BenchmarkNoop5000(b *testing.B) {
	b.Run("plain", func(b *testing.B) { noop5000(b, false) })
	b.Run("signed", func(b *testing.B) { noop5000(b, true) })
}

func noop5000(b *testing.B, signed bool) {
	ex := benchCluster(b, signed)
	ctx := context.Background()
	for b.Loop() {
		ds := make([]daskgen.Delayed[int], 5000)
		for i := range ds {
			ds[i] = noop.Call(daskgen.Value(i))
		}
		if _, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex)); err != nil {
			b.Fatal(err)
		}
	}
	perTask(b, 5000)
}

// BenchmarkFanOut1KiB runs a fan-out of 1,000 tasks that each take and
// return 1 KiB.
func BenchmarkFanOut1KiB(b *testing.B) {
	ex := benchCluster(b, false)
	ctx := context.Background()
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = byte(i)
	}
	for b.Loop() {
		ds := make([]daskgen.Delayed[[]byte], 1000)
		for i := range ds {
			ds[i] = echo.Call(daskgen.Value(payload))
		}
		if _, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex)); err != nil {
			b.Fatal(err)
		}
	}
	perTask(b, 1000)
}
