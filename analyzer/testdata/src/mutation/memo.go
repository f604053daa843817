package mutation

import "sync"

// lineCache is golangci-lint's shape: file contents read once, under a
// mutex, whichever call comes first.
type lineCache struct {
	mu    sync.Mutex
	files map[string][]string
}

// lines is refused: daskgen cannot prove that the lock guards the write,
// nor that the cache's contents do not depend on the order of the calls.
//
//daskgen:delayed
func (c *lineCache) get(path string) []string { // want get:"delayed" get:"writes receiver"
	c.mu.Lock()
	defer c.mu.Unlock()
	if ls, ok := c.files[path]; ok {
		return ls
	}
	ls := []string{path}
	c.files[path] = ls // want `delayed method get writes through its receiver`
	return ls
}

// memoCache is the same cache, marked locked: the user vouches for it, and
// daskgen notes it instead of refusing it.
type memoCache struct {
	mu    sync.Mutex
	files map[string][]string
}

//daskgen:delayed locked // want `delayed function get writes its receiver; it is marked locked, so daskgen trusts that a lock guards those writes and that what they leave does not depend on the order of its concurrent calls \(a memo cache\); if that is not so, its twins differ from F`
func (c *memoCache) get(path string) []string { // want get:"delayed" get:"writes receiver"
	c.mu.Lock()
	defer c.mu.Unlock()
	if ls, ok := c.files[path]; ok {
		return ls
	}
	ls := []string{path}
	c.files[path] = ls
	return ls
}

//daskgen:delayed locked // want `delayed function idle is marked locked but writes nothing shared; remove locked`
func idle(x int) int { return x } // want idle:"delayed"

//daskgen:delayed locked
func callsHook(h func(int), x int) int { // want callsHook:"delayed" callsHook:"writes calls param 0"
	h(x) // want `delayed function callsHook calls the function value h: locked vouches for its writes, not for what a function value does`
	return x
}
