package twinbench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The loop shapes of real Go code (issue: pipelined twins), each with a
// delayed call that sleeps like a request, so that the benchmarks measure
// how much of the waiting the twin overlaps. shapes_test.go holds their
// hand-written errgroup versions.

// callDelay is how long each slow call of the shapes takes.
const callDelay = 20 * time.Millisecond

// errBroken is what slowCheck returns for names that start with "bad".
var errBroken = errors.New("broken")

// slowSize stands for a stat or a HEAD request.
//
//daskgen:delayed
func slowSize(name string) int {
	time.Sleep(callDelay)
	return len(name)*7%13 + 1
}

// slowCheck stands for a validation that can fail.
//
//daskgen:delayed
func slowCheck(name string) (int, error) {
	time.Sleep(callDelay)
	if strings.HasPrefix(name, "bad") {
		return 0, fmt.Errorf("check %s: %w", name, errBroken)
	}
	return len(name), nil
}

// slowGood stands for a slow test of an item.
//
//daskgen:delayed
func slowGood(n int) bool {
	time.Sleep(callDelay)
	return n%3 != 0
}

// Record is a parsed key=value line.
type Record struct{ Key, Value string }

// slowParse stands for parsing that calls out.
//
//daskgen:delayed
func slowParse(line string) (Record, error) {
	time.Sleep(callDelay)
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return Record{}, fmt.Errorf("no = in %q", line)
	}
	return Record{Key: k, Value: v}, nil
}

// Item is scored in place.
type Item struct {
	Name  string
	Score int
}

// Stats are totals kept in a struct.
type Stats struct{ Files, Bytes, Max int }

// Sizes: out[i] = f(x).
//
//daskgen:parallel
func Sizes(names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = slowSize(n)
	}
	return out
}

// Score: items[i].Score = f(items[i]).
//
//daskgen:parallel
func Score(items []Item) {
	for i := range items {
		items[i].Score = slowSize(items[i].Name)
	}
}

// Enriched: item.Score = f(item.Name) on the range variable, and a pointer
// to it kept, as code that builds a []*T from a range loop does (each
// iteration's variable is its own since Go 1.22).
//
//daskgen:parallel
func Enriched(items []Item) []*Item {
	out := make([]*Item, 0, len(items))
	for _, item := range items {
		item.Score = slowSize(item.Name)
		out = append(out, &item)
	}
	return out
}

// Totals: struct-field totals.
//
//daskgen:parallel
func Totals(names []string) Stats {
	var st Stats
	for _, n := range names {
		b := slowSize(n)
		st.Files++
		st.Bytes += b
		st.Max = max(st.Max, b)
	}
	return st
}

// Rules is what slowCount reads through a pointer, as gocloc's language
// definition.
type Rules struct {
	Comment string
	Counted int
}

// slowCount stands for counting a file's lines with a language's rules.
//
//daskgen:delayed
func slowCount(r *Rules, name string) int {
	time.Sleep(callDelay)
	return len(name)*len(r.Comment)%11 + 1
}

// Lent: lend a definition by address to every call, add the results into
// the struct it was copied from, and keep each result in a map (gocloc's
// Analyze, with the copy its diagnostic asks for).
//
//daskgen:parallel
func Lent(lang *Rules, names []string) map[string]int {
	counts := make(map[string]int, len(names))
	def := *lang
	for _, n := range names {
		c := slowCount(&def, n)
		lang.Counted += c
		counts[n] = c
	}
	return counts
}

// Filter: keep what a test accepts.
//
//daskgen:parallel
func Filter(xs []int) []int {
	var out []int
	for _, x := range xs {
		if slowGood(x) {
			out = append(out, x)
		}
	}
	return out
}

// CountBad: count what a test rejects.
//
//daskgen:parallel
func CountBad(xs []int) int {
	n := 0
	for _, x := range xs {
		if !slowGood(x) {
			n++
		}
	}
	return n
}

// FirstN: stop once there are limit results.
//
//daskgen:parallel
func FirstN(xs []int, limit int) []int {
	var out []int
	for _, x := range xs {
		if slowGood(x) {
			out = append(out, x)
		}
		if len(out) == limit {
			break
		}
	}
	return out
}

// FindFirst: return at the first match.
//
//daskgen:parallel
func FindFirst(names []string, want int) (string, bool) {
	for _, n := range names {
		if slowSize(n) == want {
			return n, true
		}
	}
	return "", false
}

// Report: print each result to a builder, in order.
//
//daskgen:parallel
func Report(names []string) string {
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%s: %d\n", n, slowSize(n))
	}
	return sb.String()
}

// Collect: collect the errors, return them joined.
//
//daskgen:parallel
func Collect(names []string) (int, error) {
	var errs []error
	total := 0
	for _, n := range names {
		size, err := slowCheck(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total += size
	}
	return total, errors.Join(errs...)
}

// Parsed: the error idiom, and a store at the index.
//
//daskgen:parallel
func Parsed(lines []string) ([]Record, error) {
	out := make([]Record, len(lines))
	for i, l := range lines {
		r, err := slowParse(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out[i] = r
	}
	return out, nil
}

// Index fills a map reached through a field.
type Index struct{ sizes map[string]int }

// Fill: s.m[k] = f(k).
//
//daskgen:parallel
func (s *Index) Fill(names []string) {
	for _, n := range names {
		s.sizes[n] = slowSize(n)
	}
}

// Lines: a bufio.Scanner loop that prints what it parses.
//
//daskgen:parallel
func Lines(r io.Reader, w io.Writer) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		rec, err := slowParse(sc.Text())
		if err != nil {
			return n, err
		}
		fmt.Fprintf(w, "%s -> %s\n", rec.Key, rec.Value)
		n++
	}
	return n, sc.Err()
}

// parseCalls counts slowEntry's calls, so that a test can check that a twin
// makes the calls F makes and no others.
var parseCalls atomic.Int64

// slowEntry stands for parsing a line that calls out; unlike slowParse it
// counts its calls.
//
//daskgen:delayed
func slowEntry(line string) (Record, error) {
	parseCalls.Add(1)
	time.Sleep(callDelay)
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return Record{}, fmt.Errorf("no = in %q", line)
	}
	return Record{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)}, nil
}

// Env: a .env or INI loader's loop, as infrastructure tools write it: the
// range variable trimmed in place, blank lines and comments skipped by a
// guard, each remaining line parsed. The trim and the guard run ahead with
// the calls; a skipped line is never parsed, by F or by the twin.
//
//daskgen:parallel
func Env(text string) ([]Record, error) {
	var out []Record
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := slowEntry(line)
		if err != nil {
			return nil, fmt.Errorf("env: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Lengths: a guard on the range variable itself, with nothing computed
// before it.
//
//daskgen:parallel
func Lengths(lines []string) (int, error) {
	n := 0
	for _, line := range lines {
		if line == "" {
			continue
		}
		r, err := slowEntry(line)
		if err != nil {
			return n, err
		}
		n += len(r.Value)
	}
	return n, nil
}

// splitRepo splits "owner/name" (or a GitHub URL ending in it) the way code
// hosting clients do before an API call. It only computes, so the issue
// part of a pipelined loop may run it ahead.
func splitRepo(ref string) (owner, name string) {
	ref = strings.TrimPrefix(ref, "https://github.com/")
	owner, name, _ = strings.Cut(ref, "/")
	return strings.ToLower(owner), name
}

// slowStars stands for a repository lookup.
//
//daskgen:delayed
func slowStars(owner, name string) (int, error) {
	time.Sleep(callDelay)
	if name == "" {
		return 0, fmt.Errorf("repository %q has no name: %w", owner, errBroken)
	}
	return len(owner)*31 + len(name), nil
}

// Stars: per-iteration values computed by the package's own function
// before the call (owner, name := splitRepo(ref)), results stored in a map
// under a key built from them.
//
//daskgen:parallel
func Stars(refs []string) (map[string]int, error) {
	stars := map[string]int{}
	for _, ref := range refs {
		owner, name := splitRepo(ref)
		n, err := slowStars(owner, name)
		if err != nil {
			return nil, err
		}
		stars[owner+"/"+name] = n
	}
	return stars, nil
}

// lastStart and minGap record when slowStamp's calls start: the shortest
// time between two consecutive starts, in nanoseconds (0 before two).
var lastStart, minGap atomic.Int64

// slowStamp stands for a request to a rate-limited service; it records the
// gaps between the starts of its calls.
//
//daskgen:delayed
func slowStamp(name string) int {
	now := time.Now().UnixNano()
	if prev := lastStart.Swap(now); prev != 0 {
		gap := now - prev
		for {
			m := minGap.Load()
			if (m != 0 && m <= gap) || minGap.CompareAndSwap(m, gap) {
				break
			}
		}
	}
	time.Sleep(callDelay)
	return len(name)
}

// Paced: a crawler's politeness delay before each request. F's pace is
// part of what F means, so the twin starts its calls no faster: the sleep
// runs in the issue part, in F's order, and the calls overlap only with
// the pace between them.
//
//daskgen:parallel
func Paced(names []string, pace time.Duration) []int {
	var out []int
	for _, n := range names {
		time.Sleep(pace)
		out = append(out, slowStamp(n))
	}
	return out
}

// slowValidate stands for a check that reports only an error: a lint, a
// format check, a schema validation.
//
//daskgen:delayed
func slowValidate(name string) error {
	time.Sleep(callDelay)
	if strings.HasPrefix(name, "bad") {
		return fmt.Errorf("validate %s: %w", name, errBroken)
	}
	return nil
}

// Validate: the per-item shape of most real tools, a function that returns
// only an error, every failure collected in F's order.
//
//daskgen:parallel
func Validate(names []string) error {
	var errs []error
	for _, n := range names {
		if err := slowValidate(n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HTTPReport counts status codes, as a load tester or link checker does.
type HTTPReport struct {
	Total, OK int
	Failures  map[int]int
}

// slowStatus stands for a request that returns a status code.
//
//daskgen:delayed
func slowStatus(name string) int {
	time.Sleep(callDelay)
	if len(name)%4 == 0 {
		return 500 + len(name)%3
	}
	return 200
}

// Histogram: a map histogram with struct counters, the result as a map key.
//
//daskgen:parallel
func Histogram(names []string) HTTPReport {
	report := HTTPReport{Failures: map[int]int{}}
	for _, n := range names {
		code := slowStatus(n)
		report.Total++
		if code == 200 {
			report.OK++
		} else {
			report.Failures[code]++
		}
	}
	return report
}

// LineCache is golangci-lint's file cache: contents read once, under a
// mutex, by whichever call asks first. What it holds does not depend on
// the order of the calls, and the lock guards its map: locked says so.
type LineCache struct {
	mu    sync.Mutex
	lines map[string]int
}

// count stands for reading a file through the cache.
//
//daskgen:delayed locked
func (c *LineCache) count(name string) int {
	c.mu.Lock()
	n, ok := c.lines[name]
	c.mu.Unlock()
	if ok {
		return n
	}
	time.Sleep(callDelay)
	n = len(name) % 7
	c.mu.Lock()
	c.lines[name] = n
	c.mu.Unlock()
	return n
}

// Memo: issues reported per file, each file read through a shared cache.
//
//daskgen:parallel
func Memo(c *LineCache, names []string) int {
	total := 0
	for _, n := range names {
		total += c.count(n)
	}
	return total
}

// Repo is a repository named by its owner and name.
type Repo struct{ Owner, Name string }

// Key is the repository's "owner/name", as lookups want it. It only
// computes.
func (r Repo) Key() string { return strings.ToLower(r.Owner) + "/" + r.Name }

// keyer is what keyed looks its items up by.
type keyer interface{ Key() string }

// slowLookup stands for a lookup by key.
//
//daskgen:delayed
func slowLookup(key string) (int, error) {
	time.Sleep(callDelay)
	if strings.HasSuffix(key, "/") {
		return 0, fmt.Errorf("key %q names no repository: %w", key, errBroken)
	}
	return len(key) * 7, nil
}

// keyed: a generic loop that makes a call's argument with a method of its
// type parameter (slowLookup(it.Key())), as generic clients do. keyed is
// unexported and the package instantiates it with Repo only, whose Key
// only computes, so the issue part calls Key ahead.
//
//daskgen:parallel
func keyed[K keyer](items []K) ([]int, error) {
	out := make([]int, len(items))
	for i, it := range items {
		n, err := slowLookup(it.Key())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Key(), err)
		}
		out[i] = n
	}
	return out, nil
}

// Keyed looks repositories up by their keys.
func Keyed(repos []Repo) ([]int, error) { return keyed(repos) }

// Package is a package of a linter's run: its name and its files.
type Package struct {
	Name  string
	Files []string
}

// PkgScore is a package's weighted score.
type PkgScore struct {
	Name  string
	Score int
}

// Nested: the delayed call is in the inner loop of a nested loop, its
// error returned, the result folded into the outer item's own result
// (issue 22, "Nested loops"): the outer loop runs ahead, each outer item's
// issue part issuing every call of its inner loop.
//
//daskgen:parallel
func Nested(pkgs []Package, w int) ([]PkgScore, error) {
	result := make([]PkgScore, len(pkgs))
	for i, p := range pkgs {
		result[i].Name = p.Name
		for _, f := range p.Files {
			s, err := slowCheck(f)
			if err != nil {
				return nil, err
			}
			result[i].Score += s * w
		}
	}
	return result, nil
}
