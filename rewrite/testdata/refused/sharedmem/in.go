// Package sharedmem holds loops, written from real projects, whose delayed
// calls would read memory that eager code overwrites before the task runs:
// daskgen refuses each, naming the variable and the line that overwrites it.
package sharedmem

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// run stands for running a command found by walking a command tree.
//
//daskgen:delayed
func run(path ...string) (int, error) {
	if len(path) > 2 && path[len(path)-1] == "bad" {
		return 0, fmt.Errorf("%s: failed", strings.Join(path, " "))
	}
	return len(path), nil
}

// Walk builds each command's path with append from the parent's: when
// parent has spare capacity, every path shares one array, and the next
// iteration's append overwrites what an earlier task reads.
//
//daskgen:parallel
func Walk(parent []string, subs []string) error {
	for _, sub := range subs {
		path := append(parent, sub)
		if _, err := run(path...); err != nil {
			return err
		}
	}
	return nil
}

type entry struct{ Key, Value string }

//daskgen:delayed
func parse(line []byte) (entry, error) {
	k, v, ok := strings.Cut(string(line), "=")
	if !ok {
		return entry{}, fmt.Errorf("no = in %q", line)
	}
	return entry{k, v}, nil
}

// Entries names the scanner's view of its buffer: the next Scan
// overwrites line while the task may still read it.
//
//daskgen:parallel
func Entries(r io.Reader) ([]entry, error) {
	var out []entry
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		e, err := parse(line)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

//daskgen:delayed
func sum(b []byte) int {
	n := 0
	for _, c := range b {
		n += int(c)
	}
	return n
}

// Header writes into buf with a standard function after the call.
//
//daskgen:parallel
func Header() int {
	buf := make([]byte, 4)
	s := sum(buf)
	binary.BigEndian.PutUint32(buf, 7)
	return s
}
