package natsexec_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/daskgen/daskgen/runtime/natsexec"
)

// TestClusterSurvivesLosingTheStreamLeader: on a three-server cluster, a
// worker started first with DASKGEN_NATS_REPLICAS=3 creates the stream
// and buckets with three replicas (Work honours the variable, whoever
// starts first); then the server leading the task stream is shut down
// mid-compute, and every result is right. Result writes that fail during
// the leader election are retried with backoff, not with redeliveries.
// DASKGEN_TEST_LEADER_RUNS repeats it (docs/performance.md records 10).
func TestClusterSurvivesLosingTheStreamLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-server cluster")
	}
	runs, _ := strconv.Atoi(os.Getenv("DASKGEN_TEST_LEADER_RUNS"))
	for run := range max(runs, 1) {
		t.Run(strconv.Itoa(run), func(t *testing.T) { leaderKill(t) })
	}
}

func leaderKill(t *testing.T) {
	srvs := jsCluster(t, 3)
	var urls []string
	for _, s := range srvs {
		urls = append(urls, s.ClientURL())
	}
	all := strings.Join(urls, ",")
	defer func() {
		for _, s := range srvs {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}()
	c := &cluster{t: t, srv: srvs[0], url: all, ackWait: time.Second, env: []string{natsexec.EnvReplicas + "=3"}}
	c.startWorker()
	defer func() {
		c.mu.Lock()
		workers := c.workers
		c.mu.Unlock()
		for _, w := range workers {
			w.Process.Signal(syscall.SIGTERM)
			w.Wait()
		}
	}()
	// Wait for the first worker to create the stream, then check it has
	// the replicas of the environment, not the default one.
	nc, err := nats.Connect(all)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	var info *jetstream.StreamInfo
	var kv jetstream.KeyValue
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := js.Stream(ctx, "DASKGEN_TASKS")
		if err == nil {
			info, err = s.Info(ctx)
		}
		if err == nil {
			kv, err = js.KeyValue(ctx, "DASKGEN_RESULTS")
		}
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not create the stream: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if info.Config.Replicas != 3 {
		t.Fatalf("the worker created the stream with %d replicas, want the 3 of %s", info.Config.Replicas, natsexec.EnvReplicas)
	}
	if st, err := kv.Status(context.Background()); err != nil || st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas != 3 {
		t.Fatalf("the results bucket has not 3 replicas (%v)", err)
	}
	c.startWorker()

	ex, err := natsexec.Connect(context.Background(), all, natsexec.AckWait(time.Second), natsexec.MaxDeliver(5))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	go func() {
		time.Sleep(700 * time.Millisecond)
		var leader *server.Server
		for _, s := range srvs {
			if s.JetStreamIsStreamLeader("$G", "DASKGEN_TASKS") {
				leader = s
			}
		}
		if leader == nil {
			t.Error("no stream leader found")
			return
		}
		t.Logf("shutting down the stream leader %s", leader.Name())
		leader.Shutdown()
	}()
	begin := time.Now()
	computeSlow(t, ctx, ex, 24)
	t.Logf("the stream leader of three lost mid-compute: the right results after %v", time.Since(begin).Round(10*time.Millisecond))
}
