// Package unordered is the crawler of futures-tutorial.md: a worklist loop
// marked unordered runs its downloads as they are found.
package unordered

import (
	"fmt"
	"strings"
	"time"
)

// site maps a page to the pages it links to.
var site = map[string][]string{
	"/":       {"/a", "/b", "/c"},
	"/a":      {"/a/1", "/a/2", "/"},
	"/b":      {"/b/1", "/missing"},
	"/c":      {"/a", "/c/1"},
	"/a/1":    {},
	"/a/2":    {"/a/1"},
	"/b/1":    {"/b"},
	"/c/1":    {"/c/1/x"},
	"/c/1/x":  {"/"},
	"/broken": {},
}

//daskgen:delayed
func download(url string) (string, error) {
	time.Sleep(2 * time.Millisecond)
	links, ok := site[url]
	if !ok {
		return "", fmt.Errorf("%s: not found", url)
	}
	return "<title>" + url + "</title>" + strings.Join(links, " "), nil
}

//daskgen:delayed
func title(page string) string {
	t, _, _ := strings.Cut(strings.TrimPrefix(page, "<title>"), "</title>")
	return t
}

//daskgen:delayed
func links(page string) []string {
	_, rest, _ := strings.Cut(page, "</title>")
	return strings.Fields(rest)
}

// Crawl visits every page reachable from start once, and returns their
// titles; a missing page ends it with an error.
func Crawl(start string, skip map[string]bool) ([]string, error) {
	queue := []string{start}
	seen := map[string]bool{}
	var titles []string
	//daskgen:parallel unordered
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		if seen[url] || skip[url] {
			continue
		}
		seen[url] = true
		page, err := download(url)
		if err != nil {
			return nil, err
		}
		titles = append(titles, title(page))
		queue = append(queue, links(page)...)
	}
	return titles, nil
}

// Natural is the crawler as people write it: pop a URL, download it, range
// over its links and push the ones not seen yet. Marked unordered, its twin
// downloads every URL it knows of at once and handles each page as its
// download completes.
func Natural(start string, skip map[string]bool) ([]string, int, error) {
	queue := []string{start}
	seen := map[string]bool{start: true}
	var titles []string
	pages := 0
	//daskgen:parallel unordered
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		if skip[url] {
			continue
		}
		page, err := download(url)
		if err != nil {
			return nil, pages, err
		}
		pages++
		titles = append(titles, title(page))
		for _, l := range links(page) {
			if !seen[l] {
				seen[l] = true
				queue = append(queue, l)
			}
		}
	}
	return titles, pages, nil
}
