// Daskgen writes parallel twins of Go functions marked with //daskgen:
// directives, and checks that they are safe.
//
// Mark the slow functions //daskgen:delayed, and the functions (or the single
// for loops) that call them //daskgen:parallel:
//
//	//go:generate go tool daskgen
//
//	//daskgen:delayed
//	func fetch(url string) (Page, error) { ... }
//
//	//daskgen:parallel
//	func Titles(urls []string) ([]string, error) {
//		var titles []string
//		for _, u := range urls {
//			p, err := fetch(u)
//			if err != nil {
//				return nil, fmt.Errorf("fetch %s: %w", u, err)
//			}
//			titles = append(titles, p.Title)
//		}
//		return titles, nil
//	}
//
// Running
//
//	daskgen [flags] [packages]
//
// (by default the package in the current directory; under go generate, the
// package of $GOFILE) writes titles_daskgen.go next to titles.go. It holds
// fetchDelayed, whose calls add tasks to a graph, and
//
//	func TitlesParallel(ctx context.Context, urls []string) ([]string, error)
//
// which returns exactly what Titles returns, the same titles in the same
// order and the error Titles would return first, while the fetches run in
// parallel. The rules, and what a twin cannot promise, are in the
// documentation of packages github.com/daskgen/daskgen/analyzer and
// github.com/daskgen/daskgen/rewrite.
//
// Daskgen prints the twins it wrote and every place where a twin waits for a
// delayed value (a barrier). When some code cannot have a twin, because it
// could then return something else than the sequential code, daskgen prints
// why with file:line:col, writes nothing, and exits with status 1.
// Generation is all or nothing and deterministic.
//
// The flags are:
//
//	-check
//		write nothing; list the generated files that are missing, out of
//		date or no longer needed, and exit with status 1 if there are any
//		(for CI)
//	-tags list
//		a comma-separated list of build tags to apply
//	-force
//		replace a file named like a generated one (x_daskgen.go) that
//		daskgen did not write; without it, such a file is a refusal and
//		nothing is written
//	-q
//		print nothing but errors
//
// Checking without generating:
//
//	daskgen vet [-candidate] [-delayed=pkg.F,...] [packages]
//
// reports, with file:line:col, what would keep a parallel twin from
// returning what the sequential code returns: arguments of delayed calls
// changed before the graph runs, delayed functions that write shared state,
// constructs a twin cannot have, and places where a loop must wait. It exits
// with status 3 when it reports a refusal (what daskgen would refuse to
// generate), 1 on errors, and 0 when it prints only notes (where a loop
// waits, a directive with nothing to do, a loop that could be marked).
// -candidate also suggests loops to mark; -fix applies the suggestions.
//
// The same binary serves go vet; after go get -tool, go tool -n names it:
//
//	go vet -vettool=$(go tool -n daskgen) ./...
//
// go vet fails on refusals and prints notes without failing, as daskgen vet.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/analysis/singlechecker"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/daskgen/daskgen/analyzer"
	"github.com/daskgen/daskgen/rewrite"
)

// The generate mode's flags have a set of their own: the vet mode's
// analysis flags live in the default one.
var (
	flags = flag.NewFlagSet("daskgen", flag.ExitOnError)
	check = flags.Bool("check", false, "write nothing; list generated files that are missing or out of date, and exit 1 if any")
	tags  = flags.String("tags", "", "comma-separated list of build `tags` to apply")
	quiet = flags.Bool("q", false, "print nothing but errors")
	force = flags.Bool("force", false, "replace files named like generated ones (x_daskgen.go) that daskgen did not write")
)

// Usage prints the synopsis and the flags.
func Usage() {
	fmt.Fprintf(os.Stderr, `Usage of daskgen:
	daskgen [flags] [packages]      # write parallel twins (default: the package in .)
	daskgen -check [packages]       # exit 1 if generated files are stale
	daskgen vet [flags] [packages]  # check only
	go vet -vettool=$(go tool -n daskgen) [packages]
For more information, see:
	https://pkg.go.dev/github.com/daskgen/daskgen/cmd/daskgen
Flags:
`)
	flags.PrintDefaults()
}

func main() {
	args := os.Args[1:]
	// go vet runs its tool with -V=full, -flags, or a single .cfg file;
	// check before any flag parsing, which those would upset.
	if isVetProtocol(args) {
		unitchecker.Main(notesAside(analyzer.Analyzer, hasFixFlag(args)))
		return
	}
	if len(args) > 0 && args[0] == "vet" {
		os.Args = append([]string{"daskgen vet"}, args[1:]...)
		// Tests that already call twins not generated yet do not
		// type-check; that alone must not stop the check, as it does not
		// stop generation.
		var patterns []string
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "-") {
				patterns = append(patterns, a)
			}
		}
		if rewrite.OnlyMissingTwins(patterns) {
			analyzer.Analyzer.RunDespiteErrors = true
			inspect.Analyzer.RunDespiteErrors = true
		}
		singlechecker.Main(notesAside(analyzer.Analyzer, hasFixFlag(args[1:])))
		return
	}
	log.SetFlags(0)
	log.SetPrefix("daskgen: ")
	flags.Usage = Usage
	flags.Parse(args) // exits on error
	os.Exit(run(flags.Args()))
}

// run generates, or checks, and returns the exit status.
func run(patterns []string) int {
	cfg := rewrite.Config{Patterns: patterns, Force: *force}
	if *tags != "" {
		cfg.Tags = strings.Split(*tags, ",")
	}
	if len(patterns) == 0 {
		// Under go generate, work on the package of the file that asked.
		if gofile := os.Getenv("GOFILE"); gofile != "" {
			cfg.Patterns = []string{"./" + filepath.Dir(gofile)}
		}
	}
	res, err := rewrite.Generate(cfg)
	wd, _ := os.Getwd()
	var refused *rewrite.RefusedError
	if errors.As(err, &refused) {
		for _, d := range refused.Diagnostics {
			d.Pos.Filename = rel(wd, d.Pos.Filename)
			fmt.Fprintln(os.Stderr, d)
		}
		log.Printf("%d refusal(s): nothing written", len(refused.Diagnostics))
		return 1
	}
	if err != nil {
		log.Print(err)
		return 1
	}
	for _, w := range res.Warnings {
		w.Pos.Filename = rel(wd, w.Pos.Filename)
		fmt.Fprintf(os.Stderr, "%s: warning: %s\n", w.Pos, w.Message)
	}
	if *check {
		stale := res.Stale()
		for _, s := range stale {
			fmt.Fprintln(os.Stderr, rel(wd, s))
		}
		if len(stale) > 0 {
			log.Printf("%d generated file(s) stale; run daskgen (or go generate) and commit the result", len(stale))
			return 1
		}
		return 0
	}
	if err := res.Write(); err != nil {
		log.Print(err)
		return 1
	}
	if !*quiet {
		for _, f := range res.Files {
			fmt.Printf("wrote %s\n", rel(wd, f.Path))
		}
		for _, p := range res.Remove {
			fmt.Printf("removed %s\n", rel(wd, p))
		}
		fmt.Printf("twins: %s\n", strings.Join(res.Twins, ", "))
		for _, b := range res.Barriers {
			b.Pos.Filename = rel(wd, b.Pos.Filename)
			fmt.Printf("barrier: %s: %s\n", b.Pos, b.Message)
		}
	}
	return 0
}

func rel(wd, path string) string {
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func isVetProtocol(args []string) bool {
	for _, a := range args {
		if a == "-V=full" || a == "-V" || a == "-flags" {
			return true
		}
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// notesAside returns a copy of a whose notes (diagnostics that
// analyzer.Refuses does not count) are printed to standard error with their
// positions instead of going through the analysis framework: singlechecker
// exits 3, and go vet fails, on any diagnostic the framework sees, and a
// note is no refusal. With fix, a note that carries a suggested fix (a
// candidate loop) still goes through the framework, which applies it.
//
// A package and its test variant share their files, so the same note comes
// from both passes: each is printed once, as the framework prints each
// diagnostic once.
func notesAside(a *analysis.Analyzer, fix bool) *analysis.Analyzer {
	c := *a
	var (
		mu      sync.Mutex
		printed = map[string]bool{}
	)
	c.Run = func(pass *analysis.Pass) (any, error) {
		report := pass.Report
		pass.Report = func(d analysis.Diagnostic) {
			if analyzer.Refuses(d.Category) || (fix && len(d.SuggestedFixes) > 0) {
				report(d)
				return
			}
			line := fmt.Sprintf("%s: %s", pass.Fset.Position(d.Pos), d.Message)
			mu.Lock()
			defer mu.Unlock()
			if !printed[line] {
				printed[line] = true
				fmt.Fprintln(os.Stderr, line)
			}
		}
		return a.Run(pass)
	}
	return &c
}

// hasFixFlag reports whether args ask the analysis driver to apply fixes.
func hasFixFlag(args []string) bool {
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "fix", "fix=true", "fix=1":
			if strings.HasPrefix(a, "-") {
				return true
			}
		}
	}
	return false
}
