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

// A package value that sync.OnceValue makes is a lazy initializer too:
// calling it runs its literal once.
var words = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\w+`) })

//daskgen:delayed
func countWords(s string) int { // want countWords:"delayed"
	return len(words().FindAllString(s, -1))
}

// One that the package assigns again is just a function value.
var reassigned = sync.OnceValue(func() int { return 1 })

func reset() { reassigned = sync.OnceValue(func() int { return 2 }) } // want reset:"writes globals mutation.reassigned"

//daskgen:delayed
func usesReassigned() int { // want usesReassigned:"delayed" usesReassigned:"writes calls mutation.reassigned"
	return reassigned() // want `delayed function usesReassigned calls the function value reassigned: daskgen cannot check what that value does`
}

// So is one whose literal calls a function value.
var hook = func(x int) int { return x + 1 }

var hooked = sync.OnceValue(func() int { return hook(1) })

//daskgen:delayed
func usesHooked() int { // want usesHooked:"delayed" usesHooked:"writes calls mutation.hooked"
	return hooked() // want `delayed function usesHooked calls the function value hooked: daskgen cannot check what that value does`
}
