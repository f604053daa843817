package mutation

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The loops of the fidelity issue whose tasks would read memory that eager
// code overwrites: vet refuses them as generate does.

//daskgen:delayed
func runPath(path ...string) (int, error) { // want runPath:"delayed"
	if len(path) > 2 {
		return 0, fmt.Errorf("%s", strings.Join(path, " "))
	}
	return len(path), nil
}

//daskgen:parallel
func WalkShared(parent, subs []string) error { // want WalkShared:"writes params 0"
	for _, sub := range subs {
		path := append(parent, sub) // want `path, passed to delayed call runPath at line \d+, shares memory with parent, which is changed here before the task runs \(by this iteration or the next\), so the task could see the change; pass a copy \(slices.Clone\(path\)\) or make a new value for each call`
		if _, err := runPath(path...); err != nil {
			return err
		}
	}
	return nil
}

//daskgen:parallel
func WalkCloned(parent, subs []string) error { // want WalkCloned:"writes params 0"
	for _, sub := range subs {
		path := append(parent, sub)
		if _, err := runPath(slices.Clone(path)...); err != nil { // want `err is needed by eager code here \(the condition of an if\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because the range reads subs\[_\], which may be the memory that the loop's eager code changes through parent`
			return err
		}
	}
	return nil
}

//daskgen:parallel
func WalkFull(parent, subs []string) error {
	for _, sub := range subs {
		path := append(parent[:len(parent):len(parent)], sub)
		if _, err := runPath(path...); err != nil {
			return err
		}
	}
	return nil
}

//daskgen:parallel
func NamedView(r io.Reader) int {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() { // want `line, passed to delayed call byteSize at line \d+, shares memory with sc, which is changed here before the task runs \(by this iteration or the next\), so the task could see the change; pass a copy \(bytes.Clone\(line\)\) or make a new value for each call`
		line := sc.Bytes()
		n += byteSize(line)
	}
	return n
}

//daskgen:parallel
func TrimmedView(r io.Reader) int {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() { // want `line, passed to delayed call byteSize at line \d+, shares memory with sc`
		line := bytes.TrimSpace(sc.Bytes())
		n += byteSize(line)
	}
	return n
}

//daskgen:parallel
func ClonedView(r io.Reader) int {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		n += byteSize(line)
	}
	return n
}

//daskgen:parallel
func PutAfter() int {
	buf := make([]byte, 4)
	s := byteSum(buf)
	binary.BigEndian.PutUint32(buf, 7) // want `buf is passed to delayed call byteSum at line \d+ and changed here before the graph runs`
	return s
}

//daskgen:delayed
func byteSum(b []byte) int { // want byteSum:"delayed"
	n := 0
	for _, c := range b {
		n += int(c)
	}
	return n
}
