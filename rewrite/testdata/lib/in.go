// Package lib is a library with exported delayed functions, which other
// packages' twins call: its generated file adds nothing to its API.
package lib

import "strings"

// Fetch stands for a slow request.
//
//daskgen:delayed pure
func Fetch(name string) string { return strings.ToUpper(name) }

// Client holds a prefix.
type Client struct{ Prefix string }

// Get is a delayed method of an exported type.
//
//daskgen:delayed retries=2
func (c *Client) Get(name string) (string, error) { return c.Prefix + name, nil }
