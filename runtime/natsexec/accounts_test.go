package natsexec_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
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
// server, not our code, refuses a worker that publishes a task, adds a
// subject to the stream, deletes or purges the stream or a bucket, deletes
// a task, deletes the task consumer or the results bucket's consumers (a
// client's watcher), or pauses the task consumer (workers may publish
// only what their job needs: a list of what they may, not of what they
// may not), and a client that takes a task, deletes the stream, the
// results bucket or the task consumer, pauses the task consumer, or purges
// the stream (clients too have a list of what they may:
// TestQuickstartClientCannotWriteResults tries what they may not to store
// a result). The server is a nats-server process, as the README starts it.
func TestQuickstartAccounts(t *testing.T) {
	t.Parallel()
	c, addr, cpw, wpw := quickstartServer(t)
	ex := quickstartClient(t, addr, cpw)
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
	var err error
	w := as(t, addr, "worker", wpw)
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
	// Pausing the task consumer (which a worker's account could, with a
	// list of what it may not do) would hold every task until the pause
	// ends, with no error: the client could not tell it from no worker.
	ctx6p, c6p := short()
	defer c6p()
	_, err = w.PauseConsumer(ctx6p, "DASKGEN_TASKS", "DASKGEN_WORKERS", time.Now().Add(time.Hour))
	denied("worker", "pause the task consumer", err)
	ctx6m, c6m := short()
	defer c6m()
	if s, err := w.Stream(ctx6m, "DASKGEN_TASKS"); err == nil {
		denied("worker", "delete a message of the task stream", s.DeleteMsg(ctx6m, 1))
	}
	// The client's watcher of the results bucket: a consumer of its own,
	// found with the client's rights (a worker may not list consumers).
	cl := as(t, addr, "client", cpw)
	ctx6b, c6b := short()
	defer c6b()
	if kvs, err := cl.Stream(ctx6b, "KV_DASKGEN_RESULTS"); err != nil {
		t.Error(err)
	} else if names := kvs.ConsumerNames(ctx6b); names == nil {
		t.Error("no consumer names")
	} else if watcher, ok := <-names.Name(); !ok {
		t.Errorf("the results bucket has no consumer while the client watches it: %v", names.Err())
	} else {
		denied("worker", "delete the results bucket's consumer "+watcher+" (the client's watcher)", w.DeleteConsumer(ctx6b, "KV_DASKGEN_RESULTS", watcher))
		ctx6c, c6c := short()
		defer c6c()
		found := false
		for name := range kvs.ConsumerNames(ctx6c).Name() {
			found = found || name == watcher
		}
		if !found {
			t.Errorf("the client's watcher %s is gone after a worker tried to delete it", watcher)
		}
	}

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
	ctx9, c9 := short()
	defer c9()
	denied("client", "delete the consumer", cl.DeleteConsumer(ctx9, "DASKGEN_TASKS", "DASKGEN_WORKERS"))
	ctx9b, c9b := short()
	defer c9b()
	if _, err := cl.Consumer(ctx9b, "DASKGEN_TASKS", "DASKGEN_WORKERS"); err != nil {
		t.Errorf("the task consumer after the users tried to delete it: %v", err)
	}
	ctx9p, c9p := short()
	defer c9p()
	_, err = cl.PauseConsumer(ctx9p, "DASKGEN_TASKS", "DASKGEN_WORKERS", time.Now().Add(time.Hour))
	denied("client", "pause the task consumer", err)
	ctx10, c10 := short()
	defer c10()
	denied("client", "delete the results bucket", cl.DeleteKeyValue(ctx10, "DASKGEN_RESULTS"))
	ctx11, c11 := short()
	defer c11()
	// A client may purge the results bucket: it removes the results it
	// read so, since it may not write to the bucket.
	if s, err := cl.Stream(ctx11, "DASKGEN_TASKS"); err != nil {
		t.Error(err)
	} else {
		denied("client", "purge DASKGEN_TASKS", s.Purge(ctx11))
	}

	// And the compute still works after the attempts.
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(5)), daskgen.Using(ex)); err != nil || v != 25 {
		t.Fatalf("after the attempts: %v, %v; want 25", v, err)
	}
}

// quickstartServer starts the README's server, a nats-server process with
// docs/nats-quickstart.conf and the recipe's passwords (quickstartProc),
// and returns the worker processes to come (user worker), where clients
// connect, and the two passwords.
func quickstartServer(t *testing.T) (c *cluster, addr, cpw, wpw string) {
	t.Helper()
	cpw, wpw = recipePassword(t), recipePassword(t)
	p := quickstartProc(t, []string{"DASKGEN_CLIENT_PASSWORD=" + cpw, "DASKGEN_WORKER_PASSWORD=" + wpw})
	addr = fmt.Sprintf("127.0.0.1:%d", p.port)
	c = &cluster{t: t, url: "nats://worker:" + wpw + "@" + addr, ackWait: time.Second}
	t.Cleanup(c.stop) // before the server stops
	return c, addr, cpw, wpw
}

// TestQuickstartAccountsCleanUpTheirConsumers: with the quickstart's
// accounts, the client library removes what it made for itself, and
// nobody is refused or logs a permissions violation: the ephemeral
// consumers of the client's watchers of the results bucket (deleted when a
// watcher stops: the executor watches again, or closes) and of the object
// store's readers (a client reading a large result, a worker reading large
// arguments), and the objects the client is done with (removed by purging
// their subject). Before, the
// configuration denied every consumer deletion and every purge: each
// cleanup logged a violation and waited 5 s for a reply that never came,
// in Close and in each compute with a large value, and the objects stayed
// until their TTL. The task consumer, the task stream and the results
// bucket stay out of reach (TestQuickstartAccounts).
func TestQuickstartAccountsCleanUpTheirConsumers(t *testing.T) {
	t.Parallel()
	c, addr, cpw, _ := quickstartServer(t)
	var log clientLog
	ex := quickstartClient(t, addr, cpw, log.option())
	c.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// 3.2 MB: the worker stores the result in the object store and the
	// client reads it there; then the client stores it as the arguments of
	// length, which the worker reads there.
	big := grow.Call(daskgen.Value([]byte("0123456789abcdef")), daskgen.Value(200_000))
	begin := time.Now()
	if n, err := daskgen.Compute(ctx, length.Call(big), daskgen.Using(ex)); err != nil || n != 3_200_000 {
		t.Fatalf("length of a 3.2 MB result = %d, %v", n, err)
	}
	t.Logf("a large result, then large arguments: %v", time.Since(begin).Round(10*time.Millisecond))

	cl := as(t, addr, "client", cpw)
	objects, err := cl.Stream(ctx, "OBJ_DASKGEN_BLOBS")
	if err != nil {
		t.Fatal(err)
	}
	if b := objects.CachedInfo().State.Bytes; b > 1<<20 {
		t.Errorf("the object store holds %d bytes after the compute: the client could not remove its objects", b)
	}
	begin = time.Now()
	ex.Close()
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Close took %v: it waited for the deletion of its watcher's consumer", took.Round(10*time.Millisecond))
	}
	// The executor's watcher, as the client library makes and stops it,
	// but without a context: Stop deletes its consumer and returns the
	// server's answer (a refused deletion gets none: a timeout after 5 s).
	kv, err := cl.KeyValue(ctx, "DASKGEN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(context.Background(), "someclient.*", jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(); err != nil {
		t.Errorf("stopping a watcher of the results bucket, the client could not delete its consumer: %v", err)
	}
	c.stop() // the workers drain and exit: their logs are complete
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(strings.ToLower(l), "permissions violation") {
			t.Errorf("the client logged %q", l)
		}
	}
	for _, l := range c.logs {
		for _, line := range strings.Split(l.String(), "\n") {
			if strings.Contains(strings.ToLower(line), "permissions violation") {
				t.Errorf("a worker logged %q", line)
			}
		}
	}
}

// quickstartClient connects an executor as the quickstart's client user,
// closed when the test ends.
func quickstartClient(t *testing.T, addr, cpw string, opts ...natsexec.Option) *natsexec.Executor {
	t.Helper()
	ex, err := natsexec.Connect(context.Background(), "nats://client:"+cpw+"@"+addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

// as connects to addr as user, with JetStream, for a test that tries what
// a user may do; the connection's asynchronous errors are dropped.
func as(t *testing.T, addr, user, pw string) jetstream.JetStream {
	t.Helper()
	return admin(t, "nats://"+user+":"+pw+"@"+addr)
}

// TestQuickstartWorkerStartedFirst: with the quickstart's accounts a worker
// may not create the task stream. Started before any client, it waits for
// one to create it (ReadyWait) and then takes tasks; with no client at
// all, it fails after ReadyWait with an error that says to start a client
// first, not only that a request timed out; the server's refusals reach
// Logf, not stderr.
func TestQuickstartWorkerStartedFirst(t *testing.T) {
	t.Parallel()
	c, addr, cpw, _ := quickstartServer(t)
	var wlog clientLog
	begin := time.Now()
	err := natsexec.Work(context.Background(), c.url, natsexec.ReadyWait(2*time.Second), wlog.option())
	t.Logf("a worker, no client: after %v: %v", time.Since(begin).Round(10*time.Millisecond), err)
	if err == nil || !strings.Contains(err.Error(), "start a client") || !strings.Contains(err.Error(), "DASKGEN_TASKS") {
		t.Fatalf("err = %v, want one that says the stream does not exist and to start a client", err)
	}
	// The server's refusal comes as an asynchronous error of the
	// connection, which the client library writes to stderr unless it has
	// a handler: natsexec's hands it to Logf, as every line.
	if !strings.Contains(wlog.String(), "natsexec: nats: permissions violation") {
		t.Errorf("the refused creation's asynchronous error did not go through Logf; the worker's log:\n%s", &wlog)
	}

	// A worker process started first, then the client.
	c.startWorker()
	time.Sleep(500 * time.Millisecond) // it has looked for the stream, in vain
	ex := quickstartClient(t, addr, cpw)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(6)), daskgen.Using(ex)); err != nil || v != 36 {
		t.Fatalf("a compute on the worker started before the client = %v, %v; want 36", v, err)
	}
}

// TestQuickstartClientCannotWriteResults: with the quickstart's accounts
// (a nats-server process with docs/nats-quickstart.conf), a process that
// holds the client's credentials and the result secret (which clients
// share with workers) cannot store a result: the server refuses it a put
// into the results bucket for a live task, with a result signed for that
// task, and every detour into the bucket (a stream of its own that
// republishes into it, a source or a republish added to the bucket's or
// the task stream's configuration). The compute returns the worker's value,
// and the client still removes the result it read, without the right to
// write to the bucket: the bucket's stream holds no message after it.
// Before, the client account could publish on $KV.DASKGEN_RESULTS.> (it
// removed results with purge markers), create any stream and change the
// task stream and the buckets, and the forged result was accepted.
func TestQuickstartClientCannotWriteResults(t *testing.T) {
	t.Parallel()
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	key := mustSecret(t, secret)
	c, addr, cpw, _ := quickstartServer(t)
	c.env = []string{natsexec.EnvResultSecret + "=" + secret}
	var log clientLog
	ex := quickstartClient(t, addr, cpw, natsexec.ResultSecret(key), log.option())

	// The rogue: the client's user and the result secret, in a connection
	// of its own, which records the server's refusals.
	var mu sync.Mutex
	var refused []string
	rogue, err := nats.Connect("nats://client:"+cpw+"@"+addr, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		mu.Lock()
		refused = append(refused, err.Error())
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	js, err := jetstream.New(rogue)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, "DASKGEN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	forged, err := cbor.Marshal(666)
	if err != nil {
		t.Fatal(err)
	}
	short := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, time.Second) }
	wasRefused := func(subject string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range refused {
			if strings.Contains(strings.ToLower(r), "permissions violation") && strings.Contains(r, `"`+subject+`"`) {
				return true
			}
		}
		return false
	}
	denied := func(what, subject string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("the client user could %s", what)
		} else if !wasRefused(subject) {
			// The refusal reaches the connection asynchronously.
			time.Sleep(200 * time.Millisecond)
			if !wasRefused(subject) {
				t.Errorf("%s: %v, and the server reported no permissions violation for %s", what, err, subject)
			}
		}
	}

	// A live task: the rogue sees it published (the client user may
	// subscribe to tasks) and stores a result signed for it at once, while
	// the worker runs it (300 ms).
	type attempt struct {
		id  string
		err error
	}
	put := make(chan attempt, 1)
	sub, err := rogue.Subscribe("daskgen.DASKGEN.tasks", func(m *nats.Msg) {
		var task struct {
			ID   string   `cbor:"1,keyasint"`
			Fn   string   `cbor:"2,keyasint"`
			Args [][]byte `cbor:"3,keyasint"`
		}
		if cbor.Unmarshal(m.Data, &task) != nil {
			return
		}
		pctx, pcancel := short()
		defer pcancel()
		_, err := kv.Put(pctx, task.ID, natsexec.ForgeResult(key, task.ID, task.Fn, task.Args, forged))
		select {
		case put <- attempt{task.ID, err}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	rogue.Flush()

	c.startWorker()
	v, err := daskgen.Compute(ctx, slow.Call(daskgen.Value(7)), daskgen.Using(ex))
	if err != nil || v != 1007 {
		t.Fatalf("slow(7) with a rogue client storing a forged result = %v, %v; want 1007", v, err)
	}
	var a attempt
	select {
	case a = <-put:
	case <-ctx.Done():
		t.Fatal("the rogue saw no task")
	}
	denied("store a result for the live task "+a.id, "$KV.DASKGEN_RESULTS."+a.id, a.err)

	// The detours. Each would store the rogue's message under a key of
	// the bucket, where the client's watcher finds it.
	c1, cc1 := short()
	defer cc1()
	_, err = js.CreateStream(c1, jetstream.StreamConfig{Name: "ROGUE", Subjects: []string{"rogue.>"},
		RePublish: &jetstream.RePublish{Source: "rogue.>", Destination: "$KV.DASKGEN_RESULTS.>"}})
	denied("create a stream that republishes into the results bucket", "$JS.API.STREAM.CREATE.ROGUE", err)
	for _, s := range []struct{ name, what string }{{"KV_DASKGEN_RESULTS", "source"}, {"DASKGEN_TASKS", "republish"}} {
		c2, cc2 := short()
		defer cc2()
		info, err := js.Stream(c2, s.name)
		if err != nil {
			t.Fatalf("the client user cannot read stream %s: %v", s.name, err)
		}
		cfg := info.CachedInfo().Config
		if s.what == "source" {
			cfg.Sources = []*jetstream.StreamSource{{Name: "DASKGEN_TASKS",
				SubjectTransforms: []jetstream.SubjectTransformConfig{{Source: "daskgen.DASKGEN.tasks", Destination: "$KV.DASKGEN_RESULTS.forged"}}}}
		} else {
			cfg.RePublish = &jetstream.RePublish{Source: "daskgen.DASKGEN.tasks", Destination: "$KV.DASKGEN_RESULTS.forged"}
		}
		_, err = js.UpdateStream(c2, cfg)
		denied("add a "+s.what+" into the results bucket to stream "+s.name, "$JS.API.STREAM.UPDATE."+s.name, err)
	}
	c3, cc3 := short()
	defer cc3()
	_, err = js.Publish(c3, "daskgen.DASKGEN.tasks", forged) // what a detour would carry
	if err != nil {
		t.Errorf("the client user may publish a task: %v", err)
	}

	// Nothing of the rogue's reached the bucket, and the client removed
	// the result it read: the bucket's stream is empty.
	cl := as(t, addr, "client", cpw)
	results, err := cl.Stream(ctx, "KV_DASKGEN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	var msgs uint64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, err := results.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if msgs = info.State.Msgs; msgs == 0 || time.Now().After(deadline) {
			break
		}
	}
	if msgs != 0 {
		t.Errorf("the results bucket holds %d messages after the compute: the client did not remove the result it read, or a forged one was stored", msgs)
	}
	for _, k := range []string{a.id, "forged"} {
		if _, err := kv.Get(ctx, k); !errors.Is(err, jetstream.ErrKeyNotFound) {
			t.Errorf("key %s of the results bucket: %v, want not found", k, err)
		}
	}
	if l := log.String(); strings.Contains(strings.ToLower(l), "permissions violation") || strings.Contains(l, "removing result") {
		t.Errorf("the executor logged:\n%s", l)
	}
	// And the next compute runs.
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(9)), daskgen.Using(ex)); err != nil || v != 81 {
		t.Fatalf("after the attempts: %v, %v; want 81", v, err)
	}
}
