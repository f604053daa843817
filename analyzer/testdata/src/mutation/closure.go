package mutation

import "sync"

var (
	regMu    sync.Mutex
	registry = map[string]int{}
)

func register(k string, v int) { // want register:"writes globals mutation.registry"
	regMu.Lock()
	registry[k] = v
	regMu.Unlock()
}

// lexer holds a matcher that registers what it matches, as chroma's
// lexers do through regexp2's cache.
type lexer struct {
	name  string
	match func(s string) int
}

// newLexer builds the matcher and returns it without calling it: the
// writes happen when a caller matches, in that caller's code.
//
//daskgen:delayed
func newLexer(name string) *lexer { // want newLexer:"delayed"
	return &lexer{name: name, match: func(s string) int {
		register(s, len(s))
		return len(s)
	}}
}

// warmLexer calls its matcher once before returning it: that write is its
// own.
//
//daskgen:delayed
func warmLexer(name string) *lexer { // want warmLexer:"delayed" warmLexer:"writes globals mutation.registry"
	l := &lexer{name: name, match: func(s string) int {
		register(s, len(s)) // want `delayed function warmLexer writes package variable mutation.registry`
		return len(s)
	}}
	l.match(name)
	return l
}
