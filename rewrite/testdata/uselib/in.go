// Package uselib calls another package's delayed function and method: its
// twin writes wrappers of its own for them.
package uselib

import "example.com/golden/lib"

// Names fetches each name through lib.
//
//daskgen:parallel
func Names(c *lib.Client, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		v, err := c.Get(lib.Fetch(n))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
