package natsexec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/daskgen/daskgen/internal/twinbench"
	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/natsexec"
	"github.com/daskgen/daskgen/runtime/twinimpl"
)

// The test binary is also the worker: with DASKGEN_TEST_WORKER=1 it runs
// natsexec.Work instead of the tests, so the workers of these tests are
// processes of their own that a test can kill.
func TestMain(m *testing.M) {
	if os.Getenv("DASKGEN_TEST_WORKER") == "1" {
		ackWait, _ := time.ParseDuration(os.Getenv("DASKGEN_TEST_ACKWAIT"))
		err := natsexec.Work(context.Background(), natsexec.URL(),
			natsexec.AckWait(ackWait), natsexec.MaxDeliver(3), natsexec.Concurrency(4),
			natsexec.Logf(func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		removeNATSServerBinary()
		os.Exit(code)
	}))
}

// The functions the workers run; registered when the package loads, in the
// tests' process and in the workers alike.
var (
	square = daskgen.Func1(func(x int) int { return x * x }, daskgen.Register("natsexec_test.square"))
	slow   = daskgen.Func1(func(x int) int {
		time.Sleep(300 * time.Millisecond)
		return x + 1000
	}, daskgen.Register("natsexec_test.slow"))
	check = daskgen.Func1E(func(x int) (int, error) {
		time.Sleep(time.Duration(20-x) * time.Millisecond) // later ones fail sooner
		if x < 0 {
			return 0, fmt.Errorf("negative %d", x)
		}
		return x, nil
	}, daskgen.Register("natsexec_test.check"))
	boom = daskgen.Func1(func(x int) int {
		if x == 13 {
			panic("thirteen")
		}
		return x
	}, daskgen.Register("natsexec_test.boom"))
	crash = daskgen.Func1(func(x int) int {
		if x == 13 {
			os.Exit(3) // the worker dies mid-task, every time
		}
		return x
	}, daskgen.Register("natsexec_test.crash"))
	grow = daskgen.Func2(func(b []byte, n int) []byte {
		return bytes.Repeat(b, n)
	}, daskgen.Register("natsexec_test.grow"))
	length = daskgen.Func1(func(b []byte) int { return len(b) }, daskgen.Register("natsexec_test.length"))
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startServer(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return s
}

// cluster is worker processes, and the embedded server they use.
type cluster struct {
	t       *testing.T
	srv     *server.Server // nil: the workers use servers of the test's own
	url     string
	ackWait time.Duration
	env     []string // more environment for the workers
	mu      sync.Mutex
	workers []*exec.Cmd
	logs    []*workerLog
}

// workerLog is what a worker process writes to its stderr, which a test
// may read while the worker runs.
type workerLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *workerLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns what the worker wrote so far.
func (l *workerLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newCluster(t *testing.T, workers int, ackWait time.Duration) *cluster {
	t.Helper()
	srv := startServer(t, t.TempDir(), -1)
	c := &cluster{t: t, srv: srv, url: srv.ClientURL(), ackWait: ackWait}
	for range workers {
		c.startWorker()
	}
	t.Cleanup(c.stop)
	return c
}

func (c *cluster) startWorker() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DASKGEN_TEST_WORKER=1", natsexec.EnvURL+"="+c.url, "DASKGEN_TEST_ACKWAIT="+c.ackWait.String())
	cmd.Env = append(cmd.Env, c.env...)
	log := &workerLog{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.workers = append(c.workers, cmd)
	c.logs = append(c.logs, log)
	c.mu.Unlock()
	return cmd
}

// stop drains the workers with SIGTERM and shuts the embedded server down.
func (c *cluster) stop() {
	c.mu.Lock()
	workers := c.workers
	c.mu.Unlock()
	for _, w := range workers {
		w.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		waitOrKill(w, 20*time.Second)
	}
	c.mu.Lock()
	srv := c.srv
	c.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// waitOrKill waits for a worker told to drain, and kills it if it has not
// exited within d: a worker that cannot drain (its server gone) must not
// hang the test.
func waitOrKill(w *exec.Cmd, d time.Duration) {
	done := make(chan struct{})
	go func() { w.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		w.Process.Kill()
		<-done
	}
}

func (c *cluster) executor(t *testing.T, opts ...natsexec.Option) *natsexec.Executor {
	t.Helper()
	opts = append([]natsexec.Option{natsexec.AckWait(c.ackWait), natsexec.MaxDeliver(3)}, opts...)
	ex, err := natsexec.Connect(context.Background(), c.url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

// fanOut is fifty squares summed by a local task.
func fanOut() daskgen.Delayed[int] {
	var ds []daskgen.Delayed[int]
	for i := range 50 {
		ds = append(ds, square.Call(daskgen.Value(i)))
	}
	return twinimpl.Call1(func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}, daskgen.Collect(ds))
}

func TestSameResultLocallyAndOnNATS(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, 5*time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	local, err := daskgen.Compute(ctx, fanOut())
	if err != nil {
		t.Fatal(err)
	}
	remote, err := daskgen.Compute(ctx, fanOut(), daskgen.Using(ex))
	if err != nil || remote != local {
		t.Errorf("on NATS: %v, %v; locally %v", remote, err, local)
	}

	// The first error in program order, even though later tasks fail sooner.
	var ds []daskgen.Delayed[int]
	for _, x := range []int{1, -2, 3, -4, 5, -6} {
		ds = append(ds, check.Call(daskgen.Value(x)))
	}
	_, lerr := daskgen.ComputeSlice(ctx, ds)
	for i, x := range []int{1, -2, 3, -4, 5, -6} {
		ds[i] = check.Call(daskgen.Value(x))
	}
	_, rerr := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
	if lerr == nil || rerr == nil || !strings.HasSuffix(rerr.Error(), "negative -2") || !strings.HasSuffix(lerr.Error(), "negative -2") {
		t.Errorf("errors: locally %v, on NATS %v; want negative -2 for both", lerr, rerr)
	}
	var re *daskgen.RemoteError
	if !errors.As(rerr, &re) {
		t.Errorf("the error on NATS is %T, want a *RemoteError inside", rerr)
	}

	// A panic comes back as a panic.
	func() {
		defer func() {
			if pe, ok := recover().(*daskgen.PanicError); !ok || pe.Value != "thirteen" {
				t.Errorf("recovered %#v, want the task's panic", pe)
			}
		}()
		daskgen.Compute(ctx, boom.Call(daskgen.Value(13)), daskgen.Using(ex))
	}()
}

// Arguments and results over the size limit go through the object store.
func TestLargeValues(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 5*time.Second)
	ex := c.executor(t, natsexec.BlobOver(64<<10))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	big := grow.Call(daskgen.Value([]byte("0123456789abcdef")), daskgen.Value(200_000)) // 3.2 MB
	n, err := daskgen.Compute(ctx, length.Call(big), daskgen.Using(ex))
	if err != nil || n != 3_200_000 {
		t.Fatalf("length of a 3.2 MB result = %d, %v", n, err)
	}
}

// TestLargeValuesSigned: with results signed, arguments that go through
// the object store are covered by the task's digest as the worker read
// them there, and a result stored there by its signed checksum: the client
// accepts both (a digest taken over anything else would reject them).
func TestLargeValuesSigned(t *testing.T) {
	t.Parallel()
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, t.TempDir(), -1)
	c := &cluster{t: t, srv: srv, url: srv.ClientURL(), ackWait: 5 * time.Second, env: []string{natsexec.EnvResultSecret + "=" + secret}}
	t.Cleanup(c.stop)
	c.startWorker()
	ex := c.executor(t, natsexec.BlobOver(64<<10), natsexec.ResultSecret(mustSecret(t, secret)), natsexec.LostAfter(5*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	big := grow.Call(daskgen.Value([]byte("0123456789abcdef")), daskgen.Value(20_000)) // 320 KB each way
	n, err := daskgen.Compute(ctx, length.Call(big), daskgen.Using(ex))
	if err != nil || n != 320_000 {
		t.Fatalf("length of a 320 KB signed result = %d, %v", n, err)
	}
}

// A worker killed mid-graph: its tasks are delivered again to the other,
// and the compute completes with the right result.
func TestWorkerKilledMidGraph(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var ds []daskgen.Delayed[int]
	for i := range 24 {
		ds = append(ds, slow.Call(daskgen.Value(i)))
	}
	go func() {
		time.Sleep(450 * time.Millisecond)
		c.mu.Lock()
		w := c.workers[0]
		c.mu.Unlock()
		w.Process.Kill() // kill -9: no drain, no ack
	}()
	got, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1000 {
			t.Fatalf("result %d = %d", i, v)
		}
	}
}

// A task that kills every worker that runs it fails the compute after
// MaxDeliver deliveries, with an error that says so.
func TestTaskThatAlwaysCrashesItsWorker(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 500*time.Millisecond)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Restart workers as they die, as a supervisor would.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		cmd := c.workers[0]
		for {
			cmd.Wait()
			select {
			case <-stop:
				return
			default:
			}
			cmd = c.startWorker()
		}
	}()
	_, err := daskgen.Compute(ctx, crash.Call(daskgen.Value(13)), daskgen.Using(ex))
	close(stop)
	c.mu.Lock()
	last := c.workers[len(c.workers)-1]
	c.mu.Unlock()
	last.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	if err == nil || !strings.Contains(err.Error(), "was delivered 3 times and no worker finished it") {
		t.Fatalf("error = %v, want one about MaxDeliver", err)
	}
}

// Garbage on the task subject is logged and dropped; workers go on.
func TestMalformedMessagesAreDropped(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 5*time.Second)
	ex := c.executor(t)
	nc, err := nats.Connect(c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, junk := range [][]byte{nil, []byte("hello"), {0xa2, 0x01, 0x60, 0x02, 0x60}, bytes.Repeat([]byte{0x9f}, 100)} {
		if err := nc.Publish("daskgen.DASKGEN.tasks", junk); err != nil {
			t.Fatal(err)
		}
	}
	nc.Flush()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(9)), daskgen.Using(ex)); err != nil || v != 81 {
		t.Fatalf("after junk: %v, %v", v, err)
	}
	// A worker only runs registered functions.
	if _, err := ex.Run(ctx, "natsexec_test.nosuch", nil); err == nil || !strings.Contains(err.Error(), `function "natsexec_test.nosuch" is not registered`) {
		t.Errorf("unregistered function: %v", err)
	}
	c.stop()
	if log := c.logs[0].String(); !strings.Contains(log, "dropping a message") {
		t.Errorf("the worker did not log the junk:\n%s", log)
	}
}

// The server restarts mid-compute: the compute completes, or fails with a
// clear error, before its deadline; it never hangs.
func TestServerRestartMidCompute(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	port := freePort(t)
	srv := startServer(t, dir, port)
	c := &cluster{t: t, srv: srv, url: srv.ClientURL(), ackWait: time.Second}
	c.startWorker()
	c.startWorker()
	t.Cleanup(c.stop)
	// LostAfter bounds the wait on a server that does not come back in
	// time; the deadline, far above it, only catches a hang.
	const lostAfter = 5 * time.Second
	ex := c.executor(t, natsexec.LostAfter(lostAfter))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var ds []daskgen.Delayed[int]
	for i := range 16 {
		ds = append(ds, slow.Call(daskgen.Value(i)))
	}
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(400 * time.Millisecond)
		srv.Shutdown()
		srv.WaitForShutdown()
		time.Sleep(300 * time.Millisecond)
		s2, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
		if err != nil {
			restarted <- err
			return
		}
		s2.Start()
		c.mu.Lock()
		c.srv = s2
		c.mu.Unlock()
		if !s2.ReadyForConnections(30 * time.Second) {
			err = errors.New("the restarted server did not come up")
		}
		restarted <- err
	}()
	got, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
	if rerr := <-restarted; rerr != nil {
		t.Fatal(rerr)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the compute waited until its deadline across the restart: %v", err)
	}
	if err != nil {
		t.Logf("the compute failed clearly across the restart: %v", err)
		return
	}
	for i, v := range got {
		if v != i+1000 {
			t.Fatalf("result %d = %d", i, v)
		}
	}
}

// flakyCalls counts calls in each process: flaky fails on the first call
// of every process, so that only a retry succeeds.
var flakyCalls atomic.Int64

var flaky = daskgen.Func1E(func(x int) (int, error) {
	if flakyCalls.Add(1) == 1 {
		return 0, errors.New("first call fails")
	}
	return x * 10, nil
}, daskgen.Register("natsexec_test.flaky"), daskgen.Retries(2), daskgen.Backoff(time.Millisecond))

// Retries work as they do locally: the computing process runs the task
// again when the worker reports an error.
func TestRetries(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 5*time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := daskgen.Compute(ctx, flaky.Call(daskgen.Value(4)), daskgen.Using(ex))
	if err != nil || v != 40 {
		t.Fatalf("flaky with Retries(2) = %v, %v; want 40", v, err)
	}
}

// SIGTERM drains a worker: it finishes the tasks it holds, stores their
// results, and exits, so the compute completes without waiting for AckWait.
func TestWorkerDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, 30*time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var ds []daskgen.Delayed[int]
	for i := range 4 {
		ds = append(ds, slow.Call(daskgen.Value(i)))
	}
	w := c.workers[0]
	go func() {
		// SIGTERM once the worker holds all four tasks.
		nc, err := nats.Connect(c.url)
		if err != nil {
			t.Error(err)
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		for ctx.Err() == nil {
			if cons, err := js.Consumer(ctx, "DASKGEN_TASKS", "DASKGEN_WORKERS"); err == nil {
				if info, err := cons.Info(ctx); err == nil && info.NumAckPending == 4 {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		w.Process.Signal(syscall.SIGTERM)
	}()
	start := time.Now()
	got, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the compute took %v: the drained worker's tasks waited for redelivery", took)
	}
	for i, v := range got {
		if v != i+1000 {
			t.Fatalf("result %d = %d", i, v)
		}
	}
	if err := w.Wait(); err != nil {
		t.Errorf("the drained worker exited with %v", err)
	}
}

// Connection options pass through: a server that wants a user and a
// password refuses a connection without them.
func TestConnectionOptions(t *testing.T) {
	t.Parallel()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		Username: "dask", Password: "s3cret", NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	ctx := context.Background()
	if ex, err := natsexec.Connect(ctx, s.ClientURL()); err == nil {
		ex.Close()
		t.Fatal("connected without credentials")
	}
	ex, err := natsexec.Connect(ctx, s.ClientURL(), natsexec.NATSOptions(nats.UserInfo("dask", "s3cret")))
	if err != nil {
		t.Fatal(err)
	}
	ex.Close()
}

// Generated twins move to the cluster with SetDefaultExecutor alone: the
// twins of internal/twinbench, unchanged, run their delayed calls on the
// workers and return what the sequential functions return.
func TestGeneratedTwinsOnNATS(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, 5*time.Second)
	ex := c.executor(t)
	daskgen.SetDefaultExecutor(ex)
	defer daskgen.SetDefaultExecutor(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := twinbench.SpinParallel(ctx, 6)
	if want := twinbench.Spin(6); err != nil || got != want {
		t.Errorf("SpinParallel on NATS = %v, %v; want %v", got, err, want)
	}
	days, err := twinbench.FetchParallel(ctx, 3)
	if want := twinbench.Fetch(3); err != nil || !slices.Equal(days, want) {
		t.Errorf("FetchParallel on NATS = %v, %v; want %v", days, err, want)
	}
}

// TestConnectionErrorsHideSecrets: a failed connection's error names the
// server, never the password or token in its URL.
func TestConnectionErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"nats://alice:s3cret@127.0.0.1:1",
		"nats://t0ken-s3cret@127.0.0.1:1",
		"nats://127.0.0.1:1,nats://bob:s3cret@127.0.0.1:2",
		// Passwords a URL parser rejects, or reads in part.
		"nats://alice:ab/s3cret+x@127.0.0.1:1",
		"nats://alice:s3cret/#?@127.0.0.1:1",
		"nats://alice:a%zzs3cret@127.0.0.1:1",
		"nats://alice:s3c@ret@127.0.0.1:1",
		"nats://alice:1e5s3cret@127.0.0.1:1",
	} {
		// Nothing listens there: Connect tries again for ReadyWait.
		ex, err := natsexec.Connect(context.Background(), url, natsexec.ReadyWait(200*time.Millisecond))
		if err == nil {
			ex.Close()
			t.Fatalf("Connect(%s) succeeded", natsexec.Redacted(url))
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows a secret: %v", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("the error does not name the server: %v", err)
		}
		if r := natsexec.Redacted(url); strings.Contains(r, "s3cret") || strings.Contains(r, "ret@") {
			t.Errorf("Redacted shows a secret: %s", r)
		}
	}
	// Credentials given as an option, with characters a URL cannot hold.
	srv := startServer(t, t.TempDir(), -1)
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	_, err := natsexec.Connect(context.Background(), "nats://127.0.0.1:1",
		natsexec.NATSOptions(nats.UserInfo("alice", "s3cret/+=:@"), nats.Timeout(time.Second)), natsexec.ReadyWait(200*time.Millisecond))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v: want an error without the password", err)
	}
}

// TestConnectWaitsForAServer: a client and a worker started before their
// server listens (started together, as a compose file or a cluster's
// recipe does) connect once it listens, each saying once through Logf
// that it waits; with no server at all, Connect gives up after ReadyWait
// with an error that names the server without its password and matches
// nats.ErrNoServers and context.DeadlineExceeded.
func TestConnectWaitsForAServer(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	type started struct {
		ex  *natsexec.Executor
		err error
	}
	var clog, wlog clientLog
	done := make(chan started, 1)
	go func() {
		ex, err := natsexec.Connect(context.Background(), url, clog.option())
		done <- started{ex, err}
	}()
	wctx, stopWorker := context.WithCancel(context.Background())
	worked := make(chan error, 1)
	go func() { worked <- natsexec.Work(wctx, url, wlog.option()) }()
	defer func() {
		stopWorker()
		if err := <-worked; err != nil {
			t.Errorf("the worker: %v", err)
		}
	}()
	const waiting = "no server of"
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(clog.String(), waiting) || !strings.Contains(wlog.String(), waiting); {
		select {
		case s := <-done:
			t.Fatalf("Connect returned (%v) with no server listening", s.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client and the worker did not say within 10 s that they wait for a server; logs:\n%s\n%s", &clog, &wlog)
		}
		time.Sleep(20 * time.Millisecond)
	}
	begin := time.Now()
	srv := startServer(t, t.TempDir(), port)
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() }) // after the worker drains
	var s started
	select {
	case s = <-done:
	case <-time.After(natsexec.DefaultReadyWait):
		t.Fatal("Connect did not return once the server listened")
	}
	if s.err != nil {
		t.Fatalf("Connect, started before the server: %v", s.err)
	}
	defer s.ex.Close()
	t.Logf("the server listens: the client connected after %v", time.Since(begin).Round(10*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := daskgen.Compute(ctx, square.Call(daskgen.Value(9)), daskgen.Using(s.ex)); err != nil || v != 81 {
		t.Fatalf("a compute on the worker that waited too = %v, %v; want 81", v, err)
	}
	t.Logf("and computed on the worker after %v", time.Since(begin).Round(10*time.Millisecond))
	if n := strings.Count(clog.String(), waiting); n != 1 {
		t.Errorf("the client logged its wait %d times, want once; its log:\n%s", n, &clog)
	}

	// No server at all: an error at ReadyWait, without the password.
	begin = time.Now()
	ex, err := natsexec.Connect(context.Background(), fmt.Sprintf("nats://alice:s3cret@127.0.0.1:%d", freePort(t)), natsexec.ReadyWait(time.Second))
	took := time.Since(begin)
	if err == nil {
		ex.Close()
		t.Fatal("Connect succeeded with no server")
	}
	t.Logf("no server: %v after %v", err, took.Round(10*time.Millisecond))
	if !errors.Is(err, nats.ErrNoServers) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "alice:xxxxx@127.0.0.1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v: want nats.ErrNoServers and DeadlineExceeded, naming the server without its password", err)
	}
	if took < time.Second-100*time.Millisecond || took > 4*time.Second {
		t.Errorf("Connect gave up after %v; ReadyWait is 1 s", took)
	}
}

func ExampleRedacted() {
	fmt.Println(natsexec.Redacted("nats://alice:s3cret@nats.internal:4222,nats://t0ken@backup:4222"))
	// Output: nats://alice:xxxxx@nats.internal:4222,nats://xxxxx@backup:4222
}

// marked appends a line to the file it is given, so that a test can count
// how often the task ran across worker processes, then runs for a while.
var marked = daskgen.Func1(func(path string) int {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintln(f, os.Getpid())
		f.Close()
	}
	time.Sleep(7 * time.Second)
	return 1
}, daskgen.Register("natsexec_test.marked"))

// TestDefaultRecovery: with the default AckWait, the task of a worker
// killed mid-task is delivered again within seconds, while a task that runs
// longer than AckWait on a live worker is delivered once.
func TestDefaultRecovery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes about 15 seconds")
	}
	c := newCluster(t, 2, 0) // the workers keep natsexec's defaults
	ex, err := natsexec.Connect(context.Background(), c.url, natsexec.MaxDeliver(3))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A worker dies mid-task.
	go func() {
		time.Sleep(100 * time.Millisecond)
		c.mu.Lock()
		w := c.workers[0]
		c.mu.Unlock()
		w.Process.Kill()
	}()
	begin := time.Now()
	computeSlow(t, ctx, ex, 8)
	took := time.Since(begin)
	t.Logf("a worker killed mid-task: the right results after %v (AckWait %v)", took.Round(10*time.Millisecond), natsexec.DefaultAckWait)
	if took > 3*natsexec.DefaultAckWait {
		t.Errorf("recovery took %v; the killed worker's tasks should be delivered again about %v after it died", took, natsexec.DefaultAckWait)
	}

	// A task longer than AckWait, on a live worker: delivered once.
	path := filepath.Join(t.TempDir(), "runs")
	if _, err := daskgen.Compute(ctx, marked.Call(daskgen.Value(path)), daskgen.Using(ex)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if runs := strings.Count(string(b), "\n"); runs != 1 {
		t.Errorf("a 7 s task with a 5 s AckWait ran %d times, want once", runs)
	}
}

// TestServerLostFailsInBoundedTime: a compute whose server is gone for good
// fails within LostAfter, with an error that says what was lost, although
// its context has no deadline; then new tasks fail at once.
func TestServerLostFailsInBoundedTime(t *testing.T) {
	t.Parallel()
	srv := startServer(t, t.TempDir(), -1)
	ex, err := natsexec.Connect(context.Background(), srv.ClientURL(), natsexec.LostAfter(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	go func() {
		time.Sleep(200 * time.Millisecond) // the task is published; no worker takes it
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	begin := time.Now()
	_, err = daskgen.Compute(context.Background(), slow.Call(daskgen.Value(1)), daskgen.Using(ex))
	took := time.Since(begin)
	t.Logf("server killed: the compute failed after %v: %v", took.Round(10*time.Millisecond), err)
	if err == nil || !strings.Contains(err.Error(), "lost the NATS server") {
		t.Fatalf("error %v, want one that says the server was lost", err)
	}
	if took > 10*time.Second {
		t.Errorf("the compute failed after %v; LostAfter is 1 s", took)
	}
	if _, err := ex.Run(context.Background(), "natsexec_test.slow", nil); err == nil || !strings.Contains(err.Error(), "lost the NATS server") {
		t.Errorf("a task run while the server is lost: %v, want the same error at once", err)
	}
}

// TestStoreWipedFailsInBoundedTime: a server that comes back with an empty
// store fails the compute within LostAfter, with a handful of log lines.
func TestStoreWipedFailsInBoundedTime(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	srv := startServer(t, t.TempDir(), port)
	var lines atomic.Int64
	var once sync.Once
	recreated := make(chan struct{})
	var s2 *server.Server
	defer func() {
		if s2 != nil {
			s2.Shutdown()
			s2.WaitForShutdown()
		}
	}()
	ex, err := natsexec.Connect(context.Background(), srv.ClientURL(), natsexec.LostAfter(time.Second),
		natsexec.Logf(func(f string, a ...any) {
			lines.Add(1)
			if strings.Contains(fmt.Sprintf(f, a...), "created it again") {
				once.Do(func() { close(recreated) })
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Close once the executor has created its stream and buckets
		// again on the new server: a creation still in flight when the
		// server shuts down leaves a store behind whose goroutines
		// outlive it (goleak saw their flushStreamStateLoop, about once
		// in 20 runs).
		select {
		case <-recreated:
		case <-time.After(10 * time.Second):
		}
		ex.Close()
	}()
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		time.Sleep(200 * time.Millisecond)
		srv.Shutdown()
		srv.WaitForShutdown()
		s2 = startServer(t, t.TempDir(), port) // a new, empty store
	}()
	begin := time.Now()
	_, err = daskgen.Compute(context.Background(), slow.Call(daskgen.Value(1)), daskgen.Using(ex))
	took := time.Since(begin)
	<-ready
	t.Logf("store wiped: the compute failed after %v with %d log lines: %v", took.Round(10*time.Millisecond), lines.Load(), err)
	if err == nil || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("error %v, want one that says the results bucket is gone", err)
	}
	if took > 10*time.Second {
		t.Errorf("the compute failed after %v; LostAfter is 1 s", took)
	}
	if n := lines.Load(); n > 5 {
		t.Errorf("%d log lines in %v: a flood", n, took)
	}
}

// jsCluster starts a JetStream cluster of n servers on loopback.
func jsCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	var routes []*neturl.URL
	for _, p := range ports {
		u, _ := neturl.Parse(fmt.Sprintf("nats://127.0.0.1:%d", p))
		routes = append(routes, u)
	}
	var srvs []*server.Server
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("s%d", i), Host: "127.0.0.1", Port: -1, JetStream: true,
			StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
			Cluster: server.ClusterOpts{Name: "daskgen", Host: "127.0.0.1", Port: ports[i]},
			Routes:  routes,
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		srvs = append(srvs, s)
	}
	for _, s := range srvs {
		if !s.ReadyForConnections(20 * time.Second) {
			t.Fatal("a cluster server did not start")
		}
	}
	// JetStream is ready when the meta group has a leader that sees every
	// server online, with its stats: before that, a stream of n replicas
	// finds "no suitable peers for placement".
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range srvs {
			if s.JetStreamIsLeader() && len(s.JetStreamClusterPeers()) == n {
				return srvs
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the JetStream cluster did not come up: no leader that sees every server")
	return nil
}

// TestClusterSurvivesLosingAServer runs a graph on two workers of a
// three-server JetStream cluster with replicated streams and buckets, kills
// one server mid-compute, and gets the right result.
func TestClusterSurvivesLosingAServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-server cluster")
	}
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
	// The executor (and so the stream and buckets, with three replicas)
	// first; then the workers, on the cluster's URLs.
	ex, err := natsexec.Connect(context.Background(), all, natsexec.Replicas(3), natsexec.AckWait(time.Second), natsexec.MaxDeliver(5))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	c := &cluster{t: t, url: all, ackWait: time.Second}
	c.startWorker()
	c.startWorker()
	defer c.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	go func() {
		time.Sleep(700 * time.Millisecond)
		srvs[1].Shutdown() // one of three: the cluster keeps a quorum
	}()
	begin := time.Now()
	computeSlow(t, ctx, ex, 24)
	t.Logf("a server of three killed mid-compute: the right results after %v", time.Since(begin).Round(10*time.Millisecond))
}

// TestForgedResultsAreRejected: a rogue process that reads the tasks and
// writes its own results into the bucket first (it can reach the server,
// but has not the result secret) does not change what the client returns.
func TestForgedResultsAreRejected(t *testing.T) {
	secret, err := natsexec.NewResultSecret()
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, t.TempDir(), -1)
	c := &cluster{t: t, srv: srv, url: srv.ClientURL(), ackWait: time.Second, env: []string{natsexec.EnvResultSecret + "=" + secret}}
	t.Cleanup(c.stop)
	var logged atomic.Int64
	t.Setenv(natsexec.EnvURL, c.url)
	t.Setenv(natsexec.EnvResultSecret, secret)
	ex, err := natsexec.FromEnv(context.Background(), natsexec.Logf(func(f string, a ...any) {
		if strings.Contains(fmt.Sprintf(f, a...), "not signed with the result secret") {
			logged.Add(1)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()

	// The rogue: it sees every task published and answers first.
	rogue, err := nats.Connect(c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	js, err := jetstream.New(rogue)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), "DASKGEN_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := cbor.Marshal(map[int]any{1: mustCBOR(t, 666)})
	var forgedN atomic.Int64
	sub, err := rogue.Subscribe("daskgen.DASKGEN.tasks", func(m *nats.Msg) {
		var task map[int]any
		if cbor.Unmarshal(m.Data, &task) != nil {
			return
		}
		if id, ok := task[1].(string); ok {
			if _, err := kv.Put(context.Background(), id, forged); err == nil {
				forgedN.Add(1)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	rogue.Flush()

	c.startWorker()
	c.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var ds []daskgen.Delayed[int]
	for i := range 6 {
		ds = append(ds, slow.Call(daskgen.Value(i)))
	}
	got, err := daskgen.ComputeSlice(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1000 {
			t.Fatalf("result %d = %d: a forged result was accepted", i, v)
		}
	}
	if forgedN.Load() == 0 || logged.Load() == 0 {
		t.Errorf("the rogue forged %d results and the client dropped %d: the test did not test", forgedN.Load(), logged.Load())
	}
	t.Logf("the rogue wrote %d forged results first; the client dropped %d and returned the workers' values", forgedN.Load(), logged.Load())
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCredentialsRequired: with users on the server, as in the
// quickstart's configuration, a process without credentials cannot
// connect, and one with them can.
func TestCredentialsRequired(t *testing.T) {
	t.Parallel()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
		Users: []*server.User{{Username: "client", Password: "cpw"}, {Username: "worker", Password: "wpw",
			Permissions: &server.Permissions{Publish: &server.SubjectPermission{Deny: []string{"daskgen.*.tasks"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer func() {
		s.Shutdown()
		s.WaitForShutdown()
	}()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	addr := s.Addr().String()
	if ex, err := natsexec.Connect(context.Background(), "nats://"+addr); err == nil {
		ex.Close()
		t.Fatal("connected without credentials")
	} else if !strings.Contains(err.Error(), "Authorization Violation") {
		t.Errorf("error %v, want an authorization violation", err)
	}
	ex, err := natsexec.Connect(context.Background(), "nats://client:cpw@"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	// The worker role cannot submit tasks: the server refuses the publish.
	violations := make(chan error, 1)
	w, err := nats.Connect("nats://worker:wpw@"+addr, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case violations <- err:
		default:
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Publish("daskgen.DASKGEN.tasks", []byte("not a task"))
	w.Flush()
	select {
	case err := <-violations:
		if !strings.Contains(err.Error(), "Permissions Violation") {
			t.Errorf("a worker's task publish: %v, want a permissions violation", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("a worker published a task without a permissions violation")
	}
}

// TestAllWorkersKilledThenOneStarts: every worker dies mid-compute; a new
// one started later finishes the compute with the right results, its tasks
// delivered again once AckWait has passed.
func TestAllWorkersKilledThenOneStarts(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, time.Second)
	ex := c.executor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		time.Sleep(150 * time.Millisecond)
		c.mu.Lock()
		workers := slices.Clone(c.workers)
		c.mu.Unlock()
		for _, w := range workers {
			w.Process.Kill()
		}
		time.Sleep(500 * time.Millisecond)
		c.startWorker()
	}()
	begin := time.Now()
	computeSlow(t, ctx, ex, 12)
	t.Logf("all workers killed, one started 0.5 s later: the right results after %v (AckWait 1 s)", time.Since(begin).Round(10*time.Millisecond))
}

// computeSlow computes n slow tasks on ex and checks their results.
func computeSlow(t *testing.T, ctx context.Context, ex *natsexec.Executor, n int) {
	t.Helper()
	var ds []daskgen.Delayed[int]
	for i := range n {
		ds = append(ds, slow.Call(daskgen.Value(i)))
	}
	got, err := daskgen.ComputeSlice(ctx, ds, daskgen.Using(ex))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1000 {
			t.Fatalf("result %d = %d", i, v)
		}
	}
}

// clientLog records what an executor logs (its Logf option), safely for
// the executor's goroutines and the test reading it.
type clientLog struct {
	mu    sync.Mutex
	lines []string
}

// option is the natsexec.Logf option that records into l.
func (l *clientLog) option() natsexec.Option {
	return natsexec.Logf(func(f string, a ...any) {
		l.mu.Lock()
		l.lines = append(l.lines, fmt.Sprintf(f, a...))
		l.mu.Unlock()
	})
}

// String returns what was logged so far, one line per call.
func (l *clientLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
