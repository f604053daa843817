package main

//go:generate go tool daskgen

import "time"

// delay is how long each mocked call takes; main sets it from -delay.
var delay = 200 * time.Millisecond

// fetchResultsMock stands for a request to the carbon-intensity API for one
// day: it waits, and returns the date.
//
//daskgen:delayed
func fetchResultsMock(date time.Time) string {
	time.Sleep(delay)
	return date.Format(time.DateOnly)
}

// forLoop is the post's for loop; its twin is the post's
// list(map(dask.delayed(fcn), params)) with dask.compute.
//
//daskgen:parallel
func forLoop(params []time.Time) []string {
	var out []string
	for _, p := range params {
		out = append(out, fetchResultsMock(p))
	}
	return out
}
