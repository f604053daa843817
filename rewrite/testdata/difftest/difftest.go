// Package difftest compares what a function and its twin return.
package difftest

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// OnNATS reports whether the twins run their delayed calls on NATS workers
// (DASKGEN_NATS_URL is set): errors then cross processes as text.
func OnNATS() bool { return os.Getenv("DASKGEN_NATS_URL") != "" }

// chain describes an error and what it wraps: type and text of each.
func chain(err error) string {
	s := ""
	for e := err; e != nil; e = errors.Unwrap(e) {
		s += fmt.Sprintf("%T(%q) ", e, e.Error())
	}
	return s
}

// Same fails t unless the results of the original and of the twin are the
// same: values compared with %#v (so float bits, order and nil-ness count),
// errors by their text and by the types and texts of the errors they wrap
// (only by their text on NATS, where errors cross processes as text).
func Same(t testing.TB, what string, want, got []any, wantErr, gotErr error) {
	t.Helper()
	if (wantErr == nil) != (gotErr == nil) {
		t.Errorf("%s: error = %v, want %v", what, gotErr, wantErr)
		return
	}
	if wantErr != nil {
		if wantErr.Error() != gotErr.Error() {
			t.Errorf("%s: error = %q, want %q", what, gotErr, wantErr)
		}
		if w, g := chain(wantErr), chain(gotErr); w != g && !OnNATS() {
			t.Errorf("%s: error chain = %s, want %s", what, g, w)
		}
	}
	if w, g := fmt.Sprintf("%#v", want), fmt.Sprintf("%#v", got); w != g {
		t.Errorf("%s: results = %s, want %s", what, g, w)
	}
}
