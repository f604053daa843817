package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
)

// EnvVerify is the environment variable that turns verify mode on: with
// DASKGEN_VERIFY=1, every call of a generated twin also runs the sequential
// function on the same arguments and compares what the two return (see
// [Verify]). Set it for a test run, as in
//
//	DASKGEN_VERIFY=1 go test ./...
//
// and the package's existing tests become a differential test of every
// twin they reach.
const EnvVerify = "DASKGEN_VERIFY"

var verifyOn atomic.Bool

func init() { verifyOn.Store(os.Getenv(EnvVerify) == "1") }

// SetVerify turns verify mode on or off for the whole process, as
// DASKGEN_VERIFY does at its start, and returns the setting it replaces.
func SetVerify(on bool) bool { return verifyOn.Swap(on) }

// verifyKey marks the context of a twin's run inside a verification, so
// that it is not verified again.
type verifyKey struct{}

// Verifier compares one call of a twin with its sequential function. Generated
// twins get one from [Verify].
type Verifier struct {
	ctx  context.Context
	fn   string
	pos  string
	mode string
}

// Verify returns a Verifier when verify mode is on and ctx is not already
// that of a verified run, and nil otherwise (at the cost of three atomic
// loads). name is F's name and pos its position, for reports, and for the
// dashboard and the execution trace when either is on: they name the
// twin's rows and tasks after F. A generated
// twin starts with
//
//	if v := runtime.Verify(ctx, "F", "f.go:12"); v != nil {
//		v.Check(func() []any { a, err := F(x); return []any{a, err} },
//			func() []any { r0, err = FParallel(v.Context(), x); return []any{r0, err} })
//		return r0, err
//	}
func Verify(ctx context.Context, name, pos string) *Verifier {
	if observing() {
		noteTwin(name, pos)
	}
	if !verifyOn.Load() || ctx.Value(verifyKey{}) != nil {
		return nil
	}
	return &Verifier{ctx: context.WithValue(ctx, verifyKey{}, true), fn: name, pos: pos}
}

// Context is the context the twin's own run takes: ctx, marked so that the
// run is not verified again.
func (v *Verifier) Context() context.Context { return v.ctx }

// VerifyError is what verify mode panics with when a twin returns something
// else than its sequential function: the function, where it is declared,
// and the first difference.
type VerifyError struct {
	Func string // F's name, such as "Titles" or "(*T).M"
	Pos  string // where F is declared, file:line
	Diff string // the first difference, such as "result 0: F returned 3, the twin 4"
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("daskgen verify: the twin of %s (%s) returned something else: %s", e.Func, e.Pos, e.Diff)
}

// outcome is what one run returned, or the panic it raised.
type outcome struct {
	results  []any
	panicked bool
	panic    any
}

func runOutcome(f func() []any) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o.panicked, o.panic = true, p
		}
	}()
	o.results = f()
	return o
}

// Check runs seq, the sequential function on the call's arguments, then
// twin, the twin's own run, and compares them: the same values (float bits
// and nil-ness count; pointers compare by what they point to), errors with
// the same text and the same chain of types, and a panic in both or in
// neither. When they differ it panics with a *VerifyError. When both
// panicked it raises the twin's panic again, so that code recovering it sees
// what it would without verification. The twin's results are left where
// twin stored them.
//
// Both run in full: F's effects (output, writes through its arguments)
// happen twice, and a function that changes its arguments in place, or
// reads them to their end (an io.Reader), leaves the twin's run different
// input. A run that the context cancels is not compared: the twin returns
// an error wrapping ctx.Err(), which F, when it takes no context, cannot.
func (v *Verifier) Check(seq, twin func() []any) {
	want := runOutcome(seq)
	got := runOutcome(twin)
	if v.cancelled(got) {
		return // the one relaxation of the contract: see Verify
	}
	if d := outcomeDiff(want, got); d != "" {
		panic(&VerifyError{Func: v.fn, Pos: v.pos, Diff: d})
	}
	if got.panicked {
		panic(got.panic)
	}
}

// cancelled reports whether the twin returned, as its last result, an
// error that wraps the error of its context, which is done: a twin whose F
// takes no context is cancelled by its own, and returns that where F, which
// cannot be cancelled, returns whatever it returns.
func (v *Verifier) cancelled(got outcome) bool {
	if got.panicked || len(got.results) == 0 || v.ctx.Err() == nil {
		return false
	}
	err, _ := got.results[len(got.results)-1].(error)
	return err != nil && errors.Is(err, v.ctx.Err())
}

func outcomeDiff(want, got outcome) string {
	switch {
	case want.panicked && !got.panicked:
		return fmt.Sprintf("F panicked with %v, the twin returned %s", want.panic, showResults(got.results))
	case !want.panicked && got.panicked:
		return fmt.Sprintf("F returned %s, the twin panicked with %v", showResults(want.results), describePanic(got.panic))
	case want.panicked:
		if w, g := fmt.Sprint(want.panic), fmt.Sprint(unwrapPanic(got.panic)); w != g {
			return fmt.Sprintf("F panicked with %s, the twin with %s", w, g)
		}
		return ""
	}
	if len(want.results) != len(got.results) {
		return fmt.Sprintf("F returned %d results, the twin %d", len(want.results), len(got.results))
	}
	for i := range want.results {
		if d := resultDiff(want.results[i], got.results[i]); d != "" {
			return fmt.Sprintf("result %d: %s", i, d)
		}
	}
	return ""
}

// differ compares one result of F with the twin's.
func resultDiff(w, g any) string {
	we, wIsErr := w.(error)
	ge, gIsErr := g.(error)
	if w == nil && g == nil {
		return ""
	}
	if wIsErr || gIsErr || (w == nil) != (g == nil) {
		if (we == nil) != (ge == nil) {
			return fmt.Sprintf("F returned error %v, the twin %v", we, ge)
		}
		if we.Error() != ge.Error() {
			return fmt.Sprintf("F returned error %q, the twin %q", we, ge)
		}
		if wc, gc := errChain(we), errChain(ge); wc != gc {
			return fmt.Sprintf("the error %q wraps %s in F, %s in the twin", we, wc, gc)
		}
		return ""
	}
	ws, gs := fmt.Sprintf("%#v", w), fmt.Sprintf("%#v", g)
	if reflect.DeepEqual(w, g) {
		if ws != gs && !verifyHasPointers(reflect.TypeOf(w)) {
			return fmt.Sprintf("F returned %s, the twin %s", ws, gs) // -0 and 0
		}
		return ""
	}
	if ws == gs && !verifyHasPointers(reflect.TypeOf(w)) {
		return "" // NaN is not equal to itself
	}
	return fmt.Sprintf("F returned %s, the twin %s", shorten(ws), shorten(gs))
}

func errChain(err error) string {
	var parts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		parts = append(parts, fmt.Sprintf("%T", e))
	}
	return strings.Join(parts, " > ")
}

func verifyHasPointers(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface, reflect.UnsafePointer:
		return t.Kind() != reflect.Slice || verifyHasPointers(t.Elem())
	case reflect.Array:
		return verifyHasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if verifyHasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func showResults(rs []any) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, shorten(fmt.Sprintf("%#v", r)))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// unwrapPanic is the value a task's panic carried, when the twin raised it
// again as a *PanicError.
func unwrapPanic(p any) any {
	if pe, ok := p.(*PanicError); ok {
		return pe.Value
	}
	return p
}

func describePanic(p any) string { return fmt.Sprint(unwrapPanic(p)) }
