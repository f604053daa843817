package forpost

//daskgen:delayed
func step(x int) int { return x + 1 }

//daskgen:parallel
func F(n int) int {
	s := 0
	for i := 0; i < n; i += step(i) {
		s += i
	}
	return s
}
