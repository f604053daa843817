package natsexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/executor"
)

// Work runs the process as a worker: it takes tasks from the stream and
// runs the functions they name, which must be registered in this process
// (generated wrappers register every delayed function when their package
// is loaded). It returns when ctx is done or on SIGTERM or SIGINT, after
// draining: it stops taking tasks and finishes the ones it holds. A worker
// runs only registered functions; a task that names another function gets
// an error as its result. Like FromEnv, it reads $DASKGEN_NATS_REPLICAS
// (the Replicas of the stream and buckets it creates, if it starts first)
// and $DASKGEN_RESULT_SECRET. Like Connect, it waits for a server that
// does not listen yet and a JetStream that is not ready yet, for up to
// ReadyWait in all.
func Work(ctx context.Context, url string, opts ...Option) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	opts, err := replicasFromEnv(opts)
	if err != nil {
		return err
	}
	cfg := newConfig(opts)
	if cfg.secret == nil {
		secret, err := secretFromEnv()
		if err != nil {
			return err
		}
		cfg.secret = secret
	}
	// A server that does not listen yet, then a cluster that has just
	// started and is not ready: wait for both, within one ReadyWait.
	setupCtx, cancelSetup := context.WithTimeout(ctx, cfg.readyWait)
	defer cancelSetup()
	nc, err := connect(setupCtx, url, cfg, "daskgen worker")
	if err != nil {
		return err
	}
	defer nc.Close()
	var r *resources
	var cons jetstream.Consumer
	err = untilReady(setupCtx, url, cfg, func(ctx context.Context) error {
		var err error
		if r, err = ensure(ctx, nc, cfg, true); err != nil {
			return err
		}
		if cons, err = r.js.Consumer(ctx, r.n.stream, r.n.consumer); err != nil {
			return fmt.Errorf("natsexec: consumer %s: %w", r.n.consumer, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := &worker{cfg: cfg, r: r, name: workerName()}
	// A client that rejects a result of this worker says so: log it, since
	// the worker's secret is likely wrong, and nothing else would show it.
	rej, err := nc.Subscribe(r.n.rejected, func(m *nats.Msg) {
		var x rejection
		if strict.Unmarshal(m.Data, &x) == nil && x.Worker == w.name {
			cfg.logf("natsexec: worker: a client rejected the result of %s: its signature does not verify; check that this worker's %s is the clients'", x.ID, EnvResultSecret)
		}
	})
	if err != nil {
		return fmt.Errorf("natsexec: subscribing to %s: %w", r.n.rejected, err)
	}
	defer rej.Unsubscribe()
	sem := make(chan struct{}, cfg.concurrency)
	var wg sync.WaitGroup
	// Tasks run on after a drain starts, so their context is not ctx.
	taskCtx := context.WithoutCancel(ctx)
	handler := func(m jetstream.Msg) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			w.handle(taskCtx, m)
		}()
	}
	// A consumer deleted, alone or with its stream, ends the consumption
	// or leaves its pulls unanswered ("no responders"), which the client
	// library would retry only after a missed heartbeat, 30 s later.
	gone := make(chan struct{}, 1)
	for {
		cc, err := cons.Consume(handler, jetstream.PullMaxMessages(cfg.concurrency), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			cfg.logf("natsexec: worker: %v", err)
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, nats.ErrNoResponders) {
				select {
				case gone <- struct{}{}:
				default:
				}
			}
		}))
		if err != nil {
			return fmt.Errorf("natsexec: consuming tasks: %w", err)
		}
		select {
		case <-ctx.Done():
			cc.Drain()
			<-cc.Closed()
			wg.Wait()
			return nil
		case <-cc.Closed():
		case <-gone:
			cc.Stop()
		}
		// Take tasks again once the consumer exists: a client creates it
		// again when it notices, or when it connects. The tasks this worker
		// holds run on meanwhile.
		cfg.logf("natsexec: worker: the task consumer %s stopped answering (deleted, alone or with its stream %s); taking tasks again once it answers", r.n.consumer, r.n.stream)
		if cons, err = w.consumerAgain(ctx); err != nil {
			wg.Wait()
			return nil
		}
		select {
		case <-gone: // said of the consumption just stopped
		default:
		}
		cfg.logf("natsexec: worker: the task consumer %s answers again; taking tasks", r.n.consumer)
	}
}

// consumerAgain waits for the task consumer to exist, looking every
// second. It fails only when ctx is done.
func (w *worker) consumerAgain(ctx context.Context) (jetstream.Consumer, error) {
	n := w.r.n
	for {
		if c, err := w.r.js.Consumer(ctx, n.stream, n.consumer); err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

type worker struct {
	cfg  *config
	r    *resources
	name string // host and process, for the client's dashboard
}

// workerName names this process in the results it stores, so that a
// client's dashboard gives each worker process a lane of its own.
func workerName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "worker"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// handle runs one delivered task and stores its result.
func (w *worker) handle(ctx context.Context, m jetstream.Msg) {
	t, err := decodeTask(m.Data())
	if err != nil {
		w.cfg.logf("natsexec: worker: dropping a message on %s: %v", m.Subject(), err)
		m.Term()
		return
	}
	var r resultMsg
	args := t.Args
	if t.Blob != "" {
		b, err := w.r.obj.GetBytes(ctx, t.Blob)
		if err == nil {
			err = cbor.Unmarshal(b, &args)
		}
		if err != nil {
			// The client may have given up and removed it: nothing to run.
			w.cfg.logf("natsexec: worker: arguments of %s: %v", t.ID, err)
			m.Term()
			return
		}
	}
	if !executor.Registered(t.Fn) {
		r = resultMsg{Unreg: true, Failed: true, Err: fmt.Sprintf("function %q is not registered in this worker", t.Fn)}
	} else {
		r = w.run(ctx, m, t.Fn, args)
	}
	if len(r.Value) > w.cfg.blobOver {
		name := "result." + t.ID
		if _, err := w.r.obj.PutBytes(ctx, name, r.Value); err != nil {
			w.cfg.logf("natsexec: worker: storing the result of %s: %v", t.ID, err)
			m.Nak()
			return
		}
		r.BlobSum = blobSum(r.Value)
		r.Value, r.Blob = nil, name
	}
	r.Worker = w.name
	if w.cfg.secret != nil {
		sign(w.cfg.secret, taskDigest(t.ID, t.Fn, args), &r)
	}
	b, err := cbor.Marshal(r)
	if err == nil {
		err = w.put(ctx, m, t.ID, b)
	}
	if err != nil {
		w.cfg.logf("natsexec: worker: storing the result of %s: %v", t.ID, err)
		// Deliver it again later, not at once: a redelivery now would
		// likely fail the same way.
		m.NakWithDelay(w.cfg.ackWait)
		return
	}
	if err := m.Ack(); err != nil {
		w.cfg.logf("natsexec: worker: acking %s: %v", t.ID, err)
	}
}

// run runs the function, telling the server every AckWait/3 that the task
// is in progress.
func (w *worker) run(ctx context.Context, m jetstream.Msg, fn string, args [][]byte) resultMsg {
	every := max(w.cfg.ackWait/3, time.Millisecond)
	var mu sync.Mutex
	stopped := false
	var progress *time.Timer
	// Assigned under mu, which the timer's function holds too: otherwise
	// its read of progress races with this write (the race detector says
	// so when the timer fires soon).
	mu.Lock()
	progress = time.AfterFunc(every, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			m.InProgress()
			progress.Reset(every)
		}
	})
	mu.Unlock()
	defer func() {
		mu.Lock()
		stopped = true
		progress.Stop()
		mu.Unlock()
	}()
	out, err := executor.Serve(ctx, fn, w.cfg.codec, args)
	var pe *daskgen.PanicError
	switch {
	case errors.As(err, &pe):
		return resultMsg{Panic: fmt.Sprint(pe.Value), Stack: string(pe.Stack)}
	case err != nil:
		return resultMsg{Failed: true, Err: err.Error()}
	}
	return resultMsg{Value: out}
}

// putRetryFor bounds how long a worker retries storing a result: longer
// than a JetStream leader election (a few seconds), which fails the writes
// made during it.
const putRetryFor = 30 * time.Second

// put stores the result of task id, retrying with backoff for up to
// putRetryFor and keeping the task in progress meanwhile, so that a leader
// election in a cluster costs a delay, not the task's deliveries.
func (w *worker) put(ctx context.Context, m jetstream.Msg, id string, b []byte) error {
	deadline := time.Now().Add(putRetryFor)
	wait := 100 * time.Millisecond
	for {
		_, err := w.r.kv.Put(ctx, id, b)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		m.InProgress()
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}
