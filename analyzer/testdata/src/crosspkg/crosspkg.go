package crosspkg

import (
	"fmt"

	"example.com/slow"
)

//daskgen:parallel
func Titles(urls []string) ([]string, error) {
	var titles []string
	for _, u := range urls {
		p, err := slow.Fetch(u)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		titles = append(titles, p.Title)
	}
	return titles, nil
}

func Sum(xs []int) int {
	total := 0
	//daskgen:parallel
	for _, x := range xs {
		total += slow.Inc(x)
	}
	return total
}
