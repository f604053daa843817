package mutation

import (
	"regexp"
	"sync"
)

var (
	pattern     *regexp.Regexp
	patternOnce sync.Once
	compiled    int
)

// A lazy initialization under a package sync.Once is not a shared write:
// whichever task runs it first, the package variables end with the same
// values, and every other caller waits for it.
//
//daskgen:delayed
func matches(s string) bool { // want matches:"delayed"
	patternOnce.Do(func() {
		pattern = regexp.MustCompile(`^[a-z]+$`)
		compiled++
	})
	return pattern.MatchString(s)
}

var seenOnce sync.Once

// A write through a parameter inside the initializer is still one.
//
//daskgen:delayed
func firstInto(dst []string, s string) int { // want firstInto:"delayed" firstInto:"writes params 0"
	seenOnce.Do(func() {
		dst[0] = s // want `delayed function firstInto writes through its parameter dst; the caller's value would change while other tasks read it, so return a new value instead`
	})
	return len(s)
}

type lazy struct {
	once sync.Once
	v    int
}

// A sync.Once reached through the receiver guards the receiver's fields,
// which other tasks share: that is a write through the receiver.
//
//daskgen:delayed
func (l *lazy) get() int { // want get:"delayed" get:"writes receiver"
	l.once.Do(func() { l.v = 1 }) // want `delayed method get writes through its receiver; its tasks run concurrently, so return a new value instead of changing the receiver`
	return l.v
}
