package core

import (
	"context"
	"fmt"
	"reflect"
	"slices"
)

// Key names a task of a Graph. As an argument of Apply it refers to the value
// of that task; any other argument is passed as it is.
type Key string

// Task is one entry of a Graph: a literal value, or a function applied to
// arguments, some of which are other tasks' keys.
type Task struct {
	Func  any   // the function, or nil for a literal
	Args  []any // the arguments; a Key stands for that task's value
	Value any   // the value of a literal task
	name  string
}

// Literal returns a task whose value is v, like a plain value in a Dask graph.
func Literal(v any) Task { return Task{Value: v} }

// Apply returns a task that calls f with args, like the tuple (f, args...) in a
// Dask graph. An argument of type Key is replaced by that task's value. f may
// take a context.Context first and may return an error last; it must return
// one value besides.
func Apply(f any, args ...any) Task { return Task{Func: f, Args: args} }

// IsLiteral reports whether t is a literal value rather than a call.
func (t Task) IsLiteral() bool { return t.Func == nil }

// FuncName returns the name of t's function, or "" for a literal.
func (t Task) FuncName() string {
	if t.Func == nil {
		return ""
	}
	if t.name != "" {
		return t.name
	}
	return funcName(t.Func)
}

// Graph is a task graph as plain data: keys mapped to tasks. Build one by hand
// with Literal and Apply, or get one from a Delayed value with its Graph
// method, and run it with Get:
//
//	g := runtime.Graph{
//		"a": runtime.Literal([]int{0, 1, 2, 3}),
//		"b": runtime.Apply(sum, runtime.Key("a")),
//	}
//	b, err := runtime.Get(ctx, g, "b") // 6
type Graph map[string]Task

// Graph returns the graph of tasks that d's value needs, keyed by task name.
// Tasks that have run show as literals holding their values. A plain value
// has an empty graph. Do not call Graph while d is being computed.
func (d Delayed[T]) Graph() Graph {
	g := Graph{}
	if d.o == nil {
		return g
	}
	stack := []*node{&d.o.node}
	var buf []*node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		name := n.name()
		if _, ok := g[name]; ok {
			continue
		}
		g[name] = n.self.spec()
		if stOf(n.state.Load()) != stDone {
			buf = n.self.deps(buf[:0])
			stack = append(stack, buf...)
		}
	}
	return g
}

// literal describes a finished task as a literal holding its value.
func (o *out[T]) literal() (Task, bool) {
	if stOf(o.state.Load()) != stDone {
		return Task{}, false
	}
	return Task{Value: o.val}, true
}

// Get computes the task named key in g and returns its value, like Dask's
// get(graph, key). Before anything runs it checks the tasks that key needs and
// returns a *CycleError for a cycle and a *GraphError for a missing key, a
// function that is nil or not a function, or a wrong number of arguments. A
// failing function gives a *TaskError named after its key. Options are as for
// Compute.
func Get(ctx context.Context, g Graph, key string, opts ...Option) (any, error) {
	vs, err := GetAll(ctx, g, []string{key}, opts...)
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// GetAll is Get for several keys at once; tasks they share run once.
func GetAll(ctx context.Context, g Graph, keys []string, opts ...Option) ([]any, error) {
	nodes, err := buildGraph(g, keys)
	if err != nil {
		return nil, err
	}
	targets := make([]*node, len(keys))
	for i, k := range keys {
		targets[i] = &nodes[k].node
	}
	if err := run(ctx, targets, opts); err != nil {
		return nil, err
	}
	vs := make([]any, len(keys))
	for i, k := range keys {
		vs[i] = nodes[k].val
	}
	return vs, nil
}

// gnode is a task of a Graph, called through reflection.
type gnode struct {
	out[any]
	key  string
	fn   reflect.Value
	ctx  bool // fn takes a context first
	err  bool // fn returns an error last
	args []garg
}

type garg struct {
	n *gnode // the task whose value is the argument, or nil
	v any    // the literal argument
}

var (
	ctxType = reflect.TypeFor[context.Context]()
	errType = reflect.TypeFor[error]()
	gInfo   = &fnInfo{name: "graph", local: true}
)

func (t *gnode) fninfo() *fnInfo { return gInfo }
func (t *gnode) taskKey() string { return t.key }

func (t *gnode) call(ctx context.Context) error {
	ft := t.fn.Type()
	in := make([]reflect.Value, 0, len(t.args)+1)
	if t.ctx {
		in = append(in, reflect.ValueOf(ctx))
	}
	for i, a := range t.args {
		v := a.v
		if a.n != nil {
			v = a.n.val
		}
		pi := len(in)
		var pt reflect.Type
		if ft.IsVariadic() && pi >= ft.NumIn()-1 {
			pt = ft.In(ft.NumIn() - 1).Elem()
		} else {
			pt = ft.In(pi)
		}
		rv := reflect.ValueOf(v)
		switch {
		case !rv.IsValid():
			rv = reflect.Zero(pt)
		case !rv.Type().AssignableTo(pt):
			return &GraphError{Key: t.key, Msg: fmt.Sprintf("argument %d is %s, want %s", i+1, rv.Type(), pt)}
		}
		in = append(in, rv)
	}
	res := t.fn.Call(in)
	if t.err {
		if e := res[len(res)-1]; !e.IsNil() {
			return e.Interface().(error)
		}
	}
	t.val = res[0].Interface()
	return nil
}

func (t *gnode) deps(buf []*node) []*node {
	for _, a := range t.args {
		if a.n != nil {
			buf = append(buf, &a.n.node)
		}
	}
	return buf
}

func (t *gnode) release() { t.args = nil }

func (t *gnode) spec() Task {
	if lt, ok := t.literal(); ok {
		return lt
	}
	args := make([]any, len(t.args))
	for i, a := range t.args {
		args[i] = a.v
		if a.n != nil {
			args[i] = Key(a.n.key)
		}
	}
	return Task{Func: t.fn.Interface(), Args: args}
}

// buildGraph checks the part of g that keys need and makes its tasks, inputs
// before the tasks that read them.
func buildGraph(g Graph, keys []string) (map[string]*gnode, error) {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	nodes := map[string]*gnode{}
	var path []string
	var visit func(key, from string, arg int) error
	visit = func(key, from string, arg int) error {
		t, ok := g[key]
		if !ok {
			if from == "" {
				return &GraphError{Key: key, Msg: "no such key in the graph"}
			}
			return &GraphError{Key: from, Msg: fmt.Sprintf("argument %d refers to missing key %q", arg, key)}
		}
		switch color[key] {
		case black:
			return nil
		case grey:
			i := slices.Index(path, key)
			return &CycleError{Keys: append(slices.Clone(path[i:]), key)}
		}
		color[key] = grey
		path = append(path, key)
		for i, a := range t.Args {
			if k, ok := a.(Key); ok {
				if err := visit(string(k), key, i+1); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		color[key] = black
		n, err := makeGNode(key, t, nodes)
		if err != nil {
			return err
		}
		nodes[key] = n
		return nil
	}
	for _, k := range keys {
		if err := visit(k, "", 0); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

func makeGNode(key string, t Task, nodes map[string]*gnode) (*gnode, error) {
	n := &gnode{key: key}
	n.init(n)
	if t.Func == nil {
		if len(t.Args) > 0 {
			return nil, &GraphError{Key: key, Msg: "a literal task has arguments; give it a function"}
		}
		n.val = t.Value
		n.state.Store(stDone)
		return n, nil
	}
	fv := reflect.ValueOf(t.Func)
	if fv.Kind() != reflect.Func {
		return nil, &GraphError{Key: key, Msg: fmt.Sprintf("Func is a %T, not a function", t.Func)}
	}
	if fv.IsNil() {
		return nil, &GraphError{Key: key, Msg: "Func is a nil function"}
	}
	ft := fv.Type()
	n.fn = fv
	n.ctx = ft.NumIn() > 0 && ft.In(0) == ctxType
	switch {
	case ft.NumOut() == 1 && ft.Out(0) != errType:
	case ft.NumOut() == 2 && ft.Out(1) == errType:
		n.err = true
	default:
		return nil, &GraphError{Key: key, Msg: fmt.Sprintf("function %s must return a value, or a value and an error", ft)}
	}
	params := ft.NumIn()
	if n.ctx {
		params--
	}
	if ft.IsVariadic() {
		if len(t.Args) < params-1 {
			return nil, &GraphError{Key: key, Msg: fmt.Sprintf("function %s takes at least %d arguments, got %d", ft, params-1, len(t.Args))}
		}
	} else if len(t.Args) != params {
		return nil, &GraphError{Key: key, Msg: fmt.Sprintf("function %s takes %d arguments, got %d", ft, params, len(t.Args))}
	}
	n.args = make([]garg, len(t.Args))
	for i, a := range t.Args {
		if k, ok := a.(Key); ok {
			n.args[i].n = nodes[string(k)]
		} else {
			n.args[i].v = a
		}
	}
	return n, nil
}
