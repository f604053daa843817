package main

//go:generate go tool daskgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// download fetches url and returns its body, or an error for any status but
// 200 OK.
//
//daskgen:delayed
func download(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// walk calls f on every element node of the HTML document in body.
func walk(body string, f func(n *html.Node)) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return // html.Parse accepts any input; this does not happen
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode {
			f(n)
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// scrapeTitle returns the page's title.
//
//daskgen:delayed
func scrapeTitle(body string) string {
	title := ""
	walk(body, func(n *html.Node) {
		if n.Data == "title" && title == "" {
			title = text(n)
		}
	})
	return title
}

var questionLink = regexp.MustCompile(`^/questions/\d{5}`)

// scrapeLinks returns the links to questions on the page, made absolute with
// base and without their query strings.
//
//daskgen:delayed
func scrapeLinks(body, base string) []string {
	var links []string
	walk(body, func(n *html.Node) {
		if href := attr(n, "href"); n.Data == "a" && questionLink.MatchString(href) {
			links = append(links, base+strings.SplitN(href, "?", 2)[0])
		}
	})
	return links
}

// scrapeTags returns the page's tags, sorted and without duplicates.
func scrapeTags(body string) []string {
	var tags []string
	walk(body, func(n *html.Node) {
		if n.Data == "a" && slices.Contains(strings.Fields(attr(n, "class")), "post-tag") {
			tags = append(tags, text(n))
		}
	})
	slices.Sort(tags)
	return slices.Compact(tags)
}
