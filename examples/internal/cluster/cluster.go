// Package cluster lets an example run its delayed calls on NATS JetStream
// workers instead of local goroutines, with no change to its code: run the
// example with DASKGEN_WORKER=1 to make it a worker, and with
// DASKGEN_NATS_URL set to make it the client of a cluster.
package cluster

import (
	"context"
	"fmt"
	"os"

	"github.com/daskgen/daskgen/runtime/natsexec"
)

// Setup prepares the process. In a worker (DASKGEN_WORKER=1) it runs
// natsexec.Work until SIGTERM or SIGINT and returns worker true: the example
// should then return. Otherwise, with DASKGEN_NATS_URL set, it connects and
// makes the cluster the default executor; done disconnects.
func Setup(ctx context.Context) (done func(), worker bool, err error) {
	if natsexec.IsWorker() {
		return func() {}, true, natsexec.Work(ctx, natsexec.URL())
	}
	ex, err := natsexec.FromEnv(ctx)
	if err != nil {
		return nil, false, err
	}
	if ex == nil {
		return func() {}, false, nil
	}
	fmt.Fprintf(os.Stderr, "running delayed calls on the NATS workers at %s\n", natsexec.Redacted(os.Getenv(natsexec.EnvURL)))
	return func() { ex.Close() }, false, nil
}

// Run runs job in the process that Setup prepares: nothing in a worker,
// which serves tasks until SIGTERM instead; job, on the cluster or locally,
// otherwise.
func Run(ctx context.Context, job func(context.Context) error) error {
	done, worker, err := Setup(ctx)
	if err != nil || worker {
		return err
	}
	defer done()
	return job(ctx)
}
