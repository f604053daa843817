package limits

type T struct{ n int }

//daskgen:delayed
func (t T) Get(x int) int { return t.n + x }

//daskgen:delayed
func inc(x int) int { return x + 1 }

//daskgen:delayed
func ident[V any](v V) V { return v }

//daskgen:delayed
func pair(x int) (int, int) { return x, -x }

// MethodExpr calls a delayed method through a method expression.
//
//daskgen:parallel
func MethodExpr(t T, xs []int) int {
	s := 0
	for _, x := range xs {
		s += T.Get(t, x)
	}
	return s
}

// Generic instantiates a delayed call with its own type parameter.
//
//daskgen:parallel
func Generic[V any](vs []V) []V {
	var out []V
	for _, v := range vs {
		out = append(out, ident(v))
	}
	return out
}

//daskgen:delayed
func join(a, b int) int { return a*2 + b }

// Spread passes both results of one delayed call as another's arguments.
//
//daskgen:parallel
func Spread(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, join(pair(x)))
	}
	return out
}
