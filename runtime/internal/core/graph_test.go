package core_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

func sumInts(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func TestGetTalkExample(t *testing.T) {
	a := []int{0, 1, 2, 3}
	d := core.Graph{"a": core.Literal(a), "b": core.Apply(sumInts, core.Key("a"))}
	ctx := context.Background()
	va, err := core.Get(ctx, d, "a")
	require.NoError(t, err)
	assert.Equal(t, a, va)
	vb, err := core.Get(ctx, d, "b")
	require.NoError(t, err)
	assert.Equal(t, 6, vb)
	both, err := core.GetAll(ctx, d, []string{"b", "a"})
	require.NoError(t, err)
	assert.Equal(t, []any{6, a}, both)
}

func TestGetShapes(t *testing.T) {
	g := core.Graph{
		"x":    core.Literal(2),
		"ctx":  core.Apply(func(ctx context.Context, x int) int { return x * 10 }, core.Key("x")),
		"err":  core.Apply(func(x int) (int, error) { return x + 1, nil }, core.Key("ctx")),
		"var":  core.Apply(func(xs ...int) int { return len(xs) }, core.Key("x"), core.Key("err"), 7),
		"lit":  core.Apply(strings.Repeat, "ab", core.Key("x")),
		"nilv": core.Apply(func(e error) bool { return e == nil }, nil),
	}
	vs, err := core.GetAll(context.Background(), g, []string{"err", "var", "lit", "nilv"})
	require.NoError(t, err)
	assert.Equal(t, []any{21, 3, "abab", true}, vs)
}

func TestGetErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		g    core.Graph
		key  string
		want string
	}{
		{"missing key", core.Graph{"b": core.Apply(sumInts, core.Key("a"))}, "b",
			`graph key "b": argument 1 refers to missing key "a"`},
		{"missing target", core.Graph{}, "z", `graph key "z": no such key in the graph`},
		{"nil function", core.Graph{"f": core.Apply((func(int) int)(nil), 1)}, "f",
			`graph key "f": Func is a nil function`},
		{"not a function", core.Graph{"f": core.Apply(42, 1)}, "f",
			`graph key "f": Func is a int, not a function`},
		{"wrong count", core.Graph{"f": core.Apply(sumInts)}, "f",
			`graph key "f": function func([]int) int takes 1 arguments, got 0`},
		{"no result", core.Graph{"f": core.Apply(func() {})}, "f",
			`must return a value, or a value and an error`},
		{"literal with args", core.Graph{"f": {Value: 1, Args: []any{2}}}, "f",
			`a literal task has arguments`},
		{"wrong type", core.Graph{"a": core.Literal("s"), "f": core.Apply(sumInts, core.Key("a"))}, "f",
			`graph key "f": argument 1 is string, want []int`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := core.Get(ctx, c.g, c.key)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestGetCycle(t *testing.T) {
	inc := func(x int) int { return x + 1 }
	g := core.Graph{
		"a": core.Apply(inc, core.Key("b")),
		"b": core.Apply(inc, core.Key("c")),
		"c": core.Apply(inc, core.Key("a")),
		"d": core.Apply(inc, core.Key("a")),
	}
	_, err := core.Get(context.Background(), g, "d")
	var ce *core.CycleError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"a", "b", "c", "a"}, ce.Keys)
	assert.Equal(t, "graph has a cycle: a -> b -> c -> a", err.Error())
	self := core.Graph{"s": core.Apply(inc, core.Key("s"))}
	_, err = core.Get(context.Background(), self, "s")
	assert.EqualError(t, err, "graph has a cycle: s -> s")
}

func TestGetTaskErrorNamesKey(t *testing.T) {
	g := core.Graph{"load": core.Apply(func() (int, error) { return 0, errors.New("disk") })}
	_, err := core.Get(context.Background(), g, "load")
	var te *core.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "load", te.Task)
	assert.EqualError(t, err, "task load: disk")
}

func TestDelayedGraphRoundTrip(t *testing.T) {
	x := incFn.Call(core.Value(1))
	y := incFn.Call(core.Value(2))
	z := addFn.Call(x, y)
	g := z.Graph()
	require.Len(t, g, 3)
	zt := g[z.Key()]
	assert.Equal(t, []any{core.Key(x.Key()), core.Key(y.Key())}, zt.Args)
	assert.Equal(t, []any{1}, g[x.Key()].Args)
	// The graph is data that Get runs.
	v, err := core.Get(context.Background(), g, z.Key())
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	assert.False(t, z.Done(), "Get ran a copy; z itself is still lazy")

	_, err = core.Compute(context.Background(), x)
	require.NoError(t, err)
	g = z.Graph()
	assert.True(t, g[x.Key()].IsLiteral(), "a finished task shows as its value")
	assert.Equal(t, 2, g[x.Key()].Value)
	assert.Empty(t, core.Value(3).Graph())
}

func TestWriteDOT(t *testing.T) {
	g := core.Graph{
		"a": core.Literal([]int{0, 1, 2, 3}),
		"b": core.Apply(sumInts, core.Key("a")),
		"c": core.Apply(func(x int, s string) string { return s }, core.Key("b"), `q"uote`),
	}
	var b strings.Builder
	require.NoError(t, core.WriteDOT(&b, g))
	want := `digraph daskgen {
	rankdir=BT;
	node [fontname="Helvetica"];
	"a" [shape=box, label="a"];
	"b" [shape=ellipse, label="b", tooltip="sumInts"];
	"c" [shape=ellipse, label="c", tooltip="TestWriteDOT.func1"];
	"a" -> "b";
	"b" -> "c";
}
`
	assert.Equal(t, want, b.String())
}

func TestWriteSVG(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("graphviz is not installed; .ci/deps installs it")
	}
	x := incFn.Call(core.Value(1))
	z := addFn.Call(x, incFn.Call(core.Value(2)))
	var b strings.Builder
	require.NoError(t, core.WriteSVG(context.Background(), &b, z.Graph()))
	assert.Contains(t, b.String(), "<svg")
	// Graphviz writes "-" as "&#45;" in SVG text.
	assert.Contains(t, b.String(), ">"+strings.ReplaceAll(x.Key(), "-", "&#45;")+"</text>", "nodes are labelled with task names")
}

func TestWriteSVGWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := core.WriteSVG(context.Background(), &strings.Builder{}, core.Graph{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "install the graphviz package")
	assert.ErrorIs(t, err, exec.ErrNotFound)
}

// FuzzGet runs random graphs: whatever the shape, Get returns a value or an
// error, never panics or hangs, and the value matches a direct evaluation.
func FuzzGet(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5})
	f.Add([]byte{9, 9, 9, 0, 0, 0, 1})
	f.Add([]byte{255, 3, 7, 1, 200, 13, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			data = data[:64]
		}
		g := core.Graph{}
		n := len(data)/2 + 1
		key := func(i int) string { return fmt.Sprintf("k%d", i) }
		add := func(xs ...int) int {
			s := 1
			for _, x := range xs {
				s += x % 1000
			}
			return s
		}
		for i := 0; i < n; i++ {
			var args []any
			if 2*i < len(data) {
				b := data[2*i]
				for j := 0; j < int(b%4); j++ {
					ref := 0
					if 2*i+1 < len(data) {
						ref = int(data[2*i+1]) + j
					}
					// References may point forward (cycles), back, or nowhere.
					args = append(args, core.Key(key(ref%(n+1))))
				}
				if b%7 == 0 {
					args = append(args, "not an int")
				}
			}
			g[key(i)] = core.Apply(add, args...)
		}
		want, wantErr := eval(g, key(0), map[string]bool{})
		got, err := core.Get(context.Background(), g, key(0))
		if wantErr != nil {
			if err == nil {
				t.Fatalf("want error %v, got value %v", wantErr, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if got != want {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// eval evaluates g directly, the reference for FuzzGet.
func eval(g core.Graph, k string, onPath map[string]bool) (int, error) {
	t, ok := g[k]
	if !ok {
		return 0, errors.New("missing")
	}
	if onPath[k] {
		return 0, errors.New("cycle")
	}
	onPath[k] = true
	defer delete(onPath, k)
	s := 1
	for _, a := range t.Args {
		ak, ok := a.(core.Key)
		if !ok {
			return 0, errors.New("bad type")
		}
		v, err := eval(g, string(ak), onPath)
		if err != nil {
			return 0, err
		}
		s += v % 1000
	}
	return s, nil
}
