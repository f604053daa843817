// Package exprs covers expressions on delayed values that become small
// tasks: fields, composite literals, conversions, indexes, slices, interface
// arguments, and named results.
package exprs

import (
	"fmt"
	"strings"
)

// Page is what fetch returns.
type Page struct {
	Title string
	Words []string
}

//daskgen:delayed
func fetch(url string) (Page, error) {
	if url == "" {
		return Page{}, fmt.Errorf("empty url")
	}
	return Page{Title: strings.ToUpper(url), Words: strings.Split(url, "/")}, nil
}

//daskgen:delayed
func describe(v fmt.Stringer) string { return "<" + v.String() + ">" }

// Item is what Items builds.
type Item struct {
	Name  string
	Size  float64
	First string
}

func (i Item) String() string { return i.Name }

// Items reads fields, builds literals, converts and indexes.
//
//daskgen:parallel
func Items(urls []string) ([]Item, []string, error) {
	var items []Item
	var descs []string
	for i, u := range urls {
		p, err := fetch(u)
		if err != nil {
			return nil, nil, fmt.Errorf("item %d: %w", i, err)
		}
		it := Item{Name: p.Title, Size: float64(len(u)) / 2, First: p.Words[0]}
		items = append(items, it)
		descs = append(descs, describe(it))
		short := p.Title[:1] + "." + string(p.Title[len(u)-1])
		descs = append(descs, short)
	}
	return items, descs, nil
}

// Named has named results and a bare return.
//
//daskgen:parallel
func Named(urls []string) (titles []string, total int, err error) {
	for _, u := range urls {
		var p Page
		p, err = fetch(u)
		if err != nil {
			return nil, 0, err
		}
		titles = append(titles, p.Title)
		total += len(u)
	}
	return
}
