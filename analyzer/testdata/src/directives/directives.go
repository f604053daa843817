package directives

//daskgen:delayed
func slow(x int) int { return x } // want slow:"delayed"

//daskgen:delayed retries=-1 // want `option "retries=-1": retries must be a whole number of at least 0`
func bad1(x int) int { return x }

//daskgen:delayed workers=3 // want `unknown option "workers=3" for //daskgen:delayed; the options are pure, locked, retries=N and limit=N`
func bad2(x int) int { return x }

//daskgen:paralel // want `unknown directive //daskgen:paralel; daskgen knows //daskgen:delayed and //daskgen:parallel`
func bad3() {}

//daskgen:delayed
//daskgen:parallel // want `both is both //daskgen:delayed and //daskgen:parallel; a delayed function runs as one task, so keep one of the two`
func both(x int) int { return x }

//daskgen:parallel unordered // want `unordered applies to a worklist loop, not to the function unord; put //daskgen:parallel unordered on the line above the loop`
func unord(xs []int) {
	for _, x := range xs {
		slow(x)
	}
}

//daskgen:delayed // want `delayed function noresult returns nothing; a delayed function returns its result or an error \(or both, the error last\), which later code reads`
func noresult(x int) {}

//daskgen:delayed
func onlyerr(x int) error { return nil } // want onlyerr:"delayed"

//daskgen:delayed
//daskgen:delayed // want `//daskgen:delayed given twice for twice; keep one`
func twice(x int) int { return x } // want twice:"delayed"

var v = 1 //daskgen:parallel // want `//daskgen:parallel is not attached to anything`

func loops(xs []int) int {
	t := 0
	//daskgen:delayed // want `//daskgen:delayed marks a function, not a loop; put it in the doc comment of the slow function the loop calls`
	for _, x := range xs {
		t += x
	}

	//daskgen:parallel // want `//daskgen:parallel is not attached to anything`

	for _, x := range xs {
		t += slow(x)
	}
	return t
}

//daskgen:parallel
func outer(xs []int) int {
	t := 0
	//daskgen:parallel // want `this loop is already inside the parallel function outer; remove this directive`
	for _, x := range xs {
		t += slow(x)
	}
	return t
}

func labeled(xs [][]int) int {
	t := 0
	//daskgen:parallel workers=2
outer:
	for _, row := range xs {
		for _, x := range row {
			if x < 0 {
				continue outer
			}
			t += slow(x)
		}
	}
	return t
}

var initialized = func() int {
	t := 0
	//daskgen:parallel // want `//daskgen:parallel is above a loop in the initializer of package variable initialized, which is no function daskgen can write a twin of; move the loop into a function of its own marked //daskgen:parallel, and initialize initialized with its twin`
	for _, x := range []int{1, 2} {
		t += slow(x)
	}
	return t
}()
