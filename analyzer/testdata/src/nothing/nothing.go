package nothing

func fast(x int) int { return x + 1 }

//daskgen:parallel // want `parallel function Sum calls no delayed function, so it has nothing to run in parallel; mark the slow functions it calls //daskgen:delayed, or remove the directive`
func Sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += fast(x)
	}
	return t
}

func Loop(xs []int) int {
	t := 0
	//daskgen:parallel // want `parallel loop calls no delayed function`
	for _, x := range xs {
		t += fast(x)
	}
	return t
}
