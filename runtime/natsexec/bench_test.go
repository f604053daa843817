package natsexec_test

import (
	"context"
	"fmt"
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

// BenchmarkWorkerProcesses runs 2,000 tasks of 5 ms of sleep on 1, 2 and
// 4 worker processes (the test binary, started as workers): the
// executor's throughput as workers are added.
func BenchmarkWorkerProcesses(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			c := newCluster(&testing.T{}, n, 5*time.Second)
			defer c.stop()
			ex, err := natsexec.Connect(context.Background(), c.url)
			if err != nil {
				b.Fatal(err)
			}
			defer ex.Close()
			ctx := context.Background()
			for b.Loop() {
				ds := make([]daskgen.Delayed[int], 2000)
				for i := range ds {
					ds[i] = nap.Call(daskgen.Value(i))
				}
				if _, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

var nap = daskgen.Func1(func(x int) int { time.Sleep(5 * time.Millisecond); return x }, daskgen.Register("natsexec_test.nap"))
