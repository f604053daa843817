package natsexec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/executor"
)

// names of the JetStream resources for a prefix.
type names struct {
	stream, subject, consumer, bucket, objects string
	rejected                                   string // where clients say which results they rejected
}

func namesFor(prefix string) names {
	return names{
		stream:   prefix + "_TASKS",
		subject:  "daskgen." + prefix + ".tasks",
		consumer: prefix + "_WORKERS",
		bucket:   prefix + "_RESULTS",
		objects:  prefix + "_BLOBS",
		rejected: "daskgen." + prefix + ".rejected",
	}
}

// resultTTL is how long an unread result or blob is kept.
const resultTTL = 24 * time.Hour

// resources makes sure the stream, the consumer and the buckets exist;
// executors and workers both call it, so either may start first.
type resources struct {
	js  jetstream.JetStream
	kv  jetstream.KeyValue
	obj jetstream.ObjectStore
	n   names
}

func ensure(ctx context.Context, nc *nats.Conn, cfg *config, worker bool) (*resources, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	n := namesFor(cfg.prefix)
	// Each resource is created when missing and used as it is otherwise:
	// clients and workers start at once, and concurrent updates of the same
	// stream are both needless and, in the servers that still support Go
	// 1.24, racy.
	if _, lerr := js.Stream(ctx, n.stream); lerr != nil {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{
			Name: n.stream, Subjects: []string{n.subject}, Retention: jetstream.WorkQueuePolicy,
			Replicas: cfg.replicas, Duplicates: 0,
		}); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			if worker && errors.Is(lerr, jetstream.ErrStreamNotFound) {
				// The server refuses the request without an answer: the
				// error alone would say only that it timed out.
				return nil, fmt.Errorf("natsexec: stream %s does not exist yet, and this worker could not create it (an account that may not, as the quickstart's worker: start a client, which creates it): %w", n.stream, err)
			}
			return nil, fmt.Errorf("natsexec: stream %s: %w", n.stream, err)
		}
	}
	// A worker uses the consumer as it is when it exists: in the
	// quickstart's accounts a worker may not create or change it.
	if _, err := js.Consumer(ctx, n.stream, n.consumer); !worker || err != nil {
		if _, err := js.CreateOrUpdateConsumer(ctx, n.stream, jetstream.ConsumerConfig{
			Durable: n.consumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: cfg.ackWait,
			MaxDeliver: cfg.maxDeliver, MaxAckPending: -1,
		}); err != nil {
			return nil, fmt.Errorf("natsexec: consumer %s: %w", n.consumer, err)
		}
	}
	// Results are removed once read; the TTL clears those of a computing
	// process that died.
	kv, err := js.KeyValue(ctx, n.bucket)
	if err != nil {
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: n.bucket, Replicas: cfg.replicas, TTL: resultTTL})
		if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			kv, err = lookupRaced(ctx, func() (jetstream.KeyValue, error) { return js.KeyValue(ctx, n.bucket) })
		}
	}
	if err != nil {
		return nil, fmt.Errorf("natsexec: bucket %s: %w", n.bucket, err)
	}
	obj, err := js.ObjectStore(ctx, n.objects)
	if err != nil {
		obj, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: n.objects, Replicas: cfg.replicas, TTL: resultTTL})
		if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			obj, err = lookupRaced(ctx, func() (jetstream.ObjectStore, error) { return js.ObjectStore(ctx, n.objects) })
		}
	}
	if err != nil {
		return nil, fmt.Errorf("natsexec: object store %s: %w", n.objects, err)
	}
	return &resources{js: js, kv: kv, obj: obj, n: n}, nil
}

// Executor runs the tasks of registered functions on the workers of a NATS
// JetStream server or cluster. Pass it to a compute with runtime.Using, or
// make it the default with runtime.SetDefaultExecutor (FromEnv does). It is
// safe for concurrent use.
type Executor struct {
	cfg    *config
	nc     *nats.Conn
	r      *resources
	client string
	next   atomic.Uint64

	mu      sync.Mutex
	waiting map[string]chan resultMsg
	digests map[string][]byte   // the digest of each waiting task (taskDigest)
	rejects map[string]int      // the results of a waiting task that failed verification
	seqs    map[uint64]string   // the waiting task of a stream sequence
	seqOf   map[string]uint64   // and back
	meta    map[string]taskMeta // the function and publish time of each waiting task

	cancel    context.CancelFunc
	watchDone chan struct{}
	adv       *nats.Subscription
	removals  *nats.Subscription   // the server's answers to the removals of results (remove)
	removeTo  string               // their subject: removeTo.<task id>
	deletions []*nats.Subscription // the server's advisories of a deleted stream or consumer
	kick      chan struct{}        // one came: check now (check.go)
	rewatch   chan struct{}        // watch the results again: the bucket was created again, or the watcher ended or fell silent
	monDone   chan struct{}
	mon       monitorState // the monitor goroutine's own
	isDefault bool
	closed    atomic.Bool

	url    string        // the server, redacted, for messages
	down   *atomic.Int64 // when the connection went down (Unix ns), or 0
	lostMu sync.Mutex
	lost   error // set while the server is lost: tasks fail at once
	gone   error // set while a deleted resource could not be created again: tasks fail at once
}

// taskMeta is what the checks of check.go need of a waiting task.
type taskMeta struct {
	fn   string
	sent time.Time // when it was published; zero before
}

var _ executor.Executor = (*Executor)(nil)

// Connect connects to the NATS server at url, creates the stream, the
// consumer and the buckets if they do not exist, and returns an executor.
// A server that does not listen yet, and a JetStream that is not ready yet
// (a cluster that has just started and has no meta leader, or too few
// servers for Replicas), are waited for, with backoff, until ctx ends or
// ReadyWait has passed; each wait is logged once through Logf, and an
// error at its end says what it waited for.
func Connect(ctx context.Context, url string, opts ...Option) (*Executor, error) {
	cfg := newConfig(opts)
	reconnected := make(chan struct{}, 1)
	var downSince atomic.Int64
	cfg.nats = append(cfg.nats, nats.ReconnectHandler(func(*nats.Conn) {
		downSince.Store(0)
		select {
		case reconnected <- struct{}{}:
		default:
		}
	}), nats.DisconnectErrHandler(func(*nats.Conn, error) {
		downSince.CompareAndSwap(0, time.Now().UnixNano())
	}))
	// A server that does not listen yet, then a cluster that has just
	// started and is not ready: wait for both, within one ReadyWait.
	setupCtx, cancelSetup := context.WithTimeout(ctx, cfg.readyWait)
	defer cancelSetup()
	nc, err := connect(setupCtx, url, cfg, "daskgen executor")
	if err != nil {
		return nil, err
	}
	var r *resources
	var ident identity
	err = untilReady(setupCtx, url, cfg, func(ctx context.Context) error {
		var err error
		if r, err = ensure(ctx, nc, cfg, false); err == nil {
			ident, err = identifyIn(ctx, r)
		}
		return err
	})
	if err != nil {
		nc.Close()
		return nil, err
	}
	e := &Executor{cfg: cfg, nc: nc, r: r, client: nuid.Next(), url: Redacted(url),
		waiting: map[string]chan resultMsg{}, digests: map[string][]byte{}, rejects: map[string]int{}, seqs: map[uint64]string{}, seqOf: map[string]uint64{},
		meta: map[string]taskMeta{}, watchDone: make(chan struct{}), monDone: make(chan struct{}),
		kick: make(chan struct{}, 1), rewatch: make(chan struct{}, 1)}
	e.down = &downSince
	e.mon.ident = ident
	wctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	w, err := r.kv.Watch(wctx, e.client+".*", jetstream.UpdatesOnly())
	if err != nil {
		cancel()
		nc.Close()
		return nil, fmt.Errorf("natsexec: watching results: %w", err)
	}
	if cfg.secret == nil {
		cfg.logf("natsexec: results are not authenticated: anyone who can write to the results bucket can forge them; give workers and clients a shared secret (%s, or ResultSecret)", EnvResultSecret)
	}
	// The answers to the requests that remove results, which nobody
	// waits for: a failure is logged.
	e.removeTo = nats.NewInbox()
	if e.removals, err = nc.Subscribe(e.removeTo+".>", e.removed); err != nil {
		cancel()
		w.Stop()
		nc.Close()
		return nil, err
	}
	go e.watch(wctx, w, reconnected)
	go e.monitor(wctx)
	// A task that no worker finished in MaxDeliver deliveries.
	e.adv, err = nc.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."+r.n.stream+"."+r.n.consumer, e.maxDelivered)
	if err != nil {
		e.Close()
		return nil, err
	}
	// The task stream, its consumer, the results bucket or the object
	// store deleted: the server says so at once, and the monitor checks
	// what is gone (an account that may not receive advisories relies on
	// its periodic check instead).
	for _, subj := range []string{
		"$JS.EVENT.ADVISORY.STREAM.DELETED." + r.n.stream,
		"$JS.EVENT.ADVISORY.STREAM.DELETED." + kvStream(r.n.bucket),
		"$JS.EVENT.ADVISORY.STREAM.DELETED." + objStream(r.n.objects),
		"$JS.EVENT.ADVISORY.CONSUMER.DELETED." + r.n.stream + "." + r.n.consumer,
	} {
		sub, err := nc.Subscribe(subj, func(*nats.Msg) { e.checkNow() })
		if err != nil {
			e.Close()
			return nil, err
		}
		e.deletions = append(e.deletions, sub)
	}
	return e, nil
}

// RunsLocally logs, through Logf, that a registered function runs in the
// computing process instead of on the workers.
func (e *Executor) RunsLocally(name, why string) {
	e.cfg.logf("natsexec: %s runs in this process, not on the workers: %s", name, why)
}

// Codec returns the codec of arguments and results.
func (e *Executor) Codec() executor.Codec { return e.cfg.codec }

// Close stops the executor: tasks still waiting fail, and the executor is
// no longer the default. It closes the connection.
func (e *Executor) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	if e.isDefault {
		daskgen.SetDefaultExecutor(nil)
	}
	if e.adv != nil {
		e.adv.Unsubscribe()
	}
	if e.removals != nil {
		e.removals.Unsubscribe()
	}
	for _, sub := range e.deletions {
		sub.Unsubscribe()
	}
	e.cancel()
	<-e.watchDone
	<-e.monDone
	e.mu.Lock()
	for id, ch := range e.waiting {
		ch <- resultMsg{Failed: true, Err: errClosed.Error()}
		delete(e.waiting, id)
	}
	e.mu.Unlock()
	e.nc.Close()
	return nil
}

// Run publishes a task and waits for its result.
func (e *Executor) Run(ctx context.Context, name string, args [][]byte) ([]byte, error) {
	if e.closed.Load() {
		return nil, errClosed
	}
	if err := e.lostErr(); err != nil {
		return nil, err
	}
	id := e.client + "." + strconv.FormatUint(e.next.Add(1), 36)
	ch := make(chan resultMsg, 1)
	e.mu.Lock()
	e.waiting[id] = ch
	e.digests[id] = taskDigest(id, name, args)
	e.meta[id] = taskMeta{fn: name}
	e.mu.Unlock()
	defer e.forget(id)

	msg := taskMsg{ID: id, Fn: name, Args: args}
	if size(args) > e.cfg.blobOver {
		b, err := cbor.Marshal(args)
		if err != nil {
			return nil, err
		}
		if _, err := e.r.obj.PutBytes(ctx, "args."+id, b); err != nil {
			return nil, fmt.Errorf("natsexec: storing the arguments of %s: %w", name, err)
		}
		defer e.r.obj.Delete(context.WithoutCancel(ctx), "args."+id)
		msg.Args, msg.Blob = nil, "args."+id
	}
	body, err := cbor.Marshal(msg)
	if err != nil {
		return nil, err
	}
	// A cluster that lost the server leading the stream elects another in
	// seconds: retry for as long as LostAfter allows.
	const retryWait = 250 * time.Millisecond
	ack, err := e.r.js.Publish(ctx, e.r.n.subject, body, jetstream.WithMsgID(id),
		jetstream.WithRetryAttempts(max(8, int(e.cfg.lostAfter/retryWait))), jetstream.WithRetryWait(retryWait))
	if err != nil {
		return nil, fmt.Errorf("natsexec: publishing task %s: %w", name, err)
	}
	e.mu.Lock()
	if _, ok := e.waiting[id]; ok {
		e.seqs[ack.Sequence] = id
		e.seqOf[id] = ack.Sequence
		e.meta[id] = taskMeta{fn: name, sent: time.Now()}
	}
	e.mu.Unlock()

	var timeout <-chan time.Time
	if d := e.cfg.taskTimeout; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	var r resultMsg
	select {
	case r = <-ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timeout:
		select {
		case r = <-ch: // it came as the timer fired
		default:
			return nil, e.timedOut(ctx, id, name, ack.Sequence)
		}
	}
	if r.fail != nil {
		return nil, r.fail
	}
	if r.rejected {
		return nil, fmt.Errorf("natsexec: %s: %w", r.Err, ErrRejected)
	}
	// The result has been read: remove it from the bucket, without waiting.
	e.remove(id, r.seq)
	if r.Worker != "" {
		executor.RanOn(ctx, r.Worker)
	}
	switch {
	case r.Unreg:
		return nil, fmt.Errorf("natsexec: the worker has no function %q registered: %s", name, r.Err)
	case r.Panic != "":
		return nil, &daskgen.PanicError{Task: name, Value: r.Panic, Stack: []byte(r.Stack)}
	case r.Failed:
		return nil, &daskgen.RemoteError{Msg: r.Err}
	case r.Blob != "":
		b, err := e.r.obj.GetBytes(ctx, r.Blob)
		if err != nil {
			return nil, fmt.Errorf("natsexec: fetching the result of %s: %w", name, err)
		}
		if e.cfg.secret != nil && !bytes.Equal(blobSum(b), r.BlobSum) {
			return nil, fmt.Errorf("natsexec: the stored result of %s does not match its signed checksum: it was replaced", name)
		}
		e.r.obj.Delete(context.WithoutCancel(ctx), r.Blob)
		return b, nil
	}
	return r.Value, nil
}

func size(args [][]byte) int {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	return n
}

func (e *Executor) forget(id string) {
	e.mu.Lock()
	delete(e.waiting, id)
	delete(e.digests, id)
	delete(e.rejects, id)
	delete(e.meta, id)
	if seq, ok := e.seqOf[id]; ok {
		delete(e.seqs, seq)
		delete(e.seqOf, id)
	}
	e.mu.Unlock()
}

// remove removes result seq, of task id, from the bucket: it asks the
// JetStream API to purge the messages of the task's key up to seq
// ($JS.API.STREAM.PURGE.KV_<bucket> with the key's subject as filter),
// without waiting for the answer, which removed logs if it is a failure.
// It does not write to the bucket, so a client account needs no right to
// publish on the bucket's subjects, which would let it store results (in
// docs/nats-quickstart.conf, clients may not). A message delete
// ($JS.API.STREAM.MSG.DELETE) would be narrower, but every key-value
// bucket's stream refuses them (DenyDelete). A result stored after seq (a
// task delivered again) stays for the watcher, which removes it in turn.
func (e *Executor) remove(id string, seq uint64) {
	if seq == 0 {
		return
	}
	body, err := json.Marshal(jetstream.StreamPurgeRequest{Subject: "$KV." + e.r.n.bucket + "." + id, Sequence: seq + 1})
	if err == nil {
		err = e.nc.PublishRequest(jetstream.DefaultAPIPrefix+"STREAM.PURGE."+kvStream(e.r.n.bucket), e.removeTo+"."+id, body)
	}
	if err != nil {
		e.cfg.logf("natsexec: removing result %s: %v", id, err)
	}
}

// removed logs the server's answer to a removal (remove) that failed.
func (e *Executor) removed(m *nats.Msg) {
	var resp struct {
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if json.Unmarshal(m.Data, &resp) != nil || resp.Error == nil {
		return
	}
	e.cfg.logf("natsexec: removing result %s from the bucket %s: %s (%d)", strings.TrimPrefix(m.Subject, e.removeTo+"."), e.r.n.bucket, resp.Error.Description, resp.Error.Code)
}

// watch hands each result to the task waiting for it; a result nobody waits
// for (a duplicate, or a task given up) is removed. After a reconnection
// (the server restarted, say) it watches again and looks up the results of
// the tasks still waiting, which may have been stored in the meantime.
func (e *Executor) watch(ctx context.Context, w jetstream.KeyWatcher, reconnected <-chan struct{}) {
	defer close(e.watchDone)
	defer func() { w.Stop() }()
	tick := time.NewTicker(max(e.cfg.lostAfter/8, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if d := e.down.Load(); d != 0 && time.Since(time.Unix(0, d)) >= e.cfg.lostAfter {
				e.failAll(fmt.Errorf("natsexec: lost the NATS server at %s: no connection for %v; the tasks still waiting fail", e.url, e.cfg.lostAfter))
			}
		case <-reconnected:
			var ok bool
			if w, ok = e.watchAgain(ctx, w); !ok {
				return
			}
		case <-e.rewatch:
			var ok bool
			if w, ok = e.watchAgain(ctx, w); !ok {
				return
			}
		case entry, ok := <-w.Updates():
			if !ok {
				// The watcher ended. Disconnected, the reconnection makes
				// another; connected (its bucket was deleted, say), make
				// one now.
				w = stoppedWatcher{}
				if e.nc.IsConnected() {
					select {
					case e.rewatch <- struct{}{}:
					default:
					}
				}
				continue
			}
			if entry == nil || entry.Operation() != jetstream.KeyValuePut {
				continue
			}
			e.deliver(entry.Key(), entry.Revision(), entry.Value())
		}
	}
}

// watchAgain replaces watcher w with a new one, and looks up the results
// of the tasks still waiting, which may have been stored while no watcher
// ran. It returns false when ctx is done.
func (e *Executor) watchAgain(ctx context.Context, w jetstream.KeyWatcher) (jetstream.KeyWatcher, bool) {
	w.Stop()
	w = stoppedWatcher{}
	since, logged := time.Now(), time.Time{}
	for {
		nw, err := e.r.kv.Watch(ctx, e.client+".*", jetstream.UpdatesOnly())
		if err == nil {
			w = nw
			break
		}
		// A server that came back without its store: say so once
		// in a while, not every try, and give up on the waiting
		// tasks after LostAfter.
		if time.Since(logged) >= 10*time.Second {
			e.cfg.logf("natsexec: watching results again: %v", err)
			logged = time.Now()
		}
		if time.Since(since) >= e.cfg.lostAfter {
			e.failAll(fmt.Errorf("natsexec: the results bucket %s on %s has been gone for %v (%v): the server lost its store; the tasks still waiting fail", e.r.n.bucket, e.url, e.cfg.lostAfter, err))
		}
		select {
		case <-ctx.Done():
			return w, false
		case <-time.After(200 * time.Millisecond):
		}
	}
	e.setLost(nil)
	e.mu.Lock()
	ids := make([]string, 0, len(e.waiting))
	for id := range e.waiting {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	for _, id := range ids {
		if entry, err := e.r.kv.Get(ctx, id); err == nil {
			e.deliver(id, entry.Revision(), entry.Value())
		}
	}
	return w, true
}

// failAll fails every waiting task with err, and the tasks run from now on
// until the server is back.
func (e *Executor) failAll(err error) {
	e.setLost(err)
	e.failWaiting(err)
}

// failWaiting fails every waiting task with err, and returns how many.
func (e *Executor) failWaiting(err error) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(e.waiting)
	for id, ch := range e.waiting {
		ch <- resultMsg{fail: err}
		delete(e.waiting, id)
	}
	clear(e.seqs)
	clear(e.seqOf)
	return n
}

// fail fails task id, if it still waits, with err.
func (e *Executor) fail(id string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ch := e.waiting[id]; ch != nil {
		delete(e.waiting, id)
		ch <- resultMsg{fail: err}
	}
}

func (e *Executor) setLost(err error) {
	e.lostMu.Lock()
	e.lost = err
	e.lostMu.Unlock()
}

func (e *Executor) setGone(err error) {
	e.lostMu.Lock()
	e.gone = err
	e.lostMu.Unlock()
}

// lostErr is the error that new tasks fail with at once: the server is
// lost, or a resource was deleted and could not be created again.
func (e *Executor) lostErr() error {
	e.lostMu.Lock()
	defer e.lostMu.Unlock()
	if e.lost != nil {
		return e.lost
	}
	return e.gone
}

// deliver hands result value, message seq of the bucket, to the task of
// id key, if it waits and the result verifies; otherwise it removes it.
func (e *Executor) deliver(key string, seq uint64, value []byte) {
	var r resultMsg
	if err := strict.Unmarshal(value, &r); err != nil {
		e.cfg.logf("natsexec: dropping malformed result %s: %v", key, err)
		return
	}
	r.seq = seq
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := e.waiting[key]
	if ch == nil {
		e.remove(key, seq)
		return
	}
	if e.cfg.secret != nil && !verify(e.cfg.secret, e.digests[key], &r) {
		// Not signed by a worker that has the secret, or signed for
		// another task than the one sent under this id. The task goes on
		// waiting for an honest worker's result, but not forever: if none
		// comes within LostAfter of the first rejected one, it fails,
		// saying why.
		e.rejects[key]++
		n := e.rejects[key]
		e.cfg.logf("natsexec: dropping result %s from worker %q: it is not signed with the result secret for the task this client sent", key, r.Worker)
		e.remove(key, seq)
		// Tell the worker, so that it says so in its own log.
		if b, err := cbor.Marshal(rejection{ID: key, Worker: r.Worker}); err == nil {
			e.nc.Publish(e.r.n.rejected, b)
		}
		if n == 1 {
			time.AfterFunc(e.cfg.lostAfter, func() { e.rejectAll(key) })
		}
		return
	}
	delete(e.waiting, key)
	ch <- r
}

// rejection is what a client publishes when it rejects a result: the
// task's id and the worker the result names.
type rejection struct {
	ID     string `cbor:"1,keyasint"`
	Worker string `cbor:"2,keyasint"`
}

// rejectAll fails task id, if it still waits, because its results failed
// verification and no valid one came.
func (e *Executor) rejectAll(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := e.waiting[id]
	if ch == nil {
		return
	}
	delete(e.waiting, id)
	ch <- resultMsg{rejected: true, Err: fmt.Sprintf("task %s: %d results failed verification and no valid one came within %v: a worker has a wrong or missing result secret (%s), or someone answered or altered the task", id, e.rejects[id], e.cfg.lostAfter, EnvResultSecret)}
}

// ErrRejected is wrapped by the error of a task whose results all failed
// verification (see ResultSecret): a worker with a wrong or missing secret
// makes its client fail with it within LostAfter, instead of hanging.
var ErrRejected = errors.New("results rejected")

// stoppedWatcher stands for a watcher that ended, until the next one.
type stoppedWatcher struct{}

// Updates never delivers.
func (stoppedWatcher) Updates() <-chan jetstream.KeyValueEntry { return nil }

// Stop does nothing.
func (stoppedWatcher) Stop() error { return nil }

// maxDelivered fails the task whose message reached MaxDeliver.
func (e *Executor) maxDelivered(m *nats.Msg) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries int    `json:"deliveries"`
	}
	if err := json.Unmarshal(m.Data, &adv); err != nil {
		e.cfg.logf("natsexec: unreadable advisory: %v", err)
		return
	}
	e.mu.Lock()
	id := e.seqs[adv.StreamSeq]
	ch := e.waiting[id]
	delete(e.waiting, id)
	delete(e.seqs, adv.StreamSeq)
	delete(e.seqOf, id)
	e.mu.Unlock()
	if ch == nil {
		return
	}
	// Take the message off the stream, so that no worker runs it again.
	if s, err := e.r.js.Stream(context.Background(), e.r.n.stream); err == nil {
		s.DeleteMsg(context.Background(), adv.StreamSeq)
	}
	ch <- resultMsg{Failed: true, Err: fmt.Sprintf("task %s was delivered %d times and no worker finished it: its worker died or stalled every time", id, adv.Deliveries)}
}

// lookupRaced looks up a bucket that another process has just created:
// its stream's name is taken, but on a cluster the bucket can be reported
// as not found for a moment after. It tries again for up to two seconds
// while it is not found.
func lookupRaced[B any](ctx context.Context, lookup func() (B, error)) (B, error) {
	b, err := lookup()
	for wait, deadline := 20*time.Millisecond, time.Now().Add(2*time.Second); errors.Is(err, jetstream.ErrBucketNotFound) && time.Now().Before(deadline); wait *= 2 {
		select {
		case <-ctx.Done():
			return b, err
		case <-time.After(wait):
		}
		b, err = lookup()
	}
	return b, err
}
