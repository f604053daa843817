// Package fidelity holds loop shapes written from real projects on which
// earlier twins returned something else than the sequential function, or did
// not compile: each twin here must equal its function.
package fidelity

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrOdd is what the readers return for an odd input.
var ErrOdd = errors.New("odd")

// readA and readB are two readers a switch chooses between, as a loader
// picks a decoder by file extension.
//
//daskgen:delayed
func readA(p string) (int, error) {
	time.Sleep(time.Millisecond)
	if len(p)%2 == 1 {
		return -len(p), fmt.Errorf("readA %s: %w", p, ErrOdd)
	}
	return len(p), nil
}

//daskgen:delayed
func readB(p string) (int, error) {
	time.Sleep(2 * time.Millisecond)
	if strings.Contains(p, "x") {
		return 0, fmt.Errorf("readB %s: %w", p, ErrOdd)
	}
	return 10 * len(p), nil
}

// Sizes picks a reader per extension in a switch, with the error checked
// after it.
//
//daskgen:parallel
func Sizes(paths []string) (int, error) {
	total := 0
	for _, p := range paths {
		var n int
		var err error
		switch {
		case strings.HasSuffix(p, ".a"):
			n, err = readA(p)
		case strings.HasSuffix(p, ".b"):
			n, err = readB(p)
		default:
			continue
		}
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// SizesIf is Sizes with an if/else if chain and the variables declared
// before the loop.
//
//daskgen:parallel
func SizesIf(paths []string) (int, error) {
	total := 0
	var n int
	var err error
	for _, p := range paths {
		if strings.HasSuffix(p, ".a") {
			n, err = readA(p)
		} else if strings.HasSuffix(p, ".b") {
			n, err = readB(p)
		} else {
			continue
		}
		if err != nil {
			return total, fmt.Errorf("%s: %w", p, err)
		}
		total += n
	}
	return total, nil
}

// join is a variadic delayed function.
//
//daskgen:delayed
func join(sep string, parts ...string) (string, error) {
	if len(parts) > 3 {
		return "", fmt.Errorf("join: %d parts: too many", len(parts))
	}
	return strings.Join(parts, sep), nil
}

// Joins calls join with no variadic argument, one, and a spread slice,
// sharing one err.
//
//daskgen:parallel
func Joins(items [][]string) ([]string, error) {
	var out []string
	for _, it := range items {
		var s string
		var err error
		if len(it) == 0 {
			s, err = join("-")
		} else if len(it) == 1 {
			s, err = join("-", it[0])
		} else {
			s, err = join("-", it...)
		}
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Stats is filled field by field.
type Stats struct {
	A, B int
}

// Fields assigns two delayed results into fields of one struct with a
// shared err.
//
//daskgen:parallel
func Fields(x, y string) (Stats, error) {
	var st Stats
	var err error
	st.A, err = readA(x)
	if err != nil {
		return st, err
	}
	st.B, err = readB(y)
	if err != nil {
		return st, err
	}
	return st, nil
}

// wait sleeps for its context and returns its error, as a client call does.
//
//daskgen:delayed
func wait(ctx context.Context, name string) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(time.Millisecond):
		return "ok " + name, nil
	}
}

// Tenants wraps the error of its first call; with a cancelled ctx, the
// twin returns what F returns.
//
//daskgen:parallel
func Tenants(ctx context.Context, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		r, err := wait(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", n, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// total7 is a sum of seven delayed values.
//
//daskgen:parallel
func Total7(x string) (int, error) {
	a, err := readA(x)
	if err != nil {
		return 0, err
	}
	b, _ := readA(x + "b")
	c, _ := readA(x + "cc")
	d, _ := readA(x + "ddd")
	e, _ := readA(x + "e")
	f, _ := readA(x + "ff")
	g, _ := readA(x + "ggg")
	return a + b + c + d + e + f + g, nil
}

var _ = strconv.Itoa

// run stands for running a command found by walking a command tree.
//
//daskgen:delayed
func run(path ...string) (string, error) {
	time.Sleep(time.Millisecond)
	if len(path) > 0 && path[len(path)-1] == "bad" {
		return "", fmt.Errorf("%s: failed", strings.Join(path, " "))
	}
	return strings.Join(path, " "), nil
}

// Walk copies each command's path, as daskgen's refusal of the shared
// append asks.
//
//daskgen:parallel
func Walk(parent []string, subs []string) ([]string, error) {
	var out []string
	for _, sub := range subs {
		path := append(parent, sub)
		r, err := run(slices.Clone(path)...)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// WalkFresh appends to a fresh copy of parent: nothing is shared.
//
//daskgen:parallel
func WalkFresh(parent []string, subs []string) ([]string, error) {
	var out []string
	for _, sub := range subs {
		path := append(parent[:len(parent):len(parent)], sub)
		r, err := run(path...)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

type entry struct{ Key, Value string }

//daskgen:delayed
func parse(line []byte) (entry, error) {
	time.Sleep(time.Millisecond)
	k, v, ok := strings.Cut(string(line), "=")
	if !ok {
		return entry{}, fmt.Errorf("no = in %q", line)
	}
	return entry{k, v}, nil
}

// Entries copies the scanner's view before handing it to the task.
//
//daskgen:parallel
func Entries(text string) ([]entry, error) {
	var out []entry
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		e, err := parse(line)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Scrape checks its context at the top of every iteration, as Prometheus
// writes it: an eager check of F's own context.
//
//daskgen:parallel
func Scrape(ctx context.Context, targets []string) ([]string, error) {
	var out []string
	for _, t := range targets {
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("scrape stopped before %s: %w", t, ctx.Err())
		default:
		}
		r, err := wait(ctx, t)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Shortest collects the paths whose size passes, then hands its own slice
// to a library function after the loop, as a lexer registry picks its best
// match: the slice is the function's own (var known []string, grown by
// append), so passing it on after the loop shares nothing with paths
// during the loop, and the loop is pipelined.
//
//daskgen:parallel
func Shortest(paths []string) (string, error) {
	var known []string
	for _, p := range paths {
		n, err := readA(p)
		if err != nil {
			return "", err
		}
		if n > 2 {
			known = append(known, p)
		}
	}
	if len(known) == 0 {
		return "", nil
	}
	return slices.MinFunc(known, func(a, b string) int { return len(a) - len(b) }), nil
}

// Pointers keeps a pointer to a variable computed from a delayed value
// (v := n + 1; out = append(out, &v)), and changes the variable after: the
// pointer sees the change, as F's does. A variable whose address is taken
// is not made delayed: its assignment waits for n.
//
//daskgen:parallel
func Pointers(paths []string) ([]*int, error) {
	var out []*int
	for _, p := range paths {
		n, err := readA(p)
		if err != nil {
			return nil, err
		}
		v := n + 1
		out = append(out, &v)
		v *= 10
	}
	return out, nil
}

// short names a digest by its first bytes, and fails for one that starts
// with a zero byte.
//
//daskgen:delayed
func short(sum []byte) (string, error) {
	if sum[0] < 16 {
		return "", fmt.Errorf("digest %x starts low", sum[:2])
	}
	return hex.EncodeToString(sum[:4]), nil
}

// Digests reuses one hash for every file, as file hashers do: Sum(nil)
// appends the digest to nil, so each task reads memory of its own, which
// the next Reset and Write leave alone.
//
//daskgen:parallel
func Digests(files []string) ([]string, error) {
	h := sha256.New()
	var out []string
	for _, f := range files {
		h.Reset()
		h.Write([]byte(f))
		s, err := short(h.Sum(nil))
		if err != nil {
			return out, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Errors holds several errors, as validation packages return them.
type Errors []error

func (e Errors) Error() string { return fmt.Sprint([]error(e)) }

// validate fails with several errors for a name with a dash, one for an
// empty name, and none otherwise.
//
//daskgen:delayed
func validate(name string) error {
	switch {
	case strings.Contains(name, "-"):
		return Errors{fmt.Errorf("%s: dash", name), fmt.Errorf("%s: not lower", name)}
	case name == "":
		return errors.New("empty name")
	}
	time.Sleep(time.Duration(len(name)%3) * time.Millisecond)
	return nil
}

// Flatten collects every check's errors, flattening a list with a comma-ok
// type assertion, as blend-go-sdk's validate.All and moby's cli.Errors do.
//
//daskgen:parallel
func Flatten(names []string) []error {
	var out []error
	for _, n := range names {
		err := validate(n)
		if errs, ok := err.(Errors); ok {
			out = append(out, errs...)
		} else if err != nil {
			out = append(out, err)
		}
	}
	return out
}
