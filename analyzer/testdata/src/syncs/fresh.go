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

// ShiftInPlace writes the element after its own while ranging over the
// same slice: in F each iteration reads what the one before wrote, so the
// range cannot read ahead.
//
//daskgen:parallel
func ShiftInPlace(xs []int) []int { // want ShiftInPlace:"writes params 0" ShiftInPlace:"aliases params 0"
	for i, x := range xs[:len(xs)-1] {
		xs[i+1] = score(fmt.Sprint(x)) // want `the result of score\(fmt.Sprint\(x\)\) is needed by eager code here \(stored into xs\[i \+ 1\]\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because the range reads xs\[:len\(xs\) - 1\]\[i\], which the loop's eager code changes at line 55, ahead of the body`
	}
	return xs
}

// Into stores into a slice its caller passes, which may be xs shifted by
// one: the calls cannot read xs ahead.
//
//daskgen:parallel
func Into(dst []int, xs []int) { // want Into:"writes params 0"
	for i := range xs {
		dst[i] = score(fmt.Sprint(xs[i])) // want `the result of score\(fmt.Sprint\(xs\[i\]\)\) is needed by eager code here \(stored into dst\[i\]\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because score\(fmt.Sprint\(xs\[i\]\)\) reads xs\[i\], which may be the memory that the loop's eager code changes through dst at line 66 \(daskgen cannot tell that xs and dst do not share it; a slice the function makes itself, with make, does not\)`
	}
}

// Apart stores into a slice of another element type than the one it
// reads: the two cannot share memory, so the loop is pipelined.
//
//daskgen:parallel
func Apart(dst []int, xs []string) { // want Apart:"writes params 0"
	for i := range xs {
		dst[i] = score(xs[i]) // pipelined
	}
}

// Made stores into a slice it makes: nothing else reaches it, so the loop
// is pipelined.
//
//daskgen:parallel
func Made(xs []string) []int {
	out := make([]int, len(xs))
	for i := range xs {
		out[i] = score(xs[i]) // pipelined
	}
	return out
}

// Doc collects what a loop merges into it, as a schema merges documents.
type Doc struct {
	Names []string
	Total int
}

// Merge adds n to d.
func (d *Doc) Merge(n int) { d.Names, d.Total = append(d.Names, fmt.Sprint(n)), d.Total+n } // want Merge:"writes receiver"

// Merged merges each result into a document through a method that may
// write anything the document reaches: strings and ints, but no pointer
// to an Item, so the calls still read items ahead.
//
//daskgen:parallel
func Merged(items []*Item) *Doc {
	d := &Doc{}
	for _, it := range items {
		d.Merge(score(it.Name)) // pipelined
	}
	return d
}
