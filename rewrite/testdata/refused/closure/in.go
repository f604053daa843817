package closure

//daskgen:delayed
func inc(x int) int { return x + 1 }

// Later captures a delayed value in a closure.
//
//daskgen:parallel
func Later(xs []int) []func() int {
	var fs []func() int
	for _, x := range xs {
		y := inc(x)
		fs = append(fs, func() int { return y * 2 })
	}
	return fs
}
