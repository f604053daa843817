// Package pipelined covers the loops that real Go code contains: each
// iteration does something eager with its own results (stores, tests,
// counts, prints them, collects their errors, stops at the first match),
// and the twin still runs every iteration's delayed calls at once.
package pipelined

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

//daskgen:delayed
func size(name string) int { return len(name) * 7 % 13 }

//daskgen:delayed
func check(name string) (int, error) {
	if strings.HasPrefix(name, "bad") {
		return 0, fmt.Errorf("check %s: %w", name, ErrBroken)
	}
	return len(name), nil
}

//daskgen:delayed
func parse(line string) (Record, error) {
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return Record{}, fmt.Errorf("no = in %q", line)
	}
	return Record{Key: k, Value: v}, nil
}

//daskgen:delayed
func isGood(n int) bool { return n%3 != 0 }

//daskgen:delayed
func double(n int) int { return 2 * n }

// ErrBroken is what check returns for names that start with "bad".
var ErrBroken = errors.New("broken")

// Record is a parsed key=value line.
type Record struct{ Key, Value string }

// Item is scored in place.
type Item struct {
	Name  string
	Score int
}

// Stats are totals kept in a struct, as a file walker keeps them.
type Stats struct {
	Files int
	Bytes int
	Max   int
}

// Sizes stores each result at its index: out[i] = f(x).
//
//daskgen:parallel
func Sizes(names []string) []int {
	out := make([]int, len(names))
	// One slow call per name; the twin keeps this comment.
	for i, n := range names {
		out[i] = size(n) // stored at its index
	}
	return out
}

// Parsed stores at an index, with the error idiom.
//
//daskgen:parallel
func Parsed(lines []string) ([]Record, error) {
	out := make([]Record, len(lines))
	for i, l := range lines {
		r, err := parse(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out[i] = r
	}
	return out, nil
}

// Score scores items in place.
//
//daskgen:parallel
func Score(items []Item) {
	for i := range items {
		items[i].Score = size(items[i].Name)
	}
}

// Totals keeps struct-field totals.
//
//daskgen:parallel
func Totals(names []string) Stats {
	var st Stats
	for _, n := range names {
		b := size(n)
		st.Files++
		st.Bytes += b
		st.Max = max(st.Max, b)
	}
	return st
}

// Filter keeps the items a delayed test accepts.
//
//daskgen:parallel
func Filter(xs []int) []int {
	var out []int
	for _, x := range xs {
		if isGood(x) {
			out = append(out, x)
		}
	}
	return out
}

// CountBad counts, and switches on a result.
//
//daskgen:parallel
func CountBad(xs []int) (bad, small, big int) {
	for _, x := range xs {
		if !isGood(x) {
			bad++
		}
		switch d := double(x); {
		case d < 10:
			small++
		default:
			big += d
		}
	}
	return bad, small, big
}

// FirstN stops once it has limit results.
//
//daskgen:parallel
func FirstN(xs []int, limit int) []int {
	var out []int
	for _, x := range xs {
		if !isGood(x) {
			continue
		}
		out = append(out, double(x))
		if len(out) == limit {
			break
		}
	}
	return out
}

// FindFirst returns at the first match.
//
//daskgen:parallel
func FindFirst(names []string, want int) (string, bool) {
	for _, n := range names {
		if size(n) == want {
			return n, true
		}
	}
	return "", false
}

// Report prints each result to a builder, in order.
//
//daskgen:parallel
func Report(names []string) string {
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%s: %d\n", n, size(n))
	}
	return sb.String()
}

// Collect collects the errors instead of returning the first.
//
//daskgen:parallel
func Collect(names []string) (int, error) {
	var errs []error
	total := 0
	for _, n := range names {
		size, err := check(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total += size
	}
	return total, errors.Join(errs...)
}

// Index fills a map reached through a field.
type Index struct {
	sizes map[string]int
}

// Fill stores into s.sizes[k].
//
//daskgen:parallel
func (s *Index) Fill(names []string) {
	for _, n := range names {
		s.sizes[n] = size(n)
	}
}

// Lines parses the lines of a reader: the scanner runs ahead, in order.
//
//daskgen:parallel
func Lines(r io.Reader, w io.Writer) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		// Blank lines are skipped.
		if line == "" {
			continue
		}
		rec, err := parse(line)
		if err != nil {
			return n, err
		}
		fmt.Fprintf(w, "%s -> %s\n", rec.Key, rec.Value)
		n++
	}
	return n, sc.Err()
}

// Chain feeds one delayed result into the next call of the same
// iteration, and tests the second.
//
//daskgen:parallel
func Chain(xs []int) []int {
	var out []int
	for _, x := range xs {
		d := double(x)
		q := double(d + 1)
		if q%4 == 2 {
			out = append(out, q)
		}
	}
	return out
}

// Window is the settings Scaled reads; Scaled changes them as it goes.
type Window struct {
	Scale int
	Seen  int
}

// Scaled passes a struct by value to the first call and changes a field of
// it after a wait: the twin may not issue a later call ahead with the
// struct as it was. The second call reads only Scale, which the loop never
// changes, so it may.
//
//daskgen:parallel
func Scaled(xs []int) (int, int) {
	w := Window{Scale: 3}
	opt := Window{Scale: 5}
	sum, kept := 0, 0
	for _, x := range xs {
		if shifted(w, x)%2 == 0 {
			w.Scale++
		}
		if double(opt.Scale*x) > 20 {
			opt.Seen++
			kept++
		}
		sum += w.Scale
	}
	return sum, kept + opt.Seen
}

//daskgen:delayed
func shifted(w Window, x int) int { return w.Scale + x }

// Table is what weigh reads through a pointer.
type Table struct {
	Weights []int
	Hits    int
}

//daskgen:delayed
func weigh(t *Table, name string) int { return t.Weights[len(name)%len(t.Weights)] }

// Weighed lends the address of a table it never changes in the loop to
// every call: the calls start ahead, and the loop counts in order. The
// table's Hits, which the calls do not read, is set after the loop.
//
//daskgen:parallel
func Weighed(names []string) (int, int) {
	tab := Table{Weights: []int{1, 2, 3, 5}}
	sum, heavy := 0, 0
	for _, n := range names {
		w := weigh(&tab, n)
		if w > 2 {
			heavy++
		}
		sum += w
	}
	return sum, heavy
}

// Constraint is one parsed version constraint.
type Constraint struct {
	Op      string
	Version string
}

var (
	constraintRe     *regexp.Regexp
	constraintReOnce sync.Once
)

// parseConstraint compiles its pattern once, on first use, as
// hashicorp/go-version does; whichever task runs first compiles it.
//
//daskgen:delayed
func parseConstraint(s string) (*Constraint, error) {
	constraintReOnce.Do(func() {
		constraintRe = regexp.MustCompile(`^\s*(>=|<=|!=|~>|>|<|=)?\s*v?([0-9]+(\.[0-9]+)*)\s*$`)
	})
	m := constraintRe.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("malformed constraint: %s", s)
	}
	op := m[1]
	if op == "" {
		op = "="
	}
	return &Constraint{Op: op, Version: m[2]}, nil
}

// Constraints parses a comma-separated list into a slice of the same
// length, stopping at the first malformed element, like go-version's
// NewConstraint.
//
//daskgen:parallel
func Constraints(v string) ([]*Constraint, error) {
	vs := strings.Split(v, ",")
	result := make([]*Constraint, len(vs))
	for i, single := range vs {
		c, err := parseConstraint(single)
		if err != nil {
			return nil, err
		}
		result[i] = c
	}
	return result, nil
}

// versionRe is compiled on first use, by whichever task needs it first.
var versionRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)$`)
})

// major parses a version's major number.
//
//daskgen:delayed
func major(v string) (string, error) {
	m := versionRe().FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "", fmt.Errorf("malformed version: %q", v)
	}
	return m[1], nil
}

// Majors lists the major number of each version, in order, and stops at
// the first malformed one.
//
//daskgen:parallel
func Majors(vs []string) ([]string, error) {
	out := make([]string, len(vs))
	for i, v := range vs {
		m, err := major(v)
		if err != nil {
			return nil, fmt.Errorf("version %d: %w", i, err)
		}
		out[i] = m
	}
	return out, nil
}

// Enriched scores each item and keeps a pointer to its own copy, as code
// that builds a []*T from a range loop does (each iteration's variable is
// its own since Go 1.22): the twin must give each iteration memory of its
// own. The small window makes the pipeline go round its slots many times.
//
//daskgen:parallel window=4
func Enriched(items []Item) []*Item {
	out := make([]*Item, len(items))
	for i, item := range items {
		item.Score = size(item.Name)
		out[i] = &item
	}
	return out
}

// Deferred makes a closure over each iteration's values and runs them all
// after the loop, as code that collects callbacks does.
//
//daskgen:parallel window=4
func Deferred(names []string) string {
	var fs []func() string
	for _, n := range names {
		label := fmt.Sprintf("=%d;", size(n))
		fs = append(fs, func() string { return n + label })
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f())
	}
	return b.String()
}

// Reused stores each result by index with the same small window: nothing
// points into an iteration, so the pipeline reuses their memory.
//
//daskgen:parallel window=4
func Reused(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%s:%d", n, size(n))
	}
	return out
}

// ShiftUp stores each result in the element after its own, in the slice it
// ranges over: each iteration reads what the one before wrote, so nothing
// may be read ahead.
//
//daskgen:parallel
func ShiftUp(xs []int) []int {
	for i, x := range xs[:len(xs)-1] {
		xs[i+1] = double(x)
	}
	return xs
}

// Into stores into a slice its caller passes, which may be xs shifted by
// one, as copy-like helpers are called: nothing may be read ahead either.
//
//daskgen:parallel
func Into(dst, xs []int) []int {
	for i := range xs {
		dst[i] = double(xs[i]) + 1
	}
	return dst
}

// Graded grades each line at its own index: a malformed one is marked, the
// others scored by the length of their value. Its eager parts only store
// at their own index, by tests of their own values, so the producers run
// them.
//
//daskgen:parallel
func Graded(lines []string) ([]int, []bool) {
	scores := make([]int, len(lines))
	broken := make([]bool, len(lines))
	for i, l := range lines {
		r, err := parse(l)
		if err != nil {
			broken[i] = true
		} else if n := len(r.Value); n > 2 {
			scores[i] = n*10 + len(r.Key)
		} else {
			scores[i] = -n
		}
	}
	return scores, broken
}

// Valid skips the lines it cannot parse and stores the others at their own
// index: continue ends only its own iteration's eager part, so the
// producers run them.
//
//daskgen:parallel
func Valid(lines []string) []string {
	vals := make([]string, len(lines))
	for i, l := range lines {
		r, err := parse(l)
		if err != nil {
			continue
		}
		vals[i] = r.Key + ":" + r.Value
	}
	return vals
}

// splitRef splits "owner/name" as code hosting clients do before an API
// call; it only computes, so the issue part runs it ahead with the calls.
func splitRef(ref string) (string, string) {
	owner, name, _ := strings.Cut(strings.TrimPrefix(ref, "https://"), "/")
	return strings.ToLower(owner), name
}

// Settings is a .env loader: the range variable trimmed in place, blank
// lines and comments skipped before the call (the issue part skips them
// too), results stored in a map of its own.
//
//daskgen:parallel
func Settings(text string) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := parse(line)
		if err != nil {
			return nil, fmt.Errorf("settings: %w", err)
		}
		out[r.Key] = r.Value
	}
	return out, nil
}

// Owners computes per-iteration values with the package's own function
// before the call, and counts in a map keyed by one of them.
//
//daskgen:parallel
func Owners(refs []string) (map[string]int, error) {
	total := map[string]int{}
	for _, ref := range refs {
		owner, name := splitRef(ref)
		if name == "" {
			break
		}
		n, err := check(name)
		if err != nil {
			return total, err
		}
		total[owner] += n
	}
	return total, nil
}

// Overwrites stores into one map twice per iteration, the second time
// one of two results.
//
//daskgen:parallel
func Overwrites(xs []string) map[string]int {
	m := map[string]int{}
	for _, x := range xs {
		m[x] = size(x)
		m[x] += size(x + x)
		m["n"+x], _ = check(x)
	}
	return m
}

// validate reports only an error, as lints and format checks do.
//
//daskgen:delayed
func validate(name string) error {
	if strings.HasPrefix(name, "bad") {
		return fmt.Errorf("validate %s: %w", name, ErrBroken)
	}
	return nil
}

// FirstInvalid returns the first failure, wrapped with its position.
//
//daskgen:parallel
func FirstInvalid(names []string) error {
	for i, n := range names {
		err := validate(n)
		if err != nil {
			return fmt.Errorf("name %d: %w", i, err)
		}
	}
	return nil
}

// Invalid counts the failures, with the call in the condition.
//
//daskgen:parallel
func Invalid(names []string) int {
	bad := 0
	for _, n := range names {
		if validate(n) != nil {
			bad++
		}
	}
	return bad
}

// Unchecked drops the errors of its calls, as F does: the twin must not
// report them. The fold makes the loop pipelined, so the dropped calls
// are issued ahead too.
//
//daskgen:parallel
func Unchecked(names []string) int {
	total := 0
	for _, n := range names {
		validate(n)
		check(n)
		total += size(n)
	}
	return total
}

// Verdicts keeps every call's error, nil included, in order.
//
//daskgen:parallel
func Verdicts(names []string) []error {
	var out []error
	for _, n := range names {
		out = append(out, validate(n))
	}
	return out
}
