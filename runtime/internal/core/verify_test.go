package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/daskgen/daskgen/runtime/internal/core"
)

// total is a sequential function.
func total(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// totalParallel stands for a twin daskgen wrote, with a bug: it drops the
// last element. Like every generated twin it starts with verify mode's
// check.
func totalParallel(ctx context.Context, xs []int) (r0 int, err error) {
	if v := core.Verify(ctx, "total", "verify_test.go:14"); v != nil {
		v.Check(func() []any {
			f0 := total(xs)
			return []any{f0, nil}
		}, func() []any {
			r0, err = totalParallel(v.Context(), xs)
			return []any{r0, err}
		})
		return r0, err
	}
	if len(xs) == 0 {
		return 0, nil
	}
	return total(xs[:len(xs)-1]), nil
}

// Verify mode turns a test of a twin into a differential test: the twin
// above returns 3 where total returns 6, and verify mode says so, naming the
// function and where it is declared.
func ExampleVerify() {
	old := core.SetVerify(true) // DASKGEN_VERIFY=1 does this for a whole run
	defer core.SetVerify(old)
	defer func() { fmt.Println(recover()) }()
	totalParallel(context.Background(), []int{1, 2, 3})
	// Output: daskgen verify: the twin of total (verify_test.go:14) returned something else: result 0: F returned 6, the twin 3
}

// twinOf makes a verified twin of seq whose own run is par, counting the
// runs of each.
func twinOf(seq, par func() (any, error), runs *[2]int) func(context.Context) (any, error) {
	var twin func(ctx context.Context) (any, error)
	twin = func(ctx context.Context) (r0 any, err error) {
		if v := core.Verify(ctx, "F", "f.go:1"); v != nil {
			v.Check(func() []any {
				runs[0]++
				a, e := seq()
				return []any{a, e}
			}, func() []any {
				r0, err = twin(v.Context())
				return []any{r0, err}
			})
			return r0, err
		}
		runs[1]++
		return par()
	}
	return twin
}

func TestVerify(t *testing.T) {
	defer core.SetVerify(core.SetVerify(true))
	errBase := errors.New("base")
	cases := []struct {
		name     string
		seq, par func() (any, error)
		diff     string // "" when they agree
	}{
		{"same values", func() (any, error) { return []int{1, 2}, nil }, func() (any, error) { return []int{1, 2}, nil }, ""},
		{"same pointed-to values", func() (any, error) { x := 3; return &x, nil }, func() (any, error) { y := 3; return &y, nil }, ""},
		{"NaN", func() (any, error) { return nanf(), nil }, func() (any, error) { return nanf(), nil }, ""},
		{"order", func() (any, error) { return []int{1, 2}, nil }, func() (any, error) { return []int{2, 1}, nil }, "result 0: F returned []int{1, 2}, the twin []int{2, 1}"},
		{"float bits", func() (any, error) { return 0.0, nil }, func() (any, error) { return negZero(), nil }, "result 0: F returned 0, the twin -0"},
		{"nil slice", func() (any, error) { return []int(nil), nil }, func() (any, error) { return []int{}, nil }, "result 0: F returned []int(nil), the twin []int{}"},
		{"error text", func() (any, error) { return nil, fmt.Errorf("a: %w", errBase) }, func() (any, error) { return nil, fmt.Errorf("b: %w", errBase) }, `result 1: F returned error "a: base", the twin "b: base"`},
		{"error chain", func() (any, error) { return nil, fmt.Errorf("a: %w", errBase) }, func() (any, error) { return nil, fmt.Errorf("a: %v", errBase) }, `result 1: the error "a: base" wraps *fmt.wrapError > *errors.errorString in F, *errors.errorString in the twin`},
		{"panic in the twin only", func() (any, error) { return 1, nil }, func() (any, error) { panic("boom") }, "F returned (1, <nil>), the twin panicked with boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var runs [2]int
			twin := twinOf(c.seq, c.par, &runs)
			var got string
			func() {
				defer func() {
					if p := recover(); p != nil {
						var ve *core.VerifyError
						if err, ok := p.(error); !ok || !errors.As(err, &ve) {
							t.Fatalf("panic %v, want a *VerifyError", p)
						}
						got = ve.Diff
					}
				}()
				twin(context.Background())
			}()
			got = strings.ReplaceAll(got, "(interface {})", "")
			if got != c.diff {
				t.Errorf("difference %q, want %q", got, c.diff)
			}
			if runs != [2]int{1, 1} {
				t.Errorf("F ran %d times and the twin's body %d, want once each", runs[0], runs[1])
			}
		})
	}
}

func TestVerifyReraisesTheTwinsPanic(t *testing.T) {
	defer core.SetVerify(core.SetVerify(true))
	var runs [2]int
	twin := twinOf(func() (any, error) { panic("same") }, func() (any, error) { panic("same") }, &runs)
	defer func() {
		if p := recover(); p != "same" {
			t.Errorf("recovered %v, want the twin's own panic", p)
		}
	}()
	twin(context.Background())
}

func TestVerifyOff(t *testing.T) {
	defer core.SetVerify(core.SetVerify(false))
	var runs [2]int
	twin := twinOf(func() (any, error) { return 1, nil }, func() (any, error) { return 2, nil }, &runs)
	if v, _ := twin(context.Background()); v != 2 || runs != [2]int{0, 1} {
		t.Errorf("with verify off: %v, runs %v; want the twin's own run alone", v, runs)
	}
}

func nanf() float64 {
	z := 0.0
	return z / z
}

func negZero() float64 {
	z := 0.0
	return -z
}
