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
		if y > 10 { // pipelined: waits for its own iteration only
			t += y
		}
	}
	return t
}

//daskgen:parallel
func Print(xs []int) {
	for _, x := range xs {
		y := inc(x)
		fmt.Println(y) // pipelined
	}
}

//daskgen:parallel
func Len(xs []int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, inc(x))
		if len(out) > 3 { // pipelined: inc(x) starts ahead
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
		fmt.Println(err) // pipelined
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

// Chain: each call reads the value the iteration before waited for, so no
// call can start ahead.
//
//daskgen:parallel
func Chain(start, n int) []int {
	var out []int
	cur := start
	for i := 0; i < n; i++ {
		next := inc(cur)
		if next > 100 { // want `next is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because inc\(cur\) reads cur, which the loop's eager code sets at line 93`
			break
		}
		cur = next * 2
		out = append(out, cur)
	}
	return out
}

// Gated: the call runs only when an earlier result says so, and the loop
// waits for it.
//
//daskgen:parallel
func Gated(xs []int) int {
	n := 0
	for _, x := range xs {
		if inc(x) > 3 {
			if y := inc(x + 1); y > 5 { // want `delayed call inc\(x \+ 1\) cannot start ahead of the loop's eager code, because it is inside an if whose condition waits for the result of inc\(x\)`
				n++
			}
		}
	}
	return n
}

type limits struct{ lo, hi int }

//daskgen:delayed
func clamp(l limits, x int) int { return min(max(x, l.lo), l.hi) } // want clamp:"delayed"

// Widening: the call reads the struct lim whole, and the eager part
// changes a field of it, so no call can start ahead of the last change.
//
//daskgen:parallel
func Widening(xs []int) int {
	lim := limits{0, 10}
	n := 0
	for _, x := range xs {
		if clamp(lim, x) == lim.hi { // want `the result of clamp\(lim, x\) is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because clamp\(lim, x\) reads lim, which the loop's eager code changes at line \d+`
			lim.hi++
			n++
		}
	}
	return n
}

type table struct {
	w    []int
	hits int
}

//daskgen:delayed
func weigh(t *table, x int) int { return t.w[x%len(t.w)] } // want weigh:"delayed"

//daskgen:delayed
func slot(t *table, x int) *int { return &t.w[x%len(t.w)] } // want slot:"delayed" slot:"aliases params 0"

// Counted lends &tab to the calls but changes tab.hits as it goes, so no
// call can start ahead.
//
//daskgen:parallel
func Counted(xs []int) int {
	tab := table{w: []int{1, 2, 3}}
	n := 0
	for _, x := range xs {
		if weigh(&tab, x) > 1 { // want `the result of weigh\(&tab, x\) is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because weigh\(&tab, x\) reads tab, which the loop's eager code changes at line \d+`
			tab.hits++
			n++
		}
	}
	return n
}

// Slots gets back a pointer into the table it lends, so the eager part
// could change the table through it, and with it any []int the table
// shares with xs: no call can start ahead.
//
//daskgen:parallel
func Slots(xs []int) int {
	tab := table{w: []int{1, 2, 3}}
	n := 0
	for _, x := range xs {
		if p := slot(&tab, x); *p > 1 { // want `p is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because the range reads xs\[_\], which may be the memory that the loop's eager code changes through tab at line 172 \(daskgen cannot tell that xs and tab do not share it`
			n++
		}
	}
	return n
}

// Paged: the loop's own variable is set from the call's result at the end
// of the body, and the condition waits for it; the call runs where it is
// called (see the plan), since nothing is issued before that wait.
//
//daskgen:parallel
func Paged(n int) int {
	count := 0
	for cur := 1; cur%7 != 0 && count < n; {
		next := inc(cur)
		count++
		cur = next // want `next is needed by eager code here \(assigned to cur, a variable of a loop's header\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because the loop's condition reads count, which the loop's eager code sets at line 188`
	}
	return count
}

// Pairs: b's result is waited for before any other call, so b runs where it
// is called; a is issued before b and runs beside it, as a task.
//
//daskgen:parallel
func Pairs(x int) int {
	a := inc(x)
	b := inc(x + 1)
	if a > b {
		return a
	}
	return b
}

// Maybe: a is waited for only when check holds, and b is issued after, so
// a stays a task; b's result is returned at once.
//
//daskgen:parallel
func Maybe(x int, check bool) int {
	a := inc(x)
	if check {
		if a > 3 {
			return a
		}
	}
	b := inc(x + 2)
	return a + b
}

// Rescored assigns a delayed value to its range variable, which stays the
// loop's own: the loop waits for it there.
//
//daskgen:parallel
func Rescored(xs []int) []int {
	var out []int
	for _, x := range xs {
		x = inc(x) // want `the result of inc\(x\) is needed by eager code here \(assigned to x, a variable of a loop's header\), so the loop waits for it in every iteration`
		if x > 3 {
			out = append(out, x)
		}
	}
	return out
}

// flatError holds several errors, as validation packages return them.
type flatError []error

func (e flatError) Error() string { return fmt.Sprint([]error(e)) }

//daskgen:delayed
func validate(x int) error { // want validate:"delayed"
	if x%3 == 0 {
		return flatError{fmt.Errorf("a%d", x), fmt.Errorf("b%d", x)}
	}
	return nil
}

// Flattened flattens the errors of each check with a comma-ok type
// assertion, as validation packages do: it waits for the error there.
//
//daskgen:parallel
func Flattened(xs []int) []error {
	var out []error
	for _, x := range xs {
		err := validate(x)
		if errs, ok := err.(flatError); ok {
			out = append(out, errs...)
		} else if err != nil {
			out = append(out, err)
		}
	}
	return out
}
