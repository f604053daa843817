package core

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
)

// A Codec turns arguments and results into bytes and back, for an Executor
// that runs tasks in other processes. It is an alias of an interface
// literal, so that runtime/executor's Codec is the same type.
type Codec = interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// An Executor runs the tasks of registered functions somewhere else than in
// the computing process: on the workers of a cluster
// (github.com/daskgen/daskgen/runtime/natsexec). The computing process keeps
// the graph: it tracks dependencies, hands a task to the Executor when its
// inputs are ready, and goes on when the result comes back. Retries, limits,
// the order of errors and cancellation work as they do locally.
type Executor interface {
	// Run runs the function registered under name on the encoded
	// arguments, and returns the encoded result or the function's error.
	Run(ctx context.Context, name string, args [][]byte) ([]byte, error)
	// Codec is the codec Run's arguments and results are encoded with.
	Codec() Codec
}

// Using runs the compute's tasks with e: the tasks of registered functions
// run wherever e runs them; the small tasks that generated twins add between
// them (operators, appends, tuples) run in the computing process, and so do
// the tasks of functions whose arguments or result cannot cross processes
// (interfaces, functions, channels, structs with unexported fields, unless
// the type implements encoding.BinaryMarshaler and BinaryUnmarshaler). A
// task of a function that is not registered fails the compute before
// anything runs.
func Using(e Executor) Option {
	return func(c *config) { c.executor = e }
}

// Locally runs the compute's tasks on local goroutines even when a default
// executor is set.
func Locally() Option {
	return func(c *config) { c.local = true }
}

var (
	defaultMu       sync.Mutex
	defaultExecutor Executor
)

// SetDefaultExecutor makes e the executor of every compute that does not
// choose one, so that the same code, generated twins included, moves from
// local goroutines to a cluster with no change; nil restores local
// goroutines. natsexec.Setup calls it when DASKGEN_NATS_URL is set.
func SetDefaultExecutor(e Executor) {
	defaultMu.Lock()
	defaultExecutor = e
	defaultMu.Unlock()
}

func currentDefault() Executor {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultExecutor
}

// Register names a delayed function for executors: a worker runs its tasks
// by that name, so the name must be the same in every process of the
// program, and unique. Generated wrappers register every delayed function
// as "import/path.name". Registering one name twice makes the second
// function's tasks fail.
func Register(name string) FnOption {
	return func(fi *fnInfo) { fi.remote = name }
}

// local marks the functions of the small tasks that run in the computing
// process whatever the executor.
func local(fi *fnInfo) { fi.local = true }

type serveFunc func(ctx context.Context, c Codec, args [][]byte) ([]byte, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]serveFunc{}
)

// register records fn's worker side under its registered name.
func (fi *fnInfo) register(serve serveFunc) {
	if fi.remote == "" {
		return
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[fi.remote]; dup {
		fi.setErr(fmt.Errorf("function name %q is registered twice", fi.remote))
		return
	}
	registry[fi.remote] = serve
}

// ErrNotRegistered is returned by Serve for a name that no function of the
// process is registered under.
var ErrNotRegistered = errors.New("daskgen: no function is registered under this name")

// Serve runs the function registered under name on encoded arguments and
// returns its encoded result: the worker side of an Executor. A panic of the
// function is returned as a *PanicError.
func Serve(ctx context.Context, name string, c Codec, args [][]byte) (out []byte, err error) {
	registryMu.RLock()
	serve := registry[name]
	registryMu.RUnlock()
	if serve == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotRegistered, name)
	}
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Task: name, Value: r, Stack: debug.Stack()}
		}
	}()
	return serve(ctx, c, args)
}

// Registered reports whether a function is registered under name.
func Registered(name string) bool {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return registry[name] != nil
}

// remoter is a task that an Executor can run.
type remoter interface {
	remote(ctx context.Context, e Executor) error
}

// RemoteError is an error that crossed processes: a task's error as its
// worker reported it, or an error held in a task's value. Only the text
// crosses, so errors.Is against a sentinel of the function's package does
// not hold for it; compare texts, or return error codes in values.
type RemoteError struct {
	Msg string
}

// Error returns the original error's text.
func (e *RemoteError) Error() string { return e.Msg }

// Error holds an error in a task's value, such as the error result of a
// delayed function whose error the code reads as a value (generated twins
// use it in tuples). In the computing process it is the error itself; across
// processes its text becomes a *RemoteError.
type Error struct {
	Err error
}

// MarshalBinary encodes the error's text; a nil error is empty.
func (e Error) MarshalBinary() ([]byte, error) {
	if e.Err == nil {
		return nil, nil
	}
	return append([]byte{'!'}, e.Err.Error()...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (e *Error) UnmarshalBinary(b []byte) error {
	if len(b) == 0 {
		e.Err = nil
		return nil
	}
	e.Err = &RemoteError{Msg: string(b[1:])}
	return nil
}

// MarshalText is MarshalBinary, for text codecs.
func (e Error) MarshalText() ([]byte, error) { return e.MarshalBinary() }

// UnmarshalText is UnmarshalBinary, for text codecs.
func (e *Error) UnmarshalText(b []byte) error { return e.UnmarshalBinary(b) }

var (
	binaryMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
)

// crosses reports whether values of the types can be encoded in one
// process and decoded in another with what they hold: no interfaces,
// functions or channels, and no struct fields that codecs skip (unexported
// ones), unless the type marshals itself.
func crosses(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if t.Implements(binaryMarshaler) && reflect.PointerTo(t).Implements(binaryUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Array, reflect.Slice, reflect.Pointer:
		return crosses(t.Elem(), seen)
	case reflect.Map:
		return crosses(t.Key(), seen) && crosses(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || !crosses(f.Type, seen) {
				return false
			}
		}
		return true
	}
	return false
}

// remotable reports whether fi's tasks can run on an executor: their
// arguments and result cross processes. Tasks of the others run in the
// computing process. types lists them; it is called once per function.
// The first time, it tells e, when e wants to know (see LocalNotifier).
func (fi *fnInfo) remotable(e Executor, types func() []reflect.Type) bool {
	fi.crossOnce.Do(func() {
		fi.cross = true
		for _, t := range types() {
			if !crosses(t, map[reflect.Type]bool{}) {
				fi.cross = false
				if n, ok := e.(LocalNotifier); ok {
					n.RunsLocally(fi.remote, fmt.Sprintf("values of type %s cannot cross processes", t))
				}
				break
			}
		}
	})
	return fi.cross
}

// LocalNotifier is an Executor that wants to know when a registered
// function runs in the computing process because its values cannot cross
// processes. RunsLocally is called once per function.
type LocalNotifier interface {
	RunsLocally(name, why string)
}
