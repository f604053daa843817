package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func (jsonCodec) String() string                  { return "json" }

// loopback is an Executor that runs tasks in this process through their
// encoded form, as a worker would: what it checks is the encoding of
// arguments and results, and the registry.
type loopback struct{ runs atomic.Int64 }

func (l *loopback) Codec() core.Codec { return jsonCodec{} }

func (l *loopback) Run(ctx context.Context, name string, args [][]byte) ([]byte, error) {
	l.runs.Add(1)
	return core.Serve(ctx, name, jsonCodec{}, args)
}

type point struct{ X, Y float64 }

var (
	remoteScale = core.Func2(func(p point, k float64) point { return point{p.X * k, p.Y * k} },
		core.Register("runtime_test.scale"))
	remoteNorm = core.Func1E(func(p point) (float64, error) {
		if p.X < 0 {
			return 0, errors.New("negative x")
		}
		return p.X*p.X + p.Y*p.Y, nil
	}, core.Register("runtime_test.norm"))
	remotePanic = core.Func1(func(x int) int { panic("remote boom") }, core.Register("runtime_test.panic"))
)

func TestExecutorRunsRegisteredFunctions(t *testing.T) {
	ctx := context.Background()
	ex := &loopback{}
	var ds []core.Delayed[float64]
	for i := range 10 {
		p := remoteScale.Call(core.Value(point{float64(i), 1}), core.Value(2.0))
		ds = append(ds, remoteNorm.Call(p))
	}
	// A small local task between them, as twins add.
	total := core.Call1(func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s
	}, core.Collect(ds))
	got, err := core.Compute(ctx, total, core.Using(ex))
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i := range 10 {
		want += float64(4*i*i) + 4
	}
	if got != want {
		t.Errorf("total = %v, want %v", got, want)
	}
	if n := ex.runs.Load(); n != 20 {
		t.Errorf("the executor ran %d tasks, want the 20 registered ones", n)
	}
}

func TestExecutorErrorsAndPanics(t *testing.T) {
	ctx := context.Background()
	ex := &loopback{}
	_, err := core.Compute(ctx, remoteNorm.Call(core.Value(point{-1, 0})), core.Using(ex))
	if err == nil || !strings.Contains(err.Error(), "negative x") {
		t.Errorf("error = %v, want the function's error", err)
	}
	defer func() {
		pe, ok := recover().(*core.PanicError)
		if !ok || pe.Value != "remote boom" {
			t.Errorf("recovered %v, want the remote panic", pe)
		}
	}()
	core.Compute(ctx, remotePanic.Call(core.Value(1)), core.Using(ex))
}

func TestExecutorRefusesUnregistered(t *testing.T) {
	ex := &loopback{}
	plain := core.Func1(func(x int) int { return x }, core.Name("plain"))
	_, err := core.Compute(context.Background(), remoteScale.Call(core.Value(point{}), core.Call1(func(x int) float64 { return float64(x) }, plain.Call(core.Value(1)))), core.Using(ex))
	if err == nil || !strings.Contains(err.Error(), "function plain is not registered") {
		t.Fatalf("error = %v, want one naming the unregistered function", err)
	}
	if n := ex.runs.Load(); n != 0 {
		t.Errorf("the executor ran %d tasks before the error, want none", n)
	}
}

func TestRegisterTwice(t *testing.T) {
	core.Func1(func(x int) int { return x }, core.Register("runtime_test.twice"))
	dup := core.Func1(func(x int) int { return -x }, core.Register("runtime_test.twice"))
	_, err := core.Compute(context.Background(), dup.Call(core.Value(1)))
	if err == nil || !strings.Contains(err.Error(), `"runtime_test.twice" is registered twice`) {
		t.Errorf("error = %v", err)
	}
	if _, err := core.Serve(context.Background(), "no.such", jsonCodec{}, nil); !errors.Is(err, core.ErrNotRegistered) {
		t.Errorf("Serve of an unknown name = %v", err)
	}
}

func TestDefaultExecutor(t *testing.T) {
	ex := &loopback{}
	core.SetDefaultExecutor(ex)
	defer core.SetDefaultExecutor(nil)
	d := remoteScale.Call(core.Value(point{1, 2}), core.Value(3.0))
	if p, err := core.Compute(context.Background(), d); err != nil || p != (point{3, 6}) {
		t.Errorf("Compute = %v, %v", p, err)
	}
	if ex.runs.Load() != 1 {
		t.Errorf("the default executor ran %d tasks", ex.runs.Load())
	}
	d = remoteScale.Call(core.Value(point{1, 2}), core.Value(3.0))
	if _, err := core.Compute(context.Background(), d, core.Locally()); err != nil || ex.runs.Load() != 1 {
		t.Errorf("Locally: %v, runs %d", err, ex.runs.Load())
	}
}

type notifying struct {
	loopback
	local []string
}

func (n *notifying) RunsLocally(name, why string) { n.local = append(n.local, name+": "+why) }

type opaque struct{ secret int }

var revealRuns atomic.Int64

func TestUncrossableValuesRunLocally(t *testing.T) {
	ex := &notifying{}
	// A name per run: names are registered once per process (-count=N).
	reveal := core.Func1(func(o opaque) int { return o.secret }, core.Register(fmt.Sprintf("runtime_test.reveal%d", revealRuns.Add(1))))
	for range 2 {
		v, err := core.Compute(context.Background(), reveal.Call(core.Value(opaque{7})), core.Using(ex))
		if err != nil || v != 7 {
			t.Fatalf("reveal = %v, %v; want 7, run locally", v, err)
		}
	}
	if n := ex.runs.Load(); n != 0 {
		t.Errorf("the executor ran %d tasks of a function whose argument cannot cross", n)
	}
	if len(ex.local) != 1 || !strings.Contains(ex.local[0], ": values of type core_test.opaque cannot cross processes") || !strings.HasPrefix(ex.local[0], "runtime_test.reveal") {
		t.Errorf("RunsLocally calls: %q", ex.local)
	}
}
