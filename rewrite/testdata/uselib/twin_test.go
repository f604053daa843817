package uselib

import (
	"context"
	"testing"

	"example.com/golden/difftest"
	"example.com/golden/lib"
)

func TestTwin(t *testing.T) {
	c := &lib.Client{Prefix: "p-"}
	for _, in := range [][]string{nil, {"a", "b", "a"}} {
		v, err := Names(c, in)
		gv, gerr := NamesParallel(context.Background(), c, in)
		difftest.Same(t, "Names", []any{v}, []any{gv}, err, gerr)
	}
}
