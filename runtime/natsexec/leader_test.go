package natsexec_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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
	for run := range leaderRuns() {
		t.Run(strconv.Itoa(run), leaderKill)
	}
}

// leaderRuns is how many times the stream-leader tests run:
// $DASKGEN_TEST_LEADER_RUNS, or once.
func leaderRuns() int {
	runs, _ := strconv.Atoi(os.Getenv("DASKGEN_TEST_LEADER_RUNS"))
	return max(runs, 1)
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
	c := &cluster{t: t, url: all, ackWait: time.Second, env: []string{natsexec.EnvReplicas + "=3"}}
	c.startWorker()
	defer c.stop()
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

// TestRecipeClusterSurvivesKill9OfTheStreamLeader runs the README's cluster
// recipe for real: three nats-server processes, each started with
// docs/nats-quickstart.conf and the README's flags; the client first (user
// client, FromEnv), which creates the stream and buckets with the three
// replicas of DASKGEN_NATS_REPLICAS; then two worker processes (user
// worker); results signed with a shared DASKGEN_RESULT_SECRET, and
// natsexec's defaults otherwise. Mid-compute, once workers have finished
// tasks and hold others, the server that leads the task stream (its stream
// info's Cluster.Leader) is killed with SIGKILL. Every result must be
// right, and the compute must end within DefaultLostAfter (20 s) of the
// kill. What the kill costs: the workers take tasks again once the
// consumer answers, result writes are retried through the election, and
// results stored while the client's bucket watcher stalls are read from
// the bucket by the executor's check, which runs every LostAfter/4 (5 s)
// and looks a task up once it has waited a period (check.go). A check
// whose requests time out during the election is lost, so the slow runs
// end 10 s, sometimes 15 s, after the compute began. DASKGEN_TEST_LEADER_RUNS
// repeats it (docs/performance.md records 10).
func TestRecipeClusterSurvivesKill9OfTheStreamLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three nats-server processes")
	}
	for run := range leaderRuns() {
		t.Run(strconv.Itoa(run), recipeLeaderKill9)
	}
}

func recipeLeaderKill9(t *testing.T) {
	cpw, wpw := recipePassword(t), recipePassword(t)
	procs := recipeCluster(t, 3, []string{"DASKGEN_CLIENT_PASSWORD=" + cpw, "DASKGEN_WORKER_PASSWORD=" + wpw})
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(natsexec.EnvResultSecret, secret) // the workers inherit it
	t.Setenv(natsexec.EnvReplicas, "3")
	t.Setenv(natsexec.EnvURL, recipeURL(procs, "client", cpw))
	c := &cluster{t: t, url: recipeURL(procs, "worker", wpw)} // AckWait 0: the default
	var log clientLog
	t.Cleanup(func() { // after c.stop: the workers have exited
		if got := log.String(); got != "" {
			t.Logf("the client's log:\n%s", got)
		}
		for _, l := range c.logs {
			if strings.Contains(l.String(), "DATA RACE") {
				t.Error("a worker reported a data race")
			}
			if t.Failed() {
				t.Logf("a worker's log:\n%s", l)
			}
		}
	})
	t.Cleanup(c.stop) // before the servers stop, and before the logs are read

	// The client first, as soon as the servers listen, as the README
	// says: the cluster may have no JetStream meta leader yet, or one that
	// has not heard from enough servers to place three replicas, and the
	// client waits for it itself (ReadyWait).
	ex, err := natsexec.FromEnv(context.Background(), log.option())
	if err != nil {
		t.Fatalf("the client, started once the servers listened: %v", err)
	}
	defer ex.Close()
	c.startWorker()
	c.startWorker()

	js := admin(t, recipeURL(procs, "client", cpw)) // what the test reads, as the client may
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "DASKGEN_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	if r := s.CachedInfo().Config.Replicas; r != 3 {
		t.Fatalf("the client created the task stream with %d replicas, want the 3 of %s", r, natsexec.EnvReplicas)
	}
	killed := make(chan leaderKilled, 1)
	computed := make(chan struct{})
	go func() { killed <- kill9StreamLeader(ctx, js, procs, computed) }()
	begin := time.Now()
	computeSlow(t, ctx, ex, 32) // four rounds of the workers' eight at once
	end := time.Now()
	close(computed)
	k := <-killed
	if k.err != nil {
		t.Fatal(k.err)
	}
	took := end.Sub(k.at)
	t.Logf("killed the stream leader %s (kill -9) %v into the compute, with %d tasks done and %d held by the workers; %s; the right results %v after the kill (%v in all)",
		k.leader, k.at.Sub(begin).Round(10*time.Millisecond), k.acked, k.held, k.also, took.Round(10*time.Millisecond), end.Sub(begin).Round(10*time.Millisecond))
	if took > natsexec.DefaultLostAfter {
		t.Errorf("the compute ended %v after the kill; the bound is DefaultLostAfter, %v", took, natsexec.DefaultLostAfter)
	}
}

// leaderKilled is what kill9StreamLeader did.
type leaderKilled struct {
	leader      string    // the server killed
	at          time.Time // when
	acked, held uint64    // the tasks acknowledged, and held by workers, then
	also        string    // which other streams it led
	err         error
}

// kill9StreamLeader waits until workers have acknowledged tasks and hold
// others, and kills the server that leads the task stream with SIGKILL.
func kill9StreamLeader(ctx context.Context, js jetstream.JetStream, procs []*natsProc, computed <-chan struct{}) leaderKilled {
	for {
		select {
		case <-ctx.Done():
			return leaderKilled{err: ctx.Err()}
		case <-computed:
			return leaderKilled{err: errors.New("the compute ended before workers had acknowledged tasks while holding others: nothing was killed mid-compute")}
		case <-time.After(20 * time.Millisecond):
		}
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		cons, cerr := js.Consumer(rctx, "DASKGEN_TASKS", "DASKGEN_WORKERS")
		s, serr := js.Stream(rctx, "DASKGEN_TASKS")
		cancel()
		if cerr != nil || serr != nil || s.CachedInfo().Cluster == nil {
			continue
		}
		ci := cons.CachedInfo()
		if ci.AckFloor.Consumer == 0 || ci.NumAckPending == 0 {
			continue
		}
		leader := s.CachedInfo().Cluster.Leader
		for _, p := range procs {
			if p.name != leader {
				continue
			}
			also := alsoLed(ctx, js, leader)
			at := time.Now()
			if err := p.kill9(); err != nil {
				return leaderKilled{err: fmt.Errorf("killing %s: %w", leader, err)}
			}
			return leaderKilled{leader: leader, at: at, acked: ci.AckFloor.Consumer, held: uint64(ci.NumAckPending), also: also}
		}
		return leaderKilled{err: fmt.Errorf("the task stream's leader is %q, none of the servers started", leader)}
	}
}

// alsoLed says which of the buckets' streams server leads too.
func alsoLed(ctx context.Context, js jetstream.JetStream, server string) string {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var led []string
	for _, name := range []string{"KV_DASKGEN_RESULTS", "OBJ_DASKGEN_BLOBS"} {
		if s, err := js.Stream(ctx, name); err == nil && s.CachedInfo().Cluster != nil && s.CachedInfo().Cluster.Leader == server {
			led = append(led, name)
		}
	}
	if len(led) == 0 {
		return "it led neither bucket's stream"
	}
	return "it led " + strings.Join(led, " and ") + " too"
}
