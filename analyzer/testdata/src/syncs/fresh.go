//go:build go1.22

// The range loops here have a variable of their own in each iteration: the
// build constraint gives the file Go 1.22's loop semantics.

package syncs

import "fmt"

// Item is scored in place.
type Item struct {
	Name  string
	Score int
}

//daskgen:delayed
func score(name string) int { return len(name) } // want score:"delayed"

// Enrich writes a field of the range variable and keeps its address: since
// Go 1.22 each iteration has a variable of its own, and the issue part reads
// item.Name before the iteration writes it.
//
//daskgen:parallel
func Enrich(items []Item) []*Item {
	var out []*Item
	for _, item := range items {
		item.Score = score(item.Name) // pipelined
		out = append(out, &item)
	}
	return out
}

// Retitle sets the range variable before the call reads it, from what an
// earlier iteration printed: the call waits for the iteration's own write.
//
//daskgen:parallel
func Retitle(items []Item) []int {
	var out []int
	last := ""
	for _, item := range items {
		item.Name = fmt.Sprint(last, item.Name)
		out = append(out, score(item.Name))
		last = fmt.Sprint(out[len(out)-1]) // want `accumulator out is read by eager code here \(read by eager code\).*because score\(item.Name\) reads item.Name, which the loop's eager code changes at line 41` `accumulator out is read by eager code here \(an argument of len\)`
	}
	return out
}
