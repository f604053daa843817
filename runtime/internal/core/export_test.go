package core

import "io"

// PauseRecording turns the recorder off, for benchmarks that compare the
// cost of a task with and without it, and returns what turns it back on.
func PauseRecording() (resume func()) {
	r := obs.Swap(nil)
	return func() { obs.Store(r) }
}

// SetNotices sends the runtime's notices (where the report goes) to w,
// and returns what sends them back.
func SetNotices(w io.Writer) (restore func()) {
	old := notices
	notices = w
	return func() { notices = old }
}

// SetCost sets what the runtime has learnt that f's calls cost, so that
// tests can make its calls run in chunks (see granular.go).
func SetCost[A, R any](f Fn1[A, R], ns int64) { f.info.cost.Store(ns) }

// Hold claims the tasks that d needs as a wait of t does, calls during
// while it holds them, and then runs them where t waits (run) or gives them
// back. It reports whether it claimed them all.
func (t *Twin) Hold(d Node, during func(), run bool) bool {
	t.mayRunHere()
	ok := t.claim([]*node{nodeOfAny(d)}, true)
	during()
	if ok && run {
		t.runClaimed()
		return true
	}
	t.giveBack(t.claims)
	t.forget()
	return ok
}

// Record turns the recorder on, as the dashboard or the report does.
func Record() { record() }
