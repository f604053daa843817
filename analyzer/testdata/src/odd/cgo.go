package odd

// int twice(int x) { return 2 * x; }
import "C"

// cgo rewrites this file before analysis, into a generated file that
// daskgen cannot write a twin next to: it says so, at the directives.
//
//daskgen:delayed // want `//daskgen:delayed is in a file that imports "C": daskgen does not write twins for cgo files`
func twice(x int) int { return int(C.twice(C.int(x))) }

//daskgen:parallel // want `//daskgen:parallel is in a file that imports "C"`
func twiceAll(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, twice(x))
	}
	return out
}
