package shortcircuit

//daskgen:delayed
func check(x int) bool {
	if x < 0 {
		panic("negative")
	}
	return x%2 == 0
}

// Evens calls check only for positive numbers, through &&, and in a case.
//
//daskgen:parallel
func Evens(xs []int) int {
	n := 0
	for _, x := range xs {
		if x > 0 && check(x) {
			n++
		}
		switch {
		case x == 0:
		case check(x):
			n += 10
		}
	}
	return n
}
