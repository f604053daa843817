package twinbench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// shapeN is how many iterations each shape's benchmark runs: 40 calls of
// 20 ms, 0.8 s in sequence.
const shapeN = 40

func shapeNames() []string {
	out := make([]string, shapeN)
	for i := range out {
		out[i] = strings.Repeat("n", i%9+1) + fmt.Sprint(i)
	}
	return out
}

func shapeInts() []int {
	out := make([]int, shapeN)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func shapeLines() string {
	var b strings.Builder
	for i := range shapeN {
		fmt.Fprintf(&b, "k%d=v%d\n", i, i)
	}
	return b.String()
}

// nestedPackages are the Nested shape's input: 8 packages of 2 files,
// 16 calls.
func nestedPackages() []Package {
	out := make([]Package, 8)
	for i := range out {
		out[i] = Package{Name: fmt.Sprint("pkg", i), Files: []string{fmt.Sprintf("a%d.go", i), fmt.Sprintf("bb%d.go", i)}}
	}
	return out
}

// each runs f(i) for i in [0, n) at once and waits: the hand-written
// version of a loop's delayed calls.
func each(n int, f func(i int) error) error {
	var g errgroup.Group
	for i := range n {
		g.Go(func() error { return f(i) })
	}
	return g.Wait()
}

// shape is one loop shape: the loop, its twin, and the hand-written errgroup
// version, each returning what the caller compares.
type shape struct {
	name     string
	seq      func() any
	twin     func() (any, error)
	errgroup func() any
}

func shapes() []shape {
	ctx := context.Background()
	names, ints, lines := shapeNames(), shapeInts(), shapeLines()
	items := func() []Item {
		out := make([]Item, len(names))
		for i, n := range names {
			out[i] = Item{Name: n}
		}
		return out
	}
	want := slowSizeOf(names[shapeN*3/4])
	pkgs := nestedPackages()
	return []shape{
		{"Nested", func() any { r, err := Nested(pkgs, 3); return []any{r, err} },
			func() (any, error) { r, err := NestedParallel(ctx, pkgs, 3); return []any{r, err}, nil },
			func() any {
				// Every call at once, each outer item's results in a slice
				// of its own; then the loop in order, for the first error.
				scores := make([][]int, len(pkgs))
				errs := make([][]error, len(pkgs))
				var g errgroup.Group
				for i, p := range pkgs {
					scores[i] = make([]int, len(p.Files))
					errs[i] = make([]error, len(p.Files))
					for j, f := range p.Files {
						g.Go(func() error { scores[i][j], errs[i][j] = slowCheck(f); return nil })
					}
				}
				g.Wait()
				result := make([]PkgScore, len(pkgs))
				for i, p := range pkgs {
					result[i].Name = p.Name
					for j := range p.Files {
						if errs[i][j] != nil {
							return []any{[]PkgScore(nil), errs[i][j]}
						}
						result[i].Score += scores[i][j] * 3
					}
				}
				return []any{result, error(nil)}
			}},
		{"Sizes", func() any { return Sizes(names) },
			func() (any, error) { return SizesParallel(ctx, names) },
			func() any {
				out := make([]int, len(names))
				each(len(names), func(i int) error { out[i] = slowSize(names[i]); return nil })
				return out
			}},
		{"Score", func() any { it := items(); Score(it); return it },
			func() (any, error) { it := items(); err := ScoreParallel(ctx, it); return it, err },
			func() any {
				it := items()
				each(len(it), func(i int) error { it[i].Score = slowSize(it[i].Name); return nil })
				return it
			}},
		{"Lent", func() any { r := &Rules{Comment: "//"}; m := Lent(r, names); return []any{m, r.Counted} },
			func() (any, error) {
				r := &Rules{Comment: "//"}
				m, err := LentParallel(ctx, r, names)
				return []any{m, r.Counted}, err
			},
			func() any {
				r := &Rules{Comment: "//"}
				def := *r
				cs := make([]int, len(names))
				each(len(names), func(i int) error { cs[i] = slowCount(&def, names[i]); return nil })
				m := make(map[string]int, len(names))
				for i, n := range names {
					r.Counted += cs[i]
					m[n] = cs[i]
				}
				return []any{m, r.Counted}
			}},
		{"Totals", func() any { return Totals(names) },
			func() (any, error) { return TotalsParallel(ctx, names) },
			func() any {
				sizes := make([]int, len(names))
				each(len(names), func(i int) error { sizes[i] = slowSize(names[i]); return nil })
				var st Stats
				for _, b := range sizes {
					st.Files++
					st.Bytes += b
					st.Max = max(st.Max, b)
				}
				return st
			}},
		{"Filter", func() any { return Filter(ints) },
			func() (any, error) { return FilterParallel(ctx, ints) },
			func() any {
				ok := make([]bool, len(ints))
				each(len(ints), func(i int) error { ok[i] = slowGood(ints[i]); return nil })
				var out []int
				for i, x := range ints {
					if ok[i] {
						out = append(out, x)
					}
				}
				return out
			}},
		{"CountBad", func() any { return CountBad(ints) },
			func() (any, error) { return CountBadParallel(ctx, ints) },
			func() any {
				ok := make([]bool, len(ints))
				each(len(ints), func(i int) error { ok[i] = slowGood(ints[i]); return nil })
				n := 0
				for _, g := range ok {
					if !g {
						n++
					}
				}
				return n
			}},
		{"FirstN", func() any { return FirstN(ints, shapeN/2) },
			func() (any, error) { return FirstNParallel(ctx, ints, shapeN/2) },
			func() any {
				ok := make([]bool, len(ints))
				each(len(ints), func(i int) error { ok[i] = slowGood(ints[i]); return nil })
				var out []int
				for i, x := range ints {
					if ok[i] {
						out = append(out, x)
					}
					if len(out) == shapeN/2 {
						break
					}
				}
				return out
			}},
		{"FindFirst", func() any { return pair(FindFirst(names, want)) },
			func() (any, error) { n, ok, err := FindFirstParallel(ctx, names, want); return pair(n, ok), err },
			func() any {
				sizes := make([]int, len(names))
				each(len(names), func(i int) error { sizes[i] = slowSize(names[i]); return nil })
				for i, n := range names {
					if sizes[i] == want {
						return pair(n, true)
					}
				}
				return pair("", false)
			}},
		{"Report", func() any { return Report(names) },
			func() (any, error) { return ReportParallel(ctx, names) },
			func() any {
				sizes := make([]int, len(names))
				each(len(names), func(i int) error { sizes[i] = slowSize(names[i]); return nil })
				var sb strings.Builder
				for i, n := range names {
					fmt.Fprintf(&sb, "%s: %d\n", n, sizes[i])
				}
				return sb.String()
			}},
		{"Collect", func() any { return pair(Collect(badNames(names))) },
			func() (any, error) { n, err := CollectParallel(ctx, badNames(names)); return pair(n, err), nil },
			func() any {
				in := badNames(names)
				sizes, errs := make([]int, len(in)), make([]error, len(in))
				each(len(in), func(i int) error { sizes[i], errs[i] = slowCheck(in[i]); return nil })
				total := 0
				var all []error
				for i := range in {
					if errs[i] != nil {
						all = append(all, errs[i])
						continue
					}
					total += sizes[i]
				}
				return pair(total, errors.Join(all...))
			}},
		{"Enriched", func() any { return derefItems(Enriched(items())) },
			func() (any, error) {
				out, err := EnrichedParallel(ctx, items())
				return derefItems(out), err
			},
			func() any {
				in := items()
				out := make([]*Item, len(in))
				each(len(in), func(i int) error {
					item := in[i]
					item.Score = slowSize(item.Name)
					out[i] = &item
					return nil
				})
				return derefItems(out)
			}},
		{"Parsed", func() any { return pair(Parsed(strings.Fields(lines))) },
			func() (any, error) {
				out, err := ParsedParallel(ctx, strings.Fields(lines))
				return pair(out, err), nil
			},
			func() any {
				in := strings.Fields(lines)
				out := make([]Record, len(in))
				err := each(len(in), func(i int) error {
					r, err := slowParse(in[i])
					if err != nil {
						return fmt.Errorf("line %d: %w", i+1, err)
					}
					out[i] = r
					return nil
				})
				if err != nil {
					return pair([]Record(nil), err)
				}
				return pair(out, nil)
			}},
		{"Fill", func() any { s := &Index{sizes: map[string]int{}}; s.Fill(names); return s.sizes },
			func() (any, error) {
				s := &Index{sizes: map[string]int{}}
				err := s.FillParallel(ctx, names)
				return s.sizes, err
			},
			func() any {
				sizes := make([]int, len(names))
				each(len(names), func(i int) error { sizes[i] = slowSize(names[i]); return nil })
				m := map[string]int{}
				for i, n := range names {
					m[n] = sizes[i]
				}
				return m
			}},
		{"Lines", func() any {
			var b strings.Builder
			n, err := Lines(strings.NewReader(lines), &b)
			return pair(pair(n, err), b.String())
		},
			func() (any, error) {
				var b strings.Builder
				n, err := LinesParallel(ctx, strings.NewReader(lines), &b)
				return pair(pair(n, err), b.String()), nil
			},
			func() any {
				in := strings.Split(strings.TrimSuffix(lines, "\n"), "\n")
				recs, errs := make([]Record, len(in)), make([]error, len(in))
				each(len(in), func(i int) error { recs[i], errs[i] = slowParse(in[i]); return nil })
				var b strings.Builder
				n := 0
				for i := range in {
					if errs[i] != nil {
						return pair(pair(n, errs[i]), b.String())
					}
					fmt.Fprintf(&b, "%s -> %s\n", recs[i].Key, recs[i].Value)
					n++
				}
				return pair(pair(n, nil), b.String())
			}},
		{"Env", func() any { return pair(Env(envText())) },
			func() (any, error) { out, err := EnvParallel(ctx, envText()); return pair(out, err), nil },
			func() any {
				var todo []string
				for _, line := range strings.Split(envText(), "\n") {
					if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
						todo = append(todo, line)
					}
				}
				out := make([]Record, len(todo))
				if err := each(len(todo), func(i int) error {
					r, err := slowEntry(todo[i])
					out[i] = r
					return err
				}); err != nil {
					return pair([]Record(nil), fmt.Errorf("env: %w", err))
				}
				return pair(out, nil)
			}},
		{"Paced", func() any { return Paced(names, pace) },
			func() (any, error) { return PacedParallel(ctx, names, pace) },
			func() any {
				out := make([]int, len(names))
				var g errgroup.Group
				for i, n := range names {
					time.Sleep(pace)
					g.Go(func() error { out[i] = slowStamp(n); return nil })
				}
				g.Wait()
				return out
			}},
		{"Validate", func() any { return pair(nil, Validate(badNames(names))) },
			func() (any, error) { return pair(nil, ValidateParallel(ctx, badNames(names))), nil },
			func() any {
				in := badNames(names)
				errs := make([]error, len(in))
				each(len(in), func(i int) error { errs[i] = slowValidate(in[i]); return nil })
				return pair(nil, errors.Join(errs...))
			}},
		{"Histogram", func() any { return Histogram(names) },
			func() (any, error) { return HistogramParallel(ctx, names) },
			func() any {
				codes := make([]int, len(names))
				each(len(names), func(i int) error { codes[i] = slowStatus(names[i]); return nil })
				report := HTTPReport{Failures: map[int]int{}}
				for _, code := range codes {
					report.Total++
					if code == 200 {
						report.OK++
					} else {
						report.Failures[code]++
					}
				}
				return report
			}},
		{"Memo", func() any { return Memo(&LineCache{lines: map[string]int{}}, names) },
			func() (any, error) { return MemoParallel(ctx, &LineCache{lines: map[string]int{}}, names) },
			func() any {
				c := &LineCache{lines: map[string]int{}}
				counts := make([]int, len(names))
				each(len(names), func(i int) error { counts[i] = c.count(names[i]); return nil })
				total := 0
				for _, n := range counts {
					total += n
				}
				return total
			}},
		{"Stars", func() any { return pair(Stars(repoRefs())) },
			func() (any, error) { m, err := StarsParallel(ctx, repoRefs()); return pair(m, err), nil },
			func() any {
				refs := repoRefs()
				counts := make([]int, len(refs))
				if err := each(len(refs), func(i int) error {
					var err error
					counts[i], err = slowStars(splitRepo(refs[i]))
					return err
				}); err != nil {
					return pair(map[string]int(nil), err)
				}
				m := map[string]int{}
				for i, ref := range refs {
					owner, name := splitRepo(ref)
					m[owner+"/"+name] = counts[i]
				}
				return pair(m, nil)
			}},
		{"Keyed", func() any { return pair(Keyed(repos())) },
			func() (any, error) { out, err := keyedParallel(ctx, repos()); return pair(out, err), nil },
			func() any {
				rs := repos()
				out := make([]int, len(rs))
				if err := each(len(rs), func(i int) error {
					n, err := slowLookup(rs[i].Key())
					if err != nil {
						return fmt.Errorf("%s: %w", rs[i].Key(), err)
					}
					out[i] = n
					return nil
				}); err != nil {
					return pair([]int(nil), err)
				}
				return pair(out, nil)
			}},
	}
}

// repos is repoRefs as Repo values, for Keyed.
func repos() []Repo {
	var out []Repo
	for _, ref := range repoRefs() {
		owner, name := splitRepo(ref)
		out = append(out, Repo{Owner: owner, Name: name})
	}
	return out
}

// pace is Paced's pace in the shapes: a quarter of a call.
const pace = callDelay / 4

// envText is a .env file of shapeN settings, with a comment and a blank
// line after every fourth, padded with spaces.
func envText() string {
	var b strings.Builder
	for i := range shapeN {
		fmt.Fprintf(&b, "  KEY_%d = value %d \n", i, i)
		if i%4 == 3 {
			b.WriteString("# section\n\n")
		}
	}
	return b.String()
}

// repoRefs names shapeN repositories, as owner/name and as URLs.
func repoRefs() []string {
	out := make([]string, shapeN)
	for i := range out {
		out[i] = fmt.Sprintf("Org%d/repo-%d", i%5, i)
		if i%2 == 0 {
			out[i] = "https://github.com/" + out[i]
		}
	}
	return out
}

// badNames makes every fifth name fail slowCheck.
func badNames(names []string) []string {
	out := slices.Clone(names)
	for i := range out {
		if i%5 == 2 {
			out[i] = "bad" + out[i]
		}
	}
	return out
}

func slowSizeOf(name string) int { return len(name)*7%13 + 1 }

// derefItems copies what the pointers point to, which F and its twin must
// agree on.
func derefItems(ps []*Item) []Item {
	out := make([]Item, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

type pairT struct{ A, B any }

// pair holds two results; an error is kept as its text.
func pair(a, b any) pairT {
	if err, ok := b.(error); ok {
		b = err.Error()
	}
	return pairT{a, b}
}

func show(v any) string {
	if m, ok := v.(map[string]int); ok {
		var keys []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			keys = append(keys, fmt.Sprintf("%s=%d", k, m[k]))
		}
		return strings.Join(keys, ",")
	}
	return fmt.Sprintf("%#v", v)
}

// TestShapes checks that every shape's twin and errgroup version return what
// the loop returns, so that the benchmarks compare like with like.
func TestShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	for _, s := range shapes() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			want := show(s.seq())
			got, err := s.twin()
			if err != nil {
				t.Fatal(err)
			}
			if show(got) != want {
				t.Errorf("twin = %s, want %s", show(got), want)
			}
			if eg := show(s.errgroup()); eg != want {
				t.Errorf("errgroup version = %s, want %s", eg, want)
			}
		})
	}
}

// BenchmarkShapes runs each loop shape of real code (40 calls of 20 ms) as
// the loop, its twin, and a hand-written errgroup version, in the same run.
// The target: every twin at least 0.8 times the errgroup version's speed-up
// (0.5 for FirstN and FindFirst, which stop early).
func BenchmarkShapes(b *testing.B) {
	for _, s := range shapes() {
		b.Run(s.name+"/sequential", func(b *testing.B) {
			for b.Loop() {
				s.seq()
			}
		})
		b.Run(s.name+"/twin", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.twin(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"/errgroup", func(b *testing.B) {
			for b.Loop() {
				s.errgroup()
			}
		})
	}
}

// TestEnvParsesWhatFParses checks that the twin parses the lines F parses
// and no others: the guard that skips blank lines and comments runs in the
// issue part, before the call it guards.
func TestEnvParsesWhatFParses(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	text := envText()
	parseCalls.Store(0)
	if _, err := Env(text); err != nil {
		t.Fatal(err)
	}
	want := parseCalls.Swap(0)
	if _, err := EnvParallel(context.Background(), text); err != nil {
		t.Fatal(err)
	}
	if got := parseCalls.Swap(0); got != want {
		t.Errorf("EnvParallel parsed %d lines, Env %d: the twin called slowEntry on lines F skips", got, want)
	}

	// Blank lines, which Lengths skips, and no comments, which would make
	// F stop at its first error while the twin's later calls are already
	// running (calls past an early exit are the one kind F does not make).
	lines := strings.Split(strings.ReplaceAll(text, "# section\n", ""), "\n")
	n, err := Lengths(lines)
	want = parseCalls.Swap(0)
	gn, gerr := LengthsParallel(context.Background(), lines)
	if got := parseCalls.Swap(0); got != want {
		t.Errorf("LengthsParallel parsed %d lines, Lengths %d: the twin called slowEntry on lines F skips", got, want)
	}
	if gn != n || fmt.Sprint(gerr) != fmt.Sprint(err) {
		t.Errorf("LengthsParallel = %d, %v; Lengths = %d, %v", gn, gerr, n, err)
	}
}

// TestPacedKeepsThePace measures the gaps between the starts of the twin's
// calls: F sleeps its pace before each call, and so must the twin, or a
// rate limit F keeps would be broken. A gap is the pace plus the time a
// task takes to start, so the check allows half the pace for a loaded
// machine; without the pace in the issue part the calls all start within
// microseconds.
func TestPacedKeepsThePace(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	const pace = 10 * time.Millisecond
	names := shapeNames()[:8]
	lastStart.Store(0)
	minGap.Store(0)
	out, err := PacedParallel(context.Background(), names, pace)
	if err != nil {
		t.Fatal(err)
	}
	if want := Paced(names[:0], pace); len(out) != len(names) || want != nil {
		t.Fatalf("PacedParallel returned %d results for %d names", len(out), len(names))
	}
	if gap := time.Duration(minGap.Load()); gap < pace/2 {
		t.Errorf("two of PacedParallel's calls started %v apart; F's pace is %v", gap, pace)
	}
}
