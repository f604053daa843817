package natsexec_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
)

// The tests of issue 23's "no silent hang": a client whose stream, consumer
// or bucket is deleted mid-compute, or whose tasks are taken and never
// answered, ends with an error naming the cause within a bound, instead of
// waiting forever. Each runs under a context deadline far beyond the bound,
// so a hang is reported, not waited out.

// lostAfter of these tests: the executor checks every lostAfter/4.
const hangLostAfter = 2 * time.Second

// admin connects to url with JetStream, for a test that plays an operator
// or a rogue consumer.
func admin(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestDeletedResourceFailsTheClient: the task stream, the task consumer,
// the results bucket or the object store (which large values go through)
// deleted while a worker runs a compute's tasks fails the compute within
// the bound, with an error that names what was deleted; the executor
// creates it again, and the next compute, on the same worker, is right
// (with a value through the object store, when that was deleted). "no
// advisories" is a client whose account may not subscribe to JetStream's
// advisories: its periodic check finds the deletion.
func TestDeletedResourceFailsTheClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want   string
		del          func(context.Context, jetstream.JetStream) error
		noAdvisories bool
	}{
		{"stream", "task stream DASKGEN_TASKS", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteStream(ctx, "DASKGEN_TASKS")
		}, false},
		{"bucket", "results bucket DASKGEN_RESULTS", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteKeyValue(ctx, "DASKGEN_RESULTS")
		}, false},
		{"consumer", "task consumer DASKGEN_WORKERS", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(ctx, "DASKGEN_TASKS", "DASKGEN_WORKERS")
		}, false},
		{"object store", "object store DASKGEN_BLOBS", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteObjectStore(ctx, "DASKGEN_BLOBS")
		}, false},
		{"bucket, no advisories", "results bucket DASKGEN_RESULTS", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteKeyValue(ctx, "DASKGEN_RESULTS")
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, clientURL, adminURL := serverWithUsers(t, tc.noAdvisories)
			c := &cluster{t: t, srv: srv, url: adminURL, ackWait: time.Second}
			var log clientLog
			t.Cleanup(func() { // after c.stop: the workers have exited
				for _, l := range c.logs {
					if strings.Contains(l.String(), "DATA RACE") {
						t.Error("a worker reported a data race")
					}
				}
				if !t.Failed() {
					return
				}
				t.Logf("the client's log:\n%s", &log)
				for _, l := range c.logs {
					t.Logf("a worker's log:\n%s", l)
				}
			})
			t.Cleanup(c.stop)
			ex, err := natsexec.Connect(context.Background(), clientURL, natsexec.AckWait(time.Second), natsexec.MaxDeliver(3),
				natsexec.LostAfter(hangLostAfter), log.option())
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Close()
			c.startWorker()
			js := admin(t, adminURL)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			computeSlow(t, ctx, ex, 2) // the worker is up and taking tasks

			deleted := make(chan time.Time, 1)
			go func() {
				time.Sleep(150 * time.Millisecond) // the worker holds the tasks
				err := tc.del(context.Background(), js)
				deleted <- time.Now()
				if err != nil {
					t.Errorf("deleting the %s: %v", tc.name, err)
				}
			}()
			var ds []daskgen.Delayed[int]
			for i := range 16 { // more than the worker takes at once
				ds = append(ds, slow.Call(daskgen.Value(i)))
			}
			_, err = daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
			failed := time.Now()
			if ctx.Err() != nil {
				t.Fatalf("the compute waited until the test's deadline: %v", err)
			}
			took := failed.Sub(<-deleted)
			t.Logf("%s deleted: the compute failed %v after the deletion: %v", tc.name, took.Round(10*time.Millisecond), err)
			if !errors.Is(err, natsexec.ErrDeleted) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "was deleted") {
				t.Fatalf("error %v, want ErrDeleted naming the %s", err, tc.want)
			}
			// Documented: confirmAfter (0.2 s) after the server's
			// advisory; a check period (LostAfter/4, 0.5 s here) more
			// without it. A loaded machine gets some slack.
			bound := hangLostAfter/4 + 200*time.Millisecond + time.Second
			if took > bound {
				t.Errorf("the compute failed %v after the deletion; the bound is %v", took, bound)
			}
			// Created again: the next compute on the same worker is right.
			begin := time.Now()
			computeSlow(t, ctx, ex, 4)
			if tc.name == "object store" { // 640 KB each way, over BlobOver's 256 KiB
				big := grow.Call(daskgen.Value([]byte("0123456789abcdef")), daskgen.Value(40_000))
				if n, err := daskgen.Compute(ctx, length.Call(big), daskgen.Using(ex)); err != nil || n != 640_000 {
					t.Fatalf("a 640 KB value through the object store created again: length %d, %v", n, err)
				}
			}
			t.Logf("the next compute was right after %v", time.Since(begin).Round(10*time.Millisecond))
			if got := log.String(); !strings.Contains(got, "created it again") {
				t.Errorf("the executor did not log that it created the %s again; its log:\n%s", tc.name, got)
			}
		})
	}
}

// serverWithUsers starts a server with an admin user, for the test's
// operator and the workers, and a client user, which may not subscribe to
// JetStream's advisories when noAdvisories is set.
func serverWithUsers(t *testing.T, noAdvisories bool) (srv *server.Server, client, admin string) {
	t.Helper()
	cperm := &server.Permissions{}
	if noAdvisories {
		cperm.Subscribe = &server.SubjectPermission{Deny: []string{"$JS.EVENT.>"}}
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
		Users: []*server.User{{Username: "admin", Password: "apw"}, {Username: "client", Password: "cpw", Permissions: cperm}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	addr := s.Addr().String()
	return s, "nats://client:cpw@" + addr, "nats://admin:apw@" + addr
}

// rogue takes the tasks of the stream as a worker would, and hands each to
// do, which answers it or not.
func rogue(t *testing.T, ctx context.Context, url string, do func(m jetstream.Msg, id string)) {
	t.Helper()
	js := admin(t, url)
	cons, err := js.Consumer(ctx, "DASKGEN_TASKS", "DASKGEN_WORKERS")
	if err != nil {
		t.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var task map[int]any
		if cbor.Unmarshal(m.Data(), &task) != nil {
			return
		}
		id, _ := task[1].(string)
		go do(m, id)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.Stop)
}

// TestTaskAckedWithoutResultFails: a rogue with the quickstart's worker
// account (a nats-server process with docs/nats-quickstart.conf) takes
// tasks off the queue and acknowledges them without storing a result, as
// a worker may; the compute fails within the bound, with an error that
// names the task and the cause.
func TestTaskAckedWithoutResultFails(t *testing.T) {
	t.Parallel()
	c, addr, cpw, _ := quickstartServer(t)
	ex := quickstartClient(t, addr, cpw, natsexec.AckWait(time.Second), natsexec.MaxDeliver(3), natsexec.LostAfter(hangLostAfter))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acked := make(chan time.Time, 1)
	rogue(t, ctx, c.url, func(m jetstream.Msg, _ string) {
		m.DoubleAck(ctx)
		select {
		case acked <- time.Now():
		default:
		}
	})
	_, err := daskgen.Compute(ctx, square.Call(daskgen.Value(3)), daskgen.Using(ex))
	failed := time.Now()
	if ctx.Err() != nil {
		t.Fatalf("the compute waited until the test's deadline: %v", err)
	}
	took := failed.Sub(<-acked)
	t.Logf("task acked without a result: the compute failed %v after the ack: %v", took.Round(10*time.Millisecond), err)
	if !errors.Is(err, natsexec.ErrUnanswered) || !strings.Contains(err.Error(), "natsexec_test.square") || !strings.Contains(err.Error(), "without a result") {
		t.Fatalf("error %v, want ErrUnanswered naming the task", err)
	}
	// Documented: within LostAfter/2 of the ack; a loaded machine gets
	// some slack.
	if bound := hangLostAfter/2 + time.Second; took > bound {
		t.Errorf("the compute failed %v after the ack; the bound is %v", took, bound)
	}
}

// TestTaskHeldWithProgress: a task whose consumer reports progress
// (in-progress acks, as a worker does while a long function runs) is not
// failed by the executor's checks however long it runs, and returns the
// result that comes; with TaskTimeout, a task held that way fails at the
// timeout with an error that says a consumer holds it.
func TestTaskHeldWithProgress(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), -1)
	c := &cluster{t: t, srv: srv, url: srv.ClientURL(), ackWait: time.Second}
	t.Cleanup(c.stop)
	c.executor(t) // creates the stream, the consumer and the bucket
	js := admin(t, c.url)
	kv, err := js.KeyValue(context.Background(), "DASKGEN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const hold = 3 * time.Second // six check periods
	// The rogue reports progress on every task it takes; it answers
	// square(4) after hold, and never answers the others.
	rogue(t, ctx, c.url, func(m jetstream.Msg, id string) {
		var task struct {
			Args [][]byte `cbor:"3,keyasint"`
		}
		var x int
		answer := cbor.Unmarshal(m.Data(), &task) == nil && len(task.Args) == 1 && cbor.Unmarshal(task.Args[0], &x) == nil && x == 4
		end := time.Now().Add(hold)
		for {
			m.InProgress()
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			if answer && time.Now().After(end) {
				if _, err := kv.Put(ctx, id, mustCBOR(t, map[int]any{1: mustCBOR(t, 99)})); err != nil {
					t.Error(err)
				}
				m.DoubleAck(ctx)
				return
			}
		}
	})

	t.Run("long task", func(t *testing.T) {
		ex := c.executor(t, natsexec.LostAfter(hangLostAfter))
		begin := time.Now()
		v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(4)), daskgen.Using(ex))
		t.Logf("a task held %v with progress: %v, %v after %v", hold, v, err, time.Since(begin).Round(10*time.Millisecond))
		if err != nil || v != 99 {
			t.Fatalf("got %v, %v; want the 99 the consumer stored after %v", v, err, hold)
		}
	})
	t.Run("TaskTimeout", func(t *testing.T) {
		ex := c.executor(t, natsexec.LostAfter(hangLostAfter), natsexec.TaskTimeout(1500*time.Millisecond))
		begin := time.Now()
		_, err := daskgen.Compute(ctx, square.Call(daskgen.Value(5)), daskgen.Using(ex))
		took := time.Since(begin)
		t.Logf("a task held forever with TaskTimeout 1.5s: failed after %v: %v", took.Round(10*time.Millisecond), err)
		if ctx.Err() != nil {
			t.Fatalf("the compute waited until the test's deadline: %v", err)
		}
		if !errors.Is(err, natsexec.ErrUnanswered) || !strings.Contains(err.Error(), "natsexec_test.square") || !strings.Contains(err.Error(), "holds it") {
			t.Fatalf("error %v, want ErrUnanswered saying a consumer holds the task", err)
		}
		if took > 1500*time.Millisecond+time.Second {
			t.Errorf("failed after %v; TaskTimeout is 1.5 s", took)
		}
	})
}
