//go:build go1.21

// The build constraint gives the file Go 1.21's loop semantics: the iterations of a range loop share its variables.

package syncs

// EnrichShared is Enrich where all iterations share one item: the address
// taken in one iteration points at what the next one overwrites, so the
// loop is not pipelined.
//
//daskgen:parallel
func EnrichShared(items []Item) []*Item {
	var out []*Item
	for _, item := range items {
		item.Score = score(item.Name) // want `the result of score\(item.Name\) is needed by eager code here \(stored into item.Score\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because the body assigns item at line 16, and its iterations share the variable \(the file is go1.21; since Go 1.22 each has its own\)`
		out = append(out, &item)
	}
	return out
}
