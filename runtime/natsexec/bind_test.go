package natsexec_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
)

// TestRepublishedTaskIsRejected: a rogue with the quickstart's client
// account (a nats-server process with docs/nats-quickstart.conf)
// re-publishes every task under its live id with another registered
// function. An honest worker runs and signs what it was sent, but the
// signature covers the task, so the client never accepts the wrong value:
// it returns the right one, or fails with ErrRejected within LostAfter.
func TestRepublishedTaskIsRejected(t *testing.T) {
	t.Parallel()
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	c, addr, cpw, _ := quickstartServer(t)
	c.env = []string{natsexec.EnvResultSecret + "=" + secret}
	key := mustSecret(t, secret)
	ex := quickstartClient(t, addr, cpw, natsexec.AckWait(time.Second), natsexec.MaxDeliver(3), natsexec.ResultSecret(key), natsexec.LostAfter(5*time.Second))

	rogue, err := nats.Connect("nats://client:" + cpw + "@" + addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	js, err := jetstream.New(rogue)
	if err != nil {
		t.Fatal(err)
	}
	var republished atomic.Int64
	sub, err := rogue.Subscribe("daskgen.DASKGEN.tasks", func(m *nats.Msg) {
		var task map[int]any
		if cbor.Unmarshal(m.Data, &task) != nil || task[2] == "natsexec_test.square" {
			return
		}
		task[2] = "natsexec_test.square"
		b, _ := cbor.Marshal(task)
		if _, err := js.Publish(context.Background(), "daskgen.DASKGEN.tasks", b); err == nil {
			republished.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	rogue.Flush()

	c.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range 4 {
		v, err := daskgen.Compute(ctx, slow.Call(daskgen.Value(i+7)), daskgen.Using(ex))
		switch {
		case errors.Is(err, natsexec.ErrRejected):
			t.Logf("task %d: %v", i, err)
		case err != nil:
			t.Fatalf("task %d: %v", i, err)
		case v != i+7+1000:
			t.Fatalf("task %d = %d, want %d: a result of the re-published task was accepted", i, v, i+7+1000)
		}
	}
	if republished.Load() == 0 {
		t.Error("the rogue re-published nothing: the test did not test")
	}
}

// TestWrongSecretFailsTheClient: a worker with another secret answers
// every task, on the quickstart's server (a nats-server process) and
// accounts; the client does not hang but fails with ErrRejected, which
// names the cause, within LostAfter, and the worker logs that a client
// rejected its result.
func TestWrongSecretFailsTheClient(t *testing.T) {
	t.Parallel()
	good, _ := natsexec.NewResultSecret()
	bad, _ := natsexec.NewResultSecret()
	c, addr, cpw, _ := quickstartServer(t)
	c.env = []string{natsexec.EnvResultSecret + "=" + bad}
	ex := quickstartClient(t, addr, cpw, natsexec.AckWait(time.Second), natsexec.MaxDeliver(3), natsexec.ResultSecret(mustSecret(t, good)), natsexec.LostAfter(3*time.Second))
	c.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := daskgen.Compute(ctx, square.Call(daskgen.Value(3)), daskgen.Using(ex))
	if !errors.Is(err, natsexec.ErrRejected) || !strings.Contains(err.Error(), natsexec.EnvResultSecret) {
		t.Fatalf("err = %v, want ErrRejected naming %s", err, natsexec.EnvResultSecret)
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited until its deadline")
	}
	// The worker learnt it: stop it, then read its log.
	c.mu.Lock()
	w, log := c.workers[0], c.logs[0]
	c.mu.Unlock()
	w.Process.Signal(syscall.SIGTERM)
	waitOrKill(w, 20*time.Second)
	if !strings.Contains(log.String(), "a client rejected the result") {
		t.Errorf("the worker did not log the rejection; its log:\n%s", log)
	}
}

func mustSecret(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
