package odd

// int twice(int x) { return 2 * x; }
import "C"

// cgo rewrites this file before analysis; positions map back through it, so
// this fixture only shows that cgo files are analyzed without trouble.
//
//daskgen:delayed
func twice(x int) int { return int(C.twice(C.int(x))) }

//daskgen:parallel
func twiceAll(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, twice(x))
	}
	return out
}
