package natsexec_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/daskgen/daskgen/runtime/natsexec"
)

// TestClientAndWorkerWaitForJetStream starts the README's cluster one
// server at a time, as servers that start together do in effect: the
// first alone, which has no JetStream meta leader (one of three is no
// quorum) and answers 503 on /healthz; then a worker and the client
// (FromEnv, DASKGEN_NATS_REPLICAS=3, the quickstart's users), which wait;
// then, once both said so, the other two servers. The client must start,
// create the stream with three replicas, and compute with the worker; each
// logs its wait once (not once per try), and no log shows a password.
func TestClientAndWorkerWaitForJetStream(t *testing.T) {
	cpw, wpw := recipePassword(t), recipePassword(t)
	procs := recipeProcs(t, 3, []string{"DASKGEN_CLIENT_PASSWORD=" + cpw, "DASKGEN_WORKER_PASSWORD=" + wpw})
	procs[0].start(t)
	waitListening(t, procs[0])
	if status, err := healthz(procs[0].mport); err != nil || status != http.StatusServiceUnavailable {
		t.Fatalf("server s1 alone: /healthz = %d %v, want 503: no meta leader", status, err)
	}
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(natsexec.EnvResultSecret, secret) // the worker inherits it
	t.Setenv(natsexec.EnvReplicas, "3")
	t.Setenv(natsexec.EnvURL, recipeURL(procs, "client", cpw))
	c := &cluster{t: t, url: recipeURL(procs, "worker", wpw)}
	var log clientLog
	t.Cleanup(func() { // after c.stop: the workers have exited
		if t.Failed() {
			t.Logf("the client's log:\n%s", log.String())
			for _, l := range c.logs {
				t.Logf("a worker's log:\n%s", l)
			}
		}
	})
	t.Cleanup(c.stop)
	c.startWorker()

	type started struct {
		ex  *natsexec.Executor
		err error
	}
	done := make(chan started, 1)
	begin := time.Now()
	go func() {
		ex, err := natsexec.FromEnv(context.Background(), log.option())
		done <- started{ex, err}
	}()
	const waiting = "is not ready"
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), waiting) || !strings.Contains(c.logs[0].String(), waiting); {
		select {
		case s := <-done:
			t.Fatalf("the client returned (%v) before the cluster had a meta leader", s.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the client and the worker did not both say, within 20 s, that they wait for JetStream")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status, err := healthz(procs[0].mport); err != nil || status != http.StatusServiceUnavailable {
		t.Fatalf("server s1 alone, the client waiting: /healthz = %d %v, want 503", status, err)
	}
	t.Logf("the client and the worker wait (%v); starting s2 and s3", time.Since(begin).Round(10*time.Millisecond))
	procs[1].start(t)
	procs[2].start(t)
	var s started
	select {
	case s = <-done:
	case <-time.After(natsexec.DefaultReadyWait + 10*time.Second):
		t.Fatal("FromEnv did not return")
	}
	if s.err != nil {
		t.Fatalf("the client, started before the cluster was ready: %v", s.err)
	}
	defer s.ex.Close()
	t.Logf("the client started %v after it began", time.Since(begin).Round(10*time.Millisecond))

	js := admin(t, recipeURL(procs, "client", cpw))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "DASKGEN_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	if r := st.CachedInfo().Config.Replicas; r != 3 {
		t.Fatalf("the task stream has %d replicas, want the 3 of %s", r, natsexec.EnvReplicas)
	}
	computeSlow(t, ctx, s.ex, 4) // the worker, which waited too, runs them

	if n := strings.Count(log.String(), waiting); n != 1 {
		t.Errorf("the client logged its wait %d times, want once", n)
	}
	if n := strings.Count(log.String(), "is ready after"); n != 1 {
		t.Errorf("the client logged the end of its wait %d times, want once", n)
	}
	c.stop()
	wlog := c.logs[0].String()
	if n := strings.Count(wlog, waiting); n != 1 {
		t.Errorf("the worker logged its wait %d times, want once", n)
	}
	for _, l := range []string{log.String(), wlog} {
		if strings.Contains(l, cpw) || strings.Contains(l, wpw) {
			t.Error("a log shows a password")
		}
	}
}

// TestWaitForJetStreamEndsWithTheContext: against one server of a
// three-server cluster, which never has a meta leader, Connect with a
// deadline of 3 s fails at the deadline with an error that says what it
// waited for, matches context.DeadlineExceeded, and shows no password; so
// does Work, within ReadyWait. Each logs its wait once, when its first
// try (bounded by 2 s) has failed.
func TestWaitForJetStreamEndsWithTheContext(t *testing.T) {
	cpw, wpw := recipePassword(t), recipePassword(t)
	procs := recipeProcs(t, 3, []string{"DASKGEN_CLIENT_PASSWORD=" + cpw, "DASKGEN_WORKER_PASSWORD=" + wpw})
	procs[0].start(t)
	waitListening(t, procs[0])
	check := func(who string, err error, took time.Duration, log *clientLog, bound time.Duration) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s started on a cluster without a meta leader", who)
		}
		t.Logf("%s, after %v: %v", who, took.Round(10*time.Millisecond), err)
		for _, want := range []string{"waited", "for JetStream on", "to be ready", "meta leader"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s's error does not say %q: %v", who, want, err)
			}
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s's error does not match context.DeadlineExceeded: %v", who, err)
		}
		if took < bound-100*time.Millisecond || took > bound+3*time.Second {
			t.Errorf("%s gave up after %v; its bound was %v", who, took, bound)
		}
		if n := strings.Count(log.String(), "is not ready"); n != 1 {
			t.Errorf("%s logged its wait %d times, want once; its log:\n%s", who, n, log)
		}
		for _, l := range []string{err.Error(), log.String()} {
			if strings.Contains(l, cpw) || strings.Contains(l, wpw) {
				t.Errorf("%s shows a password: %s", who, l)
			}
		}
	}

	var clog clientLog
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	begin := time.Now()
	ex, err := natsexec.Connect(ctx, recipeURL(procs, "client", cpw), natsexec.Replicas(3), clog.option())
	if err == nil {
		ex.Close()
	}
	check("Connect", err, time.Since(begin), &clog, 3*time.Second)
	if !strings.Contains(err.Error(), "servers enough to place 3 replicas") {
		t.Errorf("Connect's error does not say it waited for servers for 3 replicas: %v", err)
	}

	var wlog clientLog
	begin = time.Now()
	err = natsexec.Work(context.Background(), recipeURL(procs, "worker", wpw), natsexec.ReadyWait(4*time.Second), wlog.option())
	check("Work", err, time.Since(begin), &wlog, 4*time.Second)
}
