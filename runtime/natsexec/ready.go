package natsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultReadyWait is ReadyWait's default.
const DefaultReadyWait = 30 * time.Second

// ReadyWait bounds how long Connect, FromEnv and Work wait for a server of
// their URL to listen (none listens yet: the connection is refused) and
// for JetStream to be ready, in all, before they give up: a cluster whose
// servers have just started
// has no JetStream meta leader for a few seconds, and answers no request
// to look up or create a stream (or answers "JetStream system temporarily
// unavailable"); a leader that has not yet heard from enough servers
// refuses a stream of several replicas ("no suitable peers for
// placement"). They try again with backoff meanwhile, and say once,
// through Logf, that they wait and why. The wait also ends with the
// context they are given. The default is DefaultReadyWait; zero or less
// keeps it.
func ReadyWait(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.readyWait = d
		}
	}
}

// readyTry bounds one try at setting up the stream, the consumer and the
// buckets. A cluster without a meta leader does not answer (for its first
// 10 s; then it says it is unavailable), so each try ends here, and the
// wait is logged this soon. A ready server answers each request in
// milliseconds; a try that runs out while a stream of several replicas
// elects its leader finds the stream there the next time.
const readyTry = 2 * time.Second

// untilReady calls setup until it succeeds, fails with an error that
// waiting cannot mend, or the wait (ctx, cfg.readyWait) ends. Each call
// gets a context bounded by readyTry. It logs once that it waits, with
// the error that made it, and once that the wait is over.
func untilReady(ctx context.Context, url string, cfg *config, setup func(context.Context) error) error {
	wctx, cancel := context.WithTimeout(ctx, cfg.readyWait)
	defer cancel()
	begin, bound := time.Now(), waitBound(ctx, cfg.readyWait)
	backoff := 100 * time.Millisecond
	waited := false
	for {
		tctx, tcancel := context.WithTimeout(wctx, readyTry)
		err := setup(tctx)
		tcancel()
		if err == nil {
			if waited {
				// The one other line of a wait.
				cfg.logf("natsexec: JetStream on %s is ready after %v", Redacted(url), time.Since(begin).Round(time.Millisecond))
			}
			return nil
		}
		if !notReady(err) {
			return redactErr(url, cfg, err) // not a matter of time
		}
		if !waited && wctx.Err() == nil {
			waited = true
			cfg.logf("natsexec: JetStream on %s is not ready (%v); waiting for it up to %v, trying again with backoff", Redacted(url), redactErr(url, cfg, err), bound.Round(time.Millisecond))
		}
		select {
		case <-wctx.Done():
			what := "a JetStream meta leader"
			if cfg.replicas > 1 {
				what += fmt.Sprintf(", and servers enough to place %d replicas", cfg.replicas)
			}
			return &notReadyError{
				msg: fmt.Sprintf("natsexec: waited %v for JetStream on %s to be ready (%s), in vain; the last try: %s",
					time.Since(begin).Round(time.Millisecond), Redacted(url), what, strings.TrimPrefix(redactErr(url, cfg, err).Error(), "natsexec: ")),
				err: redactErr(url, cfg, err), ctx: wctx.Err(),
			}
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// waitBound is how long a wait of at most d may last under ctx.
func waitBound(ctx context.Context, d time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return min(d, time.Until(dl))
	}
	return d
}

// notReady reports whether err is one that a JetStream that is not ready
// yet gives: no answer in time (no meta leader, or a stream whose group has
// no leader yet), or a refusal that says it is temporary.
func notReady(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
		return true
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode {
		case 10005, // JSClusterNoPeersErrF: "no suitable peers for placement"
			10008, // JSClusterNotAvailErr: "JetStream system temporarily unavailable"
			10009: // JSClusterNotLeaderErr: "JetStream cluster can not handle request"
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "no suitable peers for placement") ||
		strings.Contains(msg, "JetStream system temporarily unavailable")
}

// notReadyError is the error of a wait for JetStream that ended: its
// message says what was waited for, and it matches both the last try's
// error and why the wait ended (context.DeadlineExceeded or Canceled).
type notReadyError struct {
	msg string
	err error // the last try's
	ctx error // the wait's end
}

func (e *notReadyError) Error() string   { return e.msg }
func (e *notReadyError) Unwrap() []error { return []error{e.ctx, e.err} }
