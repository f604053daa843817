// Package executor is for the authors of executors: what runs daskgen's
// tasks somewhere else than in the computing process, such as the workers of
// a cluster (package natsexec is one). Users choose an executor with
// runtime.Using or runtime.SetDefaultExecutor; they do not need this package.
//
// The computing process keeps the graph: it tracks dependencies, hands a task
// of a registered function (runtime.Register) to the Executor when its inputs
// are ready, and goes on when the result comes back. A worker process runs
// the task with Serve, which finds the function by the name it is registered
// under: the worker is the same program, or one that registers the same
// functions.
package executor

import (
	"context"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// An Executor runs the tasks of registered functions somewhere else than in
// the computing process. Retries, limits, the order of errors and
// cancellation work as they do locally.
type Executor interface {
	// Run runs the function registered under name on the encoded
	// arguments, and returns the encoded result or the function's error.
	// Errors that cross processes should arrive as *runtime.RemoteError.
	Run(ctx context.Context, name string, args [][]byte) ([]byte, error)
	// Codec is the codec Run's arguments and results are encoded with.
	Codec() Codec
}

// A Codec turns arguments and results into bytes and back. Marshal encodes
// one argument or result; Unmarshal decodes data into v, a pointer.
type Codec = interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// LocalNotifier is an Executor that wants to know when a registered
// function runs in the computing process because its values cannot cross
// processes. RunsLocally is called once per function.
type LocalNotifier interface {
	RunsLocally(name, why string)
}

// ErrNotRegistered is returned by Serve for a name that no function of the
// process is registered under.
var ErrNotRegistered = core.ErrNotRegistered

// Serve runs the function registered under name on encoded arguments and
// returns its encoded result: the worker side of an Executor. A panic of the
// function is returned as a *runtime.PanicError.
func Serve(ctx context.Context, name string, c Codec, args [][]byte) (out []byte, err error) {
	return core.Serve(ctx, name, c, args)
}

// Registered reports whether a function is registered under name.
func Registered(name string) bool { return core.Registered(name) }

// RanOn tells the dashboard which worker of an executor ran the task whose
// context ctx is, so that the task stream shows one lane per worker
// process. Executors call it when a result arrives; it does nothing when
// neither the dashboard nor the report is on.
func RanOn(ctx context.Context, worker string) { core.RanOn(ctx, worker) }
