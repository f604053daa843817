package executor_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/executor"
	"github.com/daskgen/daskgen/runtime/twinimpl"
)

// half is registered, so that an executor's workers can run it by name.
var half = runtime.Func1(func(x int) int { return x / 2 }, runtime.Register("example.half"))

// A worker runs a registered function by name on encoded arguments.
func ExampleServe() {
	arg, _ := json.Marshal(42)
	out, err := executor.Serve(context.Background(), "example.half", jsonCodec{}, [][]byte{arg})
	fmt.Println(string(out), err, executor.Registered("example.half"))
	// Output: 21 <nil> true
}

// inProcess is the smallest Executor: it runs each task through its encoded
// form in this process. runtime/natsexec's runs them on other machines.
type inProcess struct{}

func (inProcess) Codec() executor.Codec { return jsonCodec{} }

func (inProcess) Run(ctx context.Context, name string, args [][]byte) ([]byte, error) {
	fmt.Println("running", name)
	return executor.Serve(ctx, name, jsonCodec{}, args)
}

// runtime.Using picks the executor of one compute; the small local tasks
// that generated twins add (here twinimpl.Call1) stay in the computing
// process.
func ExampleExecutor() {
	d := twinimpl.Call1(func(x int) int { return x + 1 }, half.Call(runtime.Value(10)))
	v, err := runtime.Compute(context.Background(), d, runtime.Using(inProcess{}))
	fmt.Println(v, err)
	// Output:
	// running example.half
	// 6 <nil>
}

// runtime.SetDefaultExecutor moves every compute, twins included, to an
// executor; runtime.Locally keeps one compute on local goroutines.
func ExampleExecutor_default() {
	runtime.SetDefaultExecutor(inProcess{})
	defer runtime.SetDefaultExecutor(nil)
	v, _ := runtime.Compute(context.Background(), half.Call(runtime.Value(8)))
	w, _ := runtime.Compute(context.Background(), half.Call(runtime.Value(8)), runtime.Locally())
	fmt.Println(v, w)
	// Output:
	// running example.half
	// 4 4
}

// A function must be registered (runtime.Register) to run on an executor:
// otherwise the compute fails before anything runs.
func ExampleExecutor_unregistered() {
	plain := runtime.Func1(func(x int) int { return x }, runtime.Name("plain"))
	_, err := runtime.Compute(context.Background(), plain.Call(runtime.Value(1)), runtime.Using(inProcess{}))
	fmt.Println(err != nil)
	// Output: true
}

// jsonCodec encodes arguments and results as JSON.
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
