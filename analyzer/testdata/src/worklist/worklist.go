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
