// Package barriers covers eager control flow on delayed values: if, switch,
// break, continue and return inside loops.
package barriers

import (
	"errors"
	"fmt"
)

//daskgen:delayed
func score(x int) int { return (x * 37) % 11 }

//daskgen:delayed
func label(x int) string { return fmt.Sprint("L", x) }

// FirstHigh returns at the first score above a limit.
//
//daskgen:parallel
func FirstHigh(xs []int, limit int) (int, bool) {
	for i, x := range xs {
		s := score(x)
		if s > limit {
			return i, true
		}
	}
	return -1, false
}

// Classes switches on a score and skips, stops and counts.
//
//daskgen:parallel
func Classes(xs []int) ([]string, int) {
	var out []string
	n := 0
outer:
	for _, x := range xs {
		switch s := score(x); {
		case s == 0:
			continue
		case s == 10:
			break outer
		case s < 5:
			out = append(out, label(x))
		default:
			n += s
		}
	}
	return out, n
}

// Until reads a delayed value in the loop's condition.
//
//daskgen:parallel
func Until(start, limit int) []int {
	var seen []int
	s := score(start)
	for i := 0; s != limit && i < 20; i++ {
		seen = append(seen, s)
		s = score(s + i)
	}
	return seen
}

// Printed passes a delayed value to a function that is not delayed.
//
//daskgen:parallel
func Printed(xs []int) string {
	out := ""
	for _, x := range xs {
		out += fmt.Sprintf("[%d]", score(x))
	}
	return out
}

// Ranges goes over a string, a map and an int: control flow stays eager.
//
//daskgen:parallel
func Ranges(s string, weights map[string]int, n int) (int, []int) {
	total := 0
	var codes []int
	for i, r := range s {
		codes = append(codes, score(int(r)+i))
	}
	for k, w := range weights {
		total += score(len(k) * w)
	}
	for i := range n {
		total += score(i)
	}
	return total, codes
}

// Banded reads a delayed value only in an else if: the twin waits for it
// there, only when the first condition is false, as F reads it.
//
//daskgen:parallel
func Banded(xs []int) []string {
	var out []string
	for _, x := range xs {
		sc := score(x)
		if x%4 == 0 {
			out = append(out, "fourth")
		} else if sc > 5 {
			out = append(out, "high")
		} else if s := score(x + 1); s > 2 {
			out = append(out, fmt.Sprint("mid", s))
		} else {
			out = append(out, "low")
		}
	}
	return out
}

// listing is one page of a listing: its items and the number of the next
// page, 0 after the last, as go-github's Response.NextPage.
type listing struct {
	Items []string
	Next  int
}

// listPage stands for an API call that returns one page of a user's
// repositories.
//
//daskgen:delayed
func listPage(user string, page int) (listing, error) {
	switch {
	case user == "":
		return listing{}, errors.New("no user")
	case user == "flaky" && page == 3:
		return listing{}, fmt.Errorf("page %d: rate limited", page)
	case user == "panicky" && page == 4:
		panic("page 4 of panicky")
	}
	next := page + 1
	if page >= 5 {
		next = 0
	}
	return listing{Items: []string{fmt.Sprint(user, "/repo", page)}, Next: next}, nil
}

// AllRepos pages through a listing the way go-github's users write it: each
// call needs the page number the call before it returned, so the loop
// cannot run ahead, and each call runs where it is called (Call.Now).
//
//daskgen:parallel
func AllRepos(user string) ([]string, error) {
	var all []string
	page := 1
	for {
		l, err := listPage(user, page)
		if err != nil {
			return all, fmt.Errorf("listing %s: %w", user, err)
		}
		all = append(all, l.Items...)
		if l.Next == 0 {
			break
		}
		page = l.Next
	}
	return all, nil
}

// Cursor is AllRepos with the cursor in the loop's condition: the wait for
// the call's result is the condition's, after the copy into the cursor.
//
//daskgen:parallel
func Cursor(user string) (int, error) {
	count := 0
	for page := 1; page != 0; {
		l, err := listPage(user, page)
		if err != nil {
			return count, err
		}
		count += len(l.Items)
		page = l.Next
	}
	return count, nil
}

// RangeVar assigns a delayed value to its range variable, which stays the
// loop's own: the twin waits for the value there.
//
//daskgen:parallel
func RangeVar(xs []int) []int {
	var out []int
	for _, x := range xs {
		x = score(x)
		if x > 3 {
			out = append(out, x)
		}
	}
	return out
}
