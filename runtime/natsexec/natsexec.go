// Package natsexec runs daskgen graphs on a NATS JetStream cluster: the same
// generated twins and hand-built graphs that run on local goroutines, with
// the tasks of registered functions run by worker processes on other
// machines.
//
// The computing process keeps the graph. When a task's inputs are ready, it
// publishes the task (the registered name of its function and its encoded
// arguments) to a work-queue stream. Workers, which are processes of the
// same program, pull tasks with explicit acks, run them, store the result
// in a key-value bucket (values over a size limit go to an object store),
// and ack. The computing process watches the bucket, takes each result, and
// deletes it.
//
// Arguments and results must cross processes: a function whose argument or
// result types cannot (interfaces, functions, channels, structs with
// unexported fields, unless the type implements encoding.BinaryMarshaler
// and BinaryUnmarshaler) runs in the computing process, as do the small
// tasks that generated twins add. Errors cross as text: a task's error is a
// *runtime.RemoteError in the computing process.
//
// Delivery is at least once: a worker that dies mid-task has its task
// delivered again after AckWait (5 seconds by default), and a task that was
// delivered MaxDeliver times without a result fails the compute with an
// error that says so. No task waits for a result that cannot come: a task
// stream, consumer, results bucket or object store deleted under it fails
// it with ErrDeleted, and a task taken off the stream without a result
// fails with ErrUnanswered, within the bounds LostAfter gives; TaskTimeout
// bounds the rest, a task held by a consumer that reports progress
// forever.
// Delayed functions must therefore be idempotent: running one twice must
// have the effect of running it once. A duplicate result is ignored.
//
// Switching a program to the cluster is one option or one environment
// variable, with no regeneration:
//
//	func main() {
//		if natsexec.IsWorker() { // DASKGEN_WORKER=1
//			if err := natsexec.Work(context.Background(), natsexec.URL()); err != nil {
//				log.Fatal(err)
//			}
//			return
//		}
//		ex, err := natsexec.FromEnv(ctx) // DASKGEN_NATS_URL set: the default executor
//		...
//		defer ex.Close()
//		... // twins and Compute now run their delayed calls on the workers
//	}
//
// Work drains on SIGTERM or SIGINT: it stops taking tasks, finishes the ones
// it holds, and returns.
package natsexec

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	daskgen "github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/executor"
)

// The environment variables that choose where a program runs.
const (
	EnvURL      = "DASKGEN_NATS_URL"      // the NATS server, or servers separated by commas; set, FromEnv connects to it
	EnvWorker   = "DASKGEN_WORKER"        // "1": the process is a worker
	EnvReplicas = "DASKGEN_NATS_REPLICAS" // the Replicas of a stream and buckets FromEnv creates, for a cluster
)

// URL returns $DASKGEN_NATS_URL, or nats.DefaultURL when it is not set.
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return nats.DefaultURL
}

// IsWorker reports whether $DASKGEN_WORKER is "1": the process should call
// Work instead of doing its own job.
func IsWorker() bool { return os.Getenv(EnvWorker) == "1" }

// An Option configures an Executor or a worker.
type Option func(*config)

type config struct {
	nats        []nats.Option
	prefix      string
	ackWait     time.Duration
	maxDeliver  int
	concurrency int
	codec       executor.Codec
	blobOver    int
	logf        func(format string, args ...any)
	replicas    int
	lostAfter   time.Duration
	taskTimeout time.Duration // 0: none
	secret      []byte        // authenticates results (sign.go)
	readyWait   time.Duration // how long setup waits for JetStream (ready.go)
}

func newConfig(opts []Option) *config {
	c := &config{
		prefix:      "DASKGEN",
		ackWait:     DefaultAckWait,
		maxDeliver:  5,
		concurrency: runtime.GOMAXPROCS(0) * 4,
		codec:       CBOR{},
		blobOver:    256 << 10,
		logf:        func(string, ...any) {},
		replicas:    1,
		lostAfter:   DefaultLostAfter,
		readyWait:   DefaultReadyWait,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// NATSOptions passes options to nats.Connect: user and password
// (nats.UserInfo), a token (nats.Token), an nkey or a credentials file
// (nats.Nkey, nats.UserCredentials), TLS (nats.Secure, nats.RootCAs,
// nats.ClientCert), reconnection settings.
func NATSOptions(opts ...nats.Option) Option {
	return func(c *config) { c.nats = append(c.nats, opts...) }
}

// Prefix names the stream, consumer and buckets: <prefix>_TASKS and so on.
// Programs that share a server use different prefixes. The default is
// DASKGEN.
func Prefix(p string) Option { return func(c *config) { c.prefix = p } }

// DefaultAckWait is AckWait's default: the task of a worker that died is
// delivered again about this long after the worker's last sign of life.
const DefaultAckWait = 5 * time.Second

// AckWait is how long a delivered task may go without a sign of life from
// its worker before it is delivered again. Workers report progress every
// AckWait/3 while a task runs, so only a dead or stuck worker loses its
// task: a task that runs for minutes on a live worker is delivered once. The
// default is DefaultAckWait; zero or less keeps it.
func AckWait(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.ackWait = d
		}
	}
}

// MaxDeliver is how many times a task is delivered before the compute gives
// up on it. The default is 5.
func MaxDeliver(n int) Option { return func(c *config) { c.maxDeliver = n } }

// Concurrency is how many tasks a worker runs at once, and so how many it
// takes from the stream ahead. The default is four per CPU.
func Concurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithCodec sets the codec of arguments and results; every process of the
// program must use the same one. The default is CBOR.
func WithCodec(codec executor.Codec) Option { return func(c *config) { c.codec = codec } }

// BlobOver sets the size above which arguments and results go to the object
// store instead of the message itself. The default is 256 KiB.
func BlobOver(n int) Option { return func(c *config) { c.blobOver = n } }

// Logf receives what a worker or executor has to say: malformed messages it
// dropped, tasks it could not store. The default discards it.
func Logf(f func(format string, args ...any)) Option { return func(c *config) { c.logf = f } }

// DefaultLostAfter is LostAfter's default.
const DefaultLostAfter = 20 * time.Second

// LostAfter bounds how long an executor waits for a server it lost: when
// the connection has been down, or the results bucket has been gone (a
// server that came back with an empty store), for d, every task still
// waiting fails with an error that says what was lost, and so do new tasks
// until the server is back. The default is DefaultLostAfter.
//
// It also sets the period, d/4, of the executor's checks while tasks wait.
// A task stream, task consumer, results bucket or object store deleted
// under waiting tasks fails them with ErrDeleted, naming what was deleted,
// at once when the server's advisory arrives and within d/4 otherwise; the
// executor then creates it again, as Connect does. A task that left the stream without a
// result (a consumer acknowledged or terminated it without storing one)
// fails with ErrUnanswered within d/2 of leaving it.
func LostAfter(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lostAfter = d
		}
	}
}

// TaskTimeout fails a task that has no result d after it was published,
// with ErrUnanswered and an error that says where the task is (no worker
// took it, or a consumer holds it and reports progress), and removes it
// from the stream. There is none by default: a worker reports progress
// while its function runs, so a task that runs for hours on a live worker
// is legitimate, and the executor cannot tell it from a function that never
// returns or a consumer that holds tasks without answering them. Set it,
// or give the compute's context a deadline, where such a hang must end.
// Zero or less keeps none.
func TaskTimeout(d time.Duration) Option {
	return func(c *config) { c.taskTimeout = max(d, 0) }
}

// Replicas sets the number of replicas of the stream and buckets, for a
// cluster. The default is 1.
func Replicas(n int) Option { return func(c *config) { c.replicas = n } }

// FromEnv connects to $DASKGEN_NATS_URL and makes the executor the default of
// every compute (runtime.SetDefaultExecutor). It returns nil and no error
// when the variable is not set: computes stay local. $DASKGEN_NATS_REPLICAS,
// when set, is the Replicas of the stream and buckets it creates. Close the
// executor when done; Close also restores local computes.
func FromEnv(ctx context.Context, opts ...Option) (*Executor, error) {
	url := os.Getenv(EnvURL)
	if url == "" {
		return nil, nil
	}
	secret, err := secretFromEnv()
	if err != nil {
		return nil, err
	}
	if secret != nil {
		opts = append([]Option{ResultSecret(secret)}, opts...)
	}
	opts, err = replicasFromEnv(opts)
	if err != nil {
		return nil, err
	}
	ex, err := Connect(ctx, url, opts...)
	if err != nil {
		return nil, err
	}
	daskgen.SetDefaultExecutor(ex)
	ex.isDefault = true
	return ex, nil
}

// replicasFromEnv puts Replicas($DASKGEN_NATS_REPLICAS) before opts, when
// the variable is set, so that a Replicas option given in code wins. Work
// and FromEnv both read it: whichever process starts first creates the
// stream and buckets, and each must create them with the cluster's count.
func replicasFromEnv(opts []Option) ([]Option, error) {
	r := os.Getenv(EnvReplicas)
	if r == "" {
		return opts, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(r))
	if err != nil || n < 1 || n > 5 {
		return nil, fmt.Errorf("natsexec: %s=%q: want a number of replicas from 1 to 5", EnvReplicas, r)
	}
	return append([]Option{Replicas(n)}, opts...), nil
}

// errClosed is returned by Run after Close.
var errClosed = errors.New("natsexec: executor closed")

// connect connects to url. While no server of url listens yet (servers
// started together with their clients and workers, or restarting), it
// tries again with backoff until ctx ends, saying once through Logf that
// it waits; the error at the end names the servers, never a password.
// Any other failure (credentials refused, a URL that does not parse) ends
// it at once: waiting cannot mend it.
func connect(ctx context.Context, url string, cfg *config, name string) (*nats.Conn, error) {
	opts := append([]nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(100 * time.Millisecond),
		// Without a handler, the client library writes asynchronous
		// errors to stderr itself: every line goes through Logf instead.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				cfg.logf("natsexec: %s: %v", sub.Subject, redactErr(url, cfg, err))
				return
			}
			cfg.logf("natsexec: %v", redactErr(url, cfg, err))
		})}, cfg.nats...)
	begin, backoff, waited := time.Now(), 100*time.Millisecond, false
	for {
		nc, err := nats.Connect(url, opts...)
		var ue *neturl.Error
		switch {
		case err == nil:
			if waited {
				cfg.logf("natsexec: a server of %s listens, after %v", Redacted(url), time.Since(begin).Round(time.Millisecond))
			}
			return nc, nil
		case errors.As(err, &ue):
			// The parser's message quotes the URL, password and all.
			return nil, fmt.Errorf("natsexec: connecting to %s: the URL does not parse (characters such as '/', '#', '?', '@' or '%%' in a password must be percent-encoded, or give credentials with NATSOptions(nats.UserInfo(...)))", Redacted(url))
		case !errors.Is(err, nats.ErrNoServers):
			return nil, fmt.Errorf("natsexec: connecting to %s: %w", Redacted(url), redactErr(url, cfg, err))
		}
		if !waited && ctx.Err() == nil {
			waited = true
			cfg.logf("natsexec: no server of %s listens yet (%v); trying again with backoff for up to %v", Redacted(url), redactErr(url, cfg, err), waitBound(ctx, cfg.readyWait).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil, &notReadyError{
				msg: fmt.Sprintf("natsexec: connecting to %s: no server listened in %v (%v)", Redacted(url), time.Since(begin).Round(time.Millisecond), redactErr(url, cfg, err)),
				err: redactErr(url, cfg, err), ctx: ctx.Err(),
			}
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// secrets returns the passwords and tokens of url and of the NATS options
// of cfg, raw and URL-unescaped, the longest first.
func secrets(url string, cfg *config) []string {
	var out []string
	var add func(s string)
	add = func(s string) {
		// A parser that fails on a URL may show the part of its password
		// before a '/', '#', '?' or '@': hide those parts too.
		if parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("/#?@", r) }); len(parts) > 1 {
			for _, p := range parts {
				add(p)
			}
		}
		if len(s) >= 3 {
			out = append(out, s)
			if u, err := neturl.PathUnescape(s); err == nil && u != s {
				out = append(out, u)
			}
			if e := neturl.QueryEscape(s); e != s {
				out = append(out, e)
			}
		}
	}
	for _, p := range strings.Split(url, ",") {
		if info, ok := userinfo(p); ok {
			if i := strings.IndexByte(info, ':'); i >= 0 {
				add(info[i+1:])
			} else {
				add(info) // a token
			}
		}
	}
	o := nats.GetDefaultOptions()
	for _, opt := range cfg.nats {
		opt(&o)
	}
	add(o.Password)
	add(o.Token)
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// userinfo returns the user information of a server URL: what comes before
// its last '@', after its scheme. It does not parse the URL, which fails
// on a password with characters such as '/', so it finds the secret of
// any URL.
func userinfo(p string) (string, bool) {
	p = strings.TrimSpace(p)
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
	}
	at := strings.LastIndexByte(p, '@')
	if at < 0 {
		return "", false
	}
	return p[:at], true
}

// redactedError is an error whose message has its secrets replaced. It
// matches what the original matches (errors.Is, errors.As) but does not
// unwrap to it, whose message would show them.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// As finds the first error in the original's chain that matches target.
func (e *redactedError) As(target any) bool { return errors.As(e.err, target) }

// redactErr returns err with the secrets of url and cfg replaced by
// "xxxxx" in its message, or err itself when it shows none.
func redactErr(url string, cfg *config, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets(url, cfg) {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// Redacted returns servers, a NATS URL or a comma-separated list of them,
// with every password and token replaced by "xxxxx", for messages and logs.
func Redacted(servers string) string {
	parts := strings.Split(servers, ",")
	for i, p := range parts {
		info, ok := userinfo(p)
		if !ok {
			continue
		}
		red := "xxxxx" // a token or a user alone
		if j := strings.IndexByte(info, ':'); j >= 0 {
			red = info[:j] + ":xxxxx"
		}
		at := strings.LastIndexByte(p, '@')
		start := 0
		if k := strings.Index(p, "://"); k >= 0 {
			start = k + 3
		} else {
			start = len(p) - len(strings.TrimLeft(p, " \t"))
		}
		parts[i] = p[:start] + red + p[at:]
	}
	return strings.Join(parts, ",")
}
