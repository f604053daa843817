// Package slow has delayed functions that other fixture packages call.
package slow

import "time"

// Page is a downloaded page.
type Page struct {
	Title string
	Tags  []string
}

// Fetch downloads a page.
//
//daskgen:delayed retries=2
func Fetch(url string) (Page, error) { // want Fetch:"delayed retries=2"
	time.Sleep(time.Millisecond)
	return Page{Title: url}, nil
}

// Inc is slow.
//
//daskgen:delayed pure
func Inc(x int) int { // want Inc:"delayed pure"
	time.Sleep(time.Millisecond)
	return x + 1
}

var hits int

// Count writes a package variable; it is not delayed, so that is fine.
func Count() int { // want Count:"writes globals slow.hits"
	hits++
	return hits
}

// Fill writes through its parameter.
func Fill(xs []int) { // want Fill:"writes params 0"
	for i := range xs {
		xs[i] = i
	}
}
