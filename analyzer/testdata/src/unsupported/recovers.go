package unsupported

import "fmt"

// RunAll recovers a panic of its loop into its named error, as plugin and
// template runners do; only the loop is marked. A delayed call's panic
// would reach the deferred function as a *runtime.PanicError, with out as
// the twin left it.
func RunAll(xs []int) (out []int, err error) {
	defer func() { // want `this deferred call recovers panics, and the parallel loop at line 16 cannot give it what F gives it`
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered %T: %v", r, r)
		}
	}()
	//daskgen:parallel
	for _, x := range xs {
		out = append(out, inc(x))
	}
	return out, nil
}

// guard is a named function that recovers into *err.
func guard(err *error) { // want guard:"writes params 0"
	if r := recover(); r != nil {
		*err = fmt.Errorf("recovered: %v", r)
	}
}

// Guarded recovers through a function of the package.
func Guarded(xs []int) (n int, err error) {
	defer guard(&err) // want `this deferred call recovers panics, and the parallel loop at line 33`
	//daskgen:parallel
	for _, x := range xs {
		n += inc(x)
	}
	return n, nil
}

// Closed defers a call that does not recover: its loop has a twin.
func Closed(xs []int) (n int) {
	done := make(chan struct{})
	defer close(done)
	//daskgen:parallel
	for _, x := range xs {
		n += inc(x)
	}
	return n
}
