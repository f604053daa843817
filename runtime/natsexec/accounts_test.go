package natsexec_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
)

// recipePassword makes a password as the README's recipe does: a letter,
// then hex digits.
func recipePassword(t *testing.T) string {
	b := make([]byte, 20)
	rand.Read(b)
	return "p" + hex.EncodeToString(b)
}

// TestQuickstartAccounts runs docs/nats-quickstart.conf, the README's
// server, and checks that each user can do its job and nothing else: the
// server, not our code, refuses a worker that publishes a task or deletes
// or purges the stream or a bucket, and a client that takes a task.
func TestQuickstartAccounts(t *testing.T) {
	cpw, wpw := recipePassword(t), recipePassword(t)
	t.Setenv("DASKGEN_CLIENT_PASSWORD", cpw)
	t.Setenv("DASKGEN_WORKER_PASSWORD", wpw)
	opts, err := server.ProcessConfigFile("../../docs/nats-quickstart.conf")
	if err != nil {
		t.Fatal(err)
	}
	opts.Port, opts.StoreDir, opts.NoLog, opts.NoSigs = -1, t.TempDir(), true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	addr := srv.Addr().String()
	c := &cluster{t: t, srv: srv, url: "nats://worker:" + wpw + "@" + addr, ackWait: time.Second}
	t.Cleanup(c.stop)
	ex, err := natsexec.Connect(context.Background(), "nats://client:"+cpw+"@"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	c.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(12)), daskgen.Using(ex)); err != nil || v != 144 {
		t.Fatalf("a compute with the quickstart's accounts = %v, %v; want 144", v, err)
	}

	denied := func(who, what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("the %s could %s", who, what)
		}
	}
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 2*time.Second)
	}
	as := func(user, pw string) jetstream.JetStream {
		nc, err := nats.Connect("nats://"+user+":"+pw+"@"+addr, nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}
	w := as("worker", wpw)
	ctx1, c1 := short()
	defer c1()
	_, err = w.Publish(ctx1, "daskgen.DASKGEN.tasks", []byte("x"))
	denied("worker", "publish a task", err)
	ctx2, c2 := short()
	defer c2()
	_, err = w.CreateOrUpdateStream(ctx2, jetstream.StreamConfig{Name: "DASKGEN_TASKS", Subjects: []string{"daskgen.DASKGEN.tasks", "more"}, Retention: jetstream.WorkQueuePolicy})
	denied("worker", "add a subject to the task stream", err)
	ctx3, c3 := short()
	defer c3()
	denied("worker", "delete the task stream", w.DeleteStream(ctx3, "DASKGEN_TASKS"))
	ctx4, c4 := short()
	defer c4()
	denied("worker", "delete the results bucket", w.DeleteKeyValue(ctx4, "DASKGEN_RESULTS"))
	ctx5, c5 := short()
	defer c5()
	if s, err := w.Stream(ctx5, "DASKGEN_TASKS"); err == nil {
		denied("worker", "purge the task stream", s.Purge(ctx5))
	}
	ctx6, c6 := short()
	defer c6()
	denied("worker", "delete the consumer", w.DeleteConsumer(ctx6, "DASKGEN_TASKS", "DASKGEN_WORKERS"))

	cl := as("client", cpw)
	ctx7, c7 := short()
	defer c7()
	if cons, err := cl.Consumer(ctx7, "DASKGEN_TASKS", "DASKGEN_WORKERS"); err == nil {
		_, err = cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err == nil {
			// Fetch reports a refused pull through its messages' error.
			var batch jetstream.MessageBatch
			batch, _ = cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
			for range batch.Messages() {
				t.Error("the client took a task")
			}
		}
	}
	ctx8, c8 := short()
	defer c8()
	denied("client", "delete the task stream", cl.DeleteStream(ctx8, "DASKGEN_TASKS"))

	// And the compute still works after the attempts.
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(5)), daskgen.Using(ex)); err != nil || v != 25 {
		t.Fatalf("after the attempts: %v, %v; want 25", v, err)
	}
}
