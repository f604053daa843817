package odd

import "testing"

//daskgen:parallel
func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += slow(x)
	}
	return t
}

//daskgen:parallel // want `parallel function nothing calls no delayed function`
func nothing() int { return 1 }

func TestSum(t *testing.T) { // want TestSum:"writes params 0"
	if sum([]int{1, 2}) != 3 {
		t.Fail()
	}
}
