package natsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The executor's checks that no task waits for a result that cannot come:
// the task stream, its consumer, the results bucket or the object store
// that large values go through deleted (by an operator, or an account
// allowed to), and a task taken off the stream without a result
// (acknowledged or terminated by a consumer that stored none). The server
// announces a deletion with an advisory, which makes the monitor check at
// once; otherwise it checks every LostAfter/4 while tasks wait: one
// consumer info and two stream infos (of the buckets' streams), plus a
// message lookup for each task that was delivered and has waited a check
// period. The same
// lookup finds a result that is stored but that the bucket's watcher did
// not deliver (seen after a cluster lost its stream leader), and hands it
// over.

// ErrDeleted is wrapped by the error of the tasks that waited when the
// task stream, its consumer, the results bucket or the object store was
// deleted (or the server came back without its store). The executor
// creates what is gone again, so the next compute runs.
var ErrDeleted = errors.New("a JetStream stream, consumer or bucket of the executor is gone")

// ErrUnanswered is wrapped by the error of a task that no result answers:
// it left the task stream without one (a consumer acknowledged or
// terminated it without storing a result), or it had none within
// TaskTimeout.
var ErrUnanswered = errors.New("task unanswered")

// confirmAfter is how long the monitor waits before it looks again at a
// resource the server said was not found, so that a passing answer of a
// cluster electing a leader does not fail the tasks.
const confirmAfter = 200 * time.Millisecond

// identity is when the resources the executor uses were created: a
// resource deleted and created again (by a worker that starts, say) has
// another, and the tasks of the old one are lost all the same.
type identity struct{ stream, consumer, bucket, objects time.Time }

// monitorState belongs to the monitor goroutine (and to Connect, before it
// starts).
type monitorState struct {
	ident    identity
	goneWhat string    // what is gone and could not be created again
	logged   time.Time // when a failed check was last logged
}

// checkEvery is the monitor's period.
func (e *Executor) checkEvery() time.Duration { return max(e.cfg.lostAfter/4, 10*time.Millisecond) }

// apiTimeout bounds each of the monitor's requests.
func (e *Executor) apiTimeout() time.Duration { return max(e.checkEvery(), time.Second) }

// checkNow makes the monitor check at once: an advisory said a resource
// was deleted.
func (e *Executor) checkNow() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Executor) identify(ctx context.Context) (identity, error) { return identifyIn(ctx, e.r) }

func identifyIn(ctx context.Context, r *resources) (identity, error) {
	var id identity
	n := r.n
	s, err := r.js.Stream(ctx, n.stream)
	if err != nil {
		return id, fmt.Errorf("natsexec: stream %s: %w", n.stream, err)
	}
	c, err := r.js.Consumer(ctx, n.stream, n.consumer)
	if err != nil {
		return id, fmt.Errorf("natsexec: consumer %s: %w", n.consumer, err)
	}
	b, err := r.js.Stream(ctx, kvStream(n.bucket))
	if err != nil {
		return id, fmt.Errorf("natsexec: bucket %s: %w", n.bucket, err)
	}
	o, err := r.js.Stream(ctx, objStream(n.objects))
	if err != nil {
		return id, fmt.Errorf("natsexec: object store %s: %w", n.objects, err)
	}
	return identity{s.CachedInfo().Created, c.CachedInfo().Created, b.CachedInfo().Created, o.CachedInfo().Created}, nil
}

// kvStream is the stream that holds a key-value bucket.
func kvStream(bucket string) string { return "KV_" + bucket }

// objStream is the stream that holds an object store.
func objStream(bucket string) string { return "OBJ_" + bucket }

// monitor checks every checkEvery while tasks wait, and at once when an
// advisory says a resource was deleted.
func (e *Executor) monitor(ctx context.Context) {
	defer close(e.monDone)
	t := time.NewTicker(e.checkEvery())
	defer t.Stop()
	for {
		kicked := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.kick:
			kicked = true
		}
		if e.nc.IsConnected() { // while disconnected, LostAfter applies
			e.check(ctx, kicked)
		}
	}
}

func (e *Executor) check(ctx context.Context, kicked bool) {
	if e.mon.goneWhat != "" {
		e.restore(ctx, e.mon.goneWhat, 0)
		return
	}
	e.mu.Lock()
	waiting := len(e.waiting)
	e.mu.Unlock()
	if waiting == 0 && !kicked {
		return
	}
	missing, ci, err := e.probe(ctx)
	if len(missing) > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(confirmAfter):
		}
		missing, ci, err = e.probe(ctx)
	}
	if len(missing) > 0 {
		e.deleted(ctx, missing)
		return
	}
	if err != nil {
		e.logFailedCheck(err)
		return
	}
	e.unanswered(ctx, ci)
}

// probe returns what of the stream, the consumer, the results bucket and
// the object store is gone or was created again since the executor looked
// last, and the consumer's info; err says that some of it could not be
// read.
func (e *Executor) probe(ctx context.Context) (missing []string, ci *jetstream.ConsumerInfo, err error) {
	ctx, cancel := context.WithTimeout(ctx, e.apiTimeout())
	defer cancel()
	n, id := e.r.n, e.mon.ident
	stream, consumer := "the task stream "+n.stream, "the task consumer "+n.consumer
	cons, cerr := e.r.js.Consumer(ctx, n.stream, n.consumer)
	switch {
	case errors.Is(cerr, jetstream.ErrStreamNotFound):
		missing = append(missing, stream)
	case errors.Is(cerr, jetstream.ErrConsumerNotFound):
		missing = append(missing, consumer)
	case cerr != nil:
		err = cerr
	case !cons.CachedInfo().Created.Equal(id.consumer):
		// Created again: alone, or with its stream.
		s, serr := e.r.js.Stream(ctx, n.stream)
		switch {
		case serr != nil:
			err = serr
		case !s.CachedInfo().Created.Equal(id.stream):
			missing = append(missing, stream)
		default:
			missing = append(missing, consumer)
		}
	default:
		ci = cons.CachedInfo()
	}
	// The buckets: each is a stream of its own.
	for _, b := range []struct {
		stream, what string
		created      time.Time
	}{
		{kvStream(n.bucket), "the results bucket " + n.bucket, id.bucket},
		{objStream(n.objects), "the object store " + n.objects, id.objects},
	} {
		s, serr := e.r.js.Stream(ctx, b.stream)
		switch {
		case errors.Is(serr, jetstream.ErrStreamNotFound):
			missing = append(missing, b.what)
		case serr != nil:
			err = serr
		case !s.CachedInfo().Created.Equal(b.created):
			missing = append(missing, b.what)
		}
	}
	return missing, ci, err
}

// deleted fails the waiting tasks, whose stream, consumer or bucket (the
// results bucket or the object store) is gone, and creates what is missing
// again.
func (e *Executor) deleted(ctx context.Context, missing []string) {
	what, verb := strings.Join(missing, " and "), "was"
	if len(missing) > 1 {
		verb = "were"
	}
	err := fmt.Errorf("natsexec: %s on %s %s deleted (or the server lost its store): gone with the tasks still waiting, which fail: %w", what, e.url, verb, ErrDeleted)
	n := e.failWaiting(err)
	e.restore(ctx, what+" "+verb+" deleted (or the server lost its store)", n)
}

// restore creates again the stream, the consumer and the buckets that are
// missing, as Connect does, and watches the results again. Until it
// manages, new tasks fail at once, saying why.
func (e *Executor) restore(ctx context.Context, what string, failed int) {
	ctx, cancel := context.WithTimeout(ctx, e.apiTimeout())
	defer cancel()
	prefix := "natsexec: " + what
	if failed > 0 {
		prefix += fmt.Sprintf(": %d waiting tasks failed", failed)
	}
	_, err := ensure(ctx, e.nc, e.cfg, false)
	var id identity
	if err == nil {
		id, err = e.identify(ctx)
	}
	if err != nil {
		if e.mon.goneWhat == "" {
			e.cfg.logf("%s; creating it again failed, and new tasks fail until it exists: %v", prefix, err)
		}
		e.mon.goneWhat = what
		e.setGone(fmt.Errorf("natsexec: %s on %s, and creating it again failed (%v): %w", what, e.url, err, ErrDeleted))
		return
	}
	e.mon.ident, e.mon.goneWhat = id, ""
	e.setGone(nil)
	e.cfg.logf("%s; created it again", prefix)
	select {
	case e.rewatch <- struct{}{}:
	default:
	}
}

// logFailedCheck logs, at most once a minute, that a check could not
// read what it needs (the account may not, say).
func (e *Executor) logFailedCheck(err error) {
	if time.Since(e.mon.logged) < time.Minute {
		return
	}
	e.mon.logged = time.Now()
	e.cfg.logf("natsexec: checking the task stream %s and the results bucket %s: %v (checked again every %v)", e.r.n.stream, e.r.n.bucket, err, e.checkEvery())
}

// unanswered fails the waiting tasks that left the stream without a
// result. A worker stores a task's result before it acknowledges the task,
// so a task off the work-queue stream has its result in the bucket, or
// none will come. Only tasks that were delivered and have waited a check
// period are looked up: one request each.
func (e *Executor) unanswered(ctx context.Context, ci *jetstream.ConsumerInfo) {
	type task struct {
		id, fn string
		seq    uint64
	}
	now, every := time.Now(), e.checkEvery()
	var ts []task
	e.mu.Lock()
	for id, m := range e.meta {
		seq, ok := e.seqOf[id]
		// A task with rejected results fails with ErrRejected instead.
		if !ok || e.waiting[id] == nil || e.rejects[id] > 0 || m.sent.IsZero() || now.Sub(m.sent) < every || seq > ci.Delivered.Stream {
			continue
		}
		ts = append(ts, task{id, m.fn, seq})
	}
	e.mu.Unlock()
	if len(ts) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, e.apiTimeout())
	defer cancel()
	s, err := e.r.js.Stream(ctx, e.r.n.stream)
	if err != nil {
		e.logFailedCheck(err)
		return
	}
	rescued := 0
	for _, t := range ts {
		if _, err := s.GetMsg(ctx, t.seq); !errors.Is(err, jetstream.ErrMsgNotFound) {
			if err != nil {
				e.logFailedCheck(err)
			}
			continue // still on the stream: queued, or held by a worker
		}
		entry, err := e.r.kv.Get(ctx, t.id)
		switch {
		case err == nil: // stored, and the watcher has not handed it over
			rescued++
			e.deliver(t.id, entry.Revision(), entry.Value())
		case errors.Is(err, jetstream.ErrKeyNotFound):
			e.fail(t.id, fmt.Errorf("natsexec: task %s (%s) left the task stream %s without a result: a consumer of %s acknowledged or terminated it without storing one (a worker that could not read the task says why in its log; or a process that is not a daskgen worker takes tasks), or the stream was purged: %w",
				t.id, t.fn, e.r.n.stream, e.r.n.consumer, ErrUnanswered))
		default:
			e.logFailedCheck(err)
		}
	}
	if rescued > 0 {
		// Seen after a cluster's stream leader was lost: the watcher
		// stays silent. Watch again, which looks the others up too.
		e.cfg.logf("natsexec: %d results stored in the bucket %s had not reached the client's watcher; read them from the bucket, and watching the results again", rescued, e.r.n.bucket)
		select {
		case e.rewatch <- struct{}{}:
		default:
		}
	}
}

// timedOut makes the error of task id, which had no result within
// TaskTimeout: it says where the task is, and takes it off the stream so
// that no worker runs it for nothing.
func (e *Executor) timedOut(ctx context.Context, id, name string, seq uint64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.apiTimeout())
	defer cancel()
	n := e.r.n
	state := "where it is could not be read"
	if s, err := e.r.js.Stream(ctx, n.stream); err == nil {
		_, gerr := s.GetMsg(ctx, seq)
		cons, cerr := e.r.js.Consumer(ctx, n.stream, n.consumer)
		switch {
		case errors.Is(gerr, jetstream.ErrMsgNotFound):
			state = "it left the task stream without a result"
		case gerr != nil || cerr != nil:
		case seq > cons.CachedInfo().Delivered.Stream:
			state = "no worker took it: none runs, or all were busy with earlier tasks"
		default:
			state = fmt.Sprintf("a consumer of %s holds it and reports progress: a worker's function has not returned, or a process that is not a daskgen worker holds it", n.consumer)
		}
		if gerr == nil && s.DeleteMsg(ctx, seq) == nil {
			state += "; the task was removed from the stream"
		}
	}
	return fmt.Errorf("natsexec: task %s (%s) had no result within %v (TaskTimeout): %s: %w", id, name, e.cfg.taskTimeout, state, ErrUnanswered)
}
