package syncs

import "fmt"

//daskgen:delayed
func inc(x int) int { return x + 1 } // want inc:"delayed"

//daskgen:delayed
func fetch(u string) (string, error) { return u, nil } // want fetch:"delayed"

//daskgen:parallel
func Cond(xs []int) int {
	t := 0
	for _, x := range xs {
		y := inc(x)
		if y > 10 { // want `y is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration; use it after the loop, or do this work in a delayed function`
			t += y
		}
	}
	return t
}

//daskgen:parallel
func Print(xs []int) {
	for _, x := range xs {
		y := inc(x)
		fmt.Println(y) // want `y is needed by eager code here \(an argument of fmt.Println\)`
	}
}

//daskgen:parallel
func Len(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, inc(x))
		if len(out) > 3 { // want `accumulator out is read by eager code here \(an argument of len\), so the loop waits for every piece so far in each iteration; read it after the loop`
			break
		}
	}
	return out
}

//daskgen:parallel
func ErrIdiom(us []string) ([]string, error) {
	var out []string
	for _, u := range us {
		b, err := fetch(u)
		if err != nil { // the idiom: no barrier
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

//daskgen:parallel
func ErrUsed(us []string) int {
	n := 0
	for _, u := range us {
		_, err := fetch(u)
		fmt.Println(err) // want `err is needed by eager code here \(an argument of fmt.Println\)`
		n++
	}
	return n
}

// After the loop, a single wait: not reported.
//
//daskgen:parallel
func AfterLoop(xs []int) int {
	var out []int
	for _, x := range xs {
		out = append(out, inc(x))
	}
	if len(out) > 3 {
		return out[0]
	}
	return 0
}
