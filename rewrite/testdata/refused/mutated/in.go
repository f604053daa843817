package mutated

//daskgen:delayed
func total(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// Sums passes buf to a delayed call and changes it in the next iteration,
// before the graph runs.
//
//daskgen:parallel
func Sums(n int) []int {
	var out []int
	buf := make([]int, 3)
	for i := 0; i < n; i++ {
		buf[0] = i
		out = append(out, total(buf))
	}
	return out
}
