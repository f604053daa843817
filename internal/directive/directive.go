// Package directive parses daskgen's //daskgen: comment directives. The
// analyzer and the rewriter share it, so that both read a directive the same
// way.
//
// A directive is a line comment with no space after the slashes:
//
//	//daskgen:delayed [pure] [locked] [retries=N] [limit=N]
//	//daskgen:parallel [workers=N] [window=N] [unordered]
//
// Parse reads one comment's raw text; it never uses CommentGroup.Text, which
// drops directives. A trailing comment ("//daskgen:delayed // slow", and
// analysistest's "// want ...") is ignored.
package directive

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// Prefix starts every daskgen directive.
const Prefix = "//daskgen:"

// Names of the directives.
const (
	Delayed  = "delayed"
	Parallel = "parallel"
)

// Directive is one parsed //daskgen: comment.
type Directive struct {
	Pos  token.Pos // where the comment starts
	Name string    // Delayed or Parallel

	// Options of delayed.
	Pure bool
	// Locked says that the function's writes of shared state (a cache
	// filled under a mutex, a memo) are guarded by a lock and that what
	// they leave does not depend on the order of the calls: daskgen trusts
	// it, and notes it, instead of refusing the writes.
	Locked  bool
	Retries int // -1 when not given
	Limit   int // 0 when not given

	// Options of parallel.
	Workers   int // 0 when not given
	Window    int // 0 when not given: iterations a pipelined loop issues ahead
	Unordered bool
}

// String returns the directive as it would be written.
func (d Directive) String() string {
	var b strings.Builder
	b.WriteString(Prefix + d.Name)
	if d.Pure {
		b.WriteString(" pure")
	}
	if d.Locked {
		b.WriteString(" locked")
	}
	if d.Retries >= 0 && d.Name == Delayed {
		fmt.Fprintf(&b, " retries=%d", d.Retries)
	}
	if d.Limit > 0 {
		fmt.Fprintf(&b, " limit=%d", d.Limit)
	}
	if d.Workers > 0 {
		fmt.Fprintf(&b, " workers=%d", d.Workers)
	}
	if d.Window > 0 {
		fmt.Fprintf(&b, " window=%d", d.Window)
	}
	if d.Unordered {
		b.WriteString(" unordered")
	}
	return b.String()
}

// Error is a malformed directive, at Pos.
type Error struct {
	Pos token.Pos
	Msg string
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Parse reads c. It returns ok false when c is not a daskgen directive at
// all, and an *Error when it is one but malformed.
func Parse(c *ast.Comment) (d Directive, ok bool, err error) {
	text := c.Text
	if !strings.HasPrefix(text, Prefix) {
		return Directive{}, false, nil
	}
	if i := strings.Index(text[len(Prefix):], "//"); i >= 0 {
		text = text[:len(Prefix)+i] // a trailing comment
	}
	fields := strings.Fields(text[len(Prefix):])
	d = Directive{Pos: c.Slash, Retries: -1}
	fail := func(format string, args ...any) (Directive, bool, error) {
		return d, true, &Error{Pos: c.Slash, Msg: fmt.Sprintf(format, args...)}
	}
	if len(fields) == 0 || strings.HasPrefix(text[len(Prefix):], " ") {
		return fail("malformed directive %q: write //daskgen:delayed or //daskgen:parallel, with no space after the colon", strings.TrimSpace(text))
	}
	d.Name = fields[0]
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		key, val, hasVal := strings.Cut(f, "=")
		if seen[key] {
			return fail("option %s given twice in %s%s", key, Prefix, d.Name)
		}
		seen[key] = true
		switch d.Name {
		case Delayed:
			switch key {
			case "pure":
				if hasVal {
					return fail("option pure of %s%s takes no value, got %q", Prefix, d.Name, f)
				}
				d.Pure = true
			case "locked":
				if hasVal {
					return fail("option locked of %s%s takes no value, got %q", Prefix, d.Name, f)
				}
				d.Locked = true
			case "retries":
				n, err := number(f, key, val, hasVal, 0)
				if err != "" {
					return fail("%s", err)
				}
				d.Retries = n
			case "limit":
				n, err := number(f, key, val, hasVal, 1)
				if err != "" {
					return fail("%s", err)
				}
				d.Limit = n
			default:
				return fail("unknown option %q for %s%s; the options are pure, locked, retries=N and limit=N", f, Prefix, d.Name)
			}
		case Parallel:
			switch key {
			case "unordered":
				if hasVal {
					return fail("option unordered of %s%s takes no value, got %q", Prefix, d.Name, f)
				}
				d.Unordered = true
			case "workers":
				n, err := number(f, key, val, hasVal, 1)
				if err != "" {
					return fail("%s", err)
				}
				d.Workers = n
			case "window":
				n, err := number(f, key, val, hasVal, 1)
				if err != "" {
					return fail("%s", err)
				}
				d.Window = n
			default:
				return fail("unknown option %q for %s%s; the options are workers=N, window=N and unordered", f, Prefix, d.Name)
			}
		default:
			return fail("unknown directive %s%s; daskgen knows %s%s and %s%s", Prefix, d.Name, Prefix, Delayed, Prefix, Parallel)
		}
	}
	if d.Name != Delayed && d.Name != Parallel {
		return fail("unknown directive %s%s; daskgen knows %s%s and %s%s", Prefix, d.Name, Prefix, Delayed, Prefix, Parallel)
	}
	return d, true, nil
}

// number parses the value of a key=N option, which must be at least least.
func number(f, key, val string, hasVal bool, least int) (int, string) {
	if !hasVal || val == "" {
		return 0, fmt.Sprintf("option %s needs a value, as in %s=2", key, key)
	}
	n, err := strconv.Atoi(val)
	if err != nil || n < least {
		return 0, fmt.Sprintf("option %q: %s must be a whole number of at least %d", f, key, least)
	}
	return n, ""
}

// All returns the daskgen directives among the comments of a group, with the
// errors of the malformed ones.
func All(g *ast.CommentGroup) ([]Directive, []*Error) {
	if g == nil {
		return nil, nil
	}
	var ds []Directive
	var errs []*Error
	for _, c := range g.List {
		d, ok, err := Parse(c)
		switch {
		case !ok:
		case err != nil:
			errs = append(errs, err.(*Error))
		default:
			ds = append(ds, d)
		}
	}
	return ds, errs
}
