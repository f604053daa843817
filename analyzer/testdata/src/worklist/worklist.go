// Package worklist is the crawler of the futures tutorial, written
// sequentially, as an unordered parallel loop.
package worklist

import "strings"

//daskgen:delayed retries=2
func download(url string) (string, error) { return "<title>" + url + "</title>", nil } // want download:"delayed retries=2"

//daskgen:delayed
func title(page string) string { // want title:"delayed"
	return strings.TrimSuffix(strings.TrimPrefix(page, "<title>"), "</title>")
}

//daskgen:delayed
func links(page string) []string { return nil } // want links:"delayed"

func Crawl(start string) ([]string, error) {
	queue := []string{start}
	seen := map[string]bool{}
	var titles []string
	//daskgen:parallel unordered
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		if seen[url] {
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

// Without unordered, the same loop waits for the links of each page.
func Ordered(start string) []string {
	queue := []string{start}
	var titles []string
	//daskgen:parallel
	for len(queue) > 0 { // want `accumulator queue is read by eager code here`
		page, _ := download(queue[0]) // want `accumulator queue is read by eager code here`
		queue = queue[1:]             // want `accumulator queue is read by eager code here`
		titles = append(titles, title(page))
		queue = append(queue, links(page)...)
	}
	return titles
}

// Natural pushes the links it finds one by one: the natural shape.
func Natural(start string) []string {
	queue := []string{start}
	seen := map[string]bool{start: true}
	var titles []string
	//daskgen:parallel unordered
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		page, _ := download(url)
		titles = append(titles, title(page))
		for _, l := range links(page) {
			if !seen[l] {
				seen[l] = true
				queue = append(queue, l)
			}
		}
	}
	return titles
}

// EarlyStop stops before the iteration's delayed calls are made.
func EarlyStop(start string, limit int) []string {
	queue := []string{start}
	var titles []string
	//daskgen:parallel unordered
	for len(queue) > 0 {
		if len(titles) > limit {
			break // want `this statement leaves the unordered loop before the iteration's delayed calls are made`
		}
		url := queue[0]
		queue = queue[1:]
		page, _ := download(url)
		titles = append(titles, url)
		for _, l := range links(page) {
			queue = append(queue, l)
		}
	}
	return titles
}
