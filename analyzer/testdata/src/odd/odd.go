// Package odd holds files the analyzer must take in its stride: generated
// files (skipped), test files and cgo files (analyzed).
package odd

//daskgen:delayed
func slow(x int) int { return x } // want slow:"delayed"
