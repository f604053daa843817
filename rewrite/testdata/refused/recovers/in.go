package recovers

import "fmt"

//daskgen:delayed
func work(x int) int {
	if x == 13 {
		panic("unlucky")
	}
	return x * 2
}

// RunAll recovers a panic of its loop into its named error, as plugin and
// template runners do; only the loop is marked. F returns the items before
// the panic and "recovered string: unlucky"; a twin could give its deferred
// function neither, so daskgen refuses it.
func RunAll(xs []int) (out []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered %T: %v", r, r)
		}
	}()
	//daskgen:parallel
	for _, x := range xs {
		out = append(out, work(x))
	}
	return out, nil
}
