package main

//go:generate go tool daskgen

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// client is what check requests links with.
var client = &http.Client{Timeout: 10 * time.Second}

// check requests link and returns its status code, as a link checker's
// worker does (lychee, muffet, htmltest).
//
//daskgen:delayed
func check(link string) (int, error) {
	resp, err := client.Get(link)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// checkLinks prints one line per link, in the order given: "ok", or "FAIL"
// for a status of 400 or more, then the status and the link. It returns how
// many links failed; with failFast it stops at the first failure. An error
// (no answer at all) ends the check.
//
// It is plain sequential code; daskgen writes checkLinksParallel, which
// checks the links at once and prints exactly the same lines.
//
//daskgen:parallel
func checkLinks(w io.Writer, links []string, failFast bool) (int, error) {
	failures := 0
	for _, link := range links {
		status, err := check(link)
		if err != nil {
			return failures, fmt.Errorf("check %s: %w", link, err)
		}
		if status < 400 {
			fmt.Fprintf(w, "ok   %d %s\n", status, link)
			continue
		}
		fmt.Fprintf(w, "FAIL %d %s\n", status, link)
		failures++
		if failFast {
			break
		}
	}
	return failures, nil
}
