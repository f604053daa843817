// Package analyzer defines the daskgen analyzer: it reads //daskgen:
// directives, proves that a parallel twin of the marked code would return
// what the sequential code returns, and computes the plan the rewriter
// follows. It runs as `daskgen vet` and as `go vet -vettool=$(which daskgen)`.
//
// # Analyzer daskgen
//
// daskgen: check that parallel code can be made parallel, and plan its twin
//
// Mark slow functions //daskgen:delayed and the code that calls them
// //daskgen:parallel, in a function's doc comment or on the line directly
// above a for statement:
//
//	//daskgen:delayed retries=2
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
// Options: delayed takes pure (identical calls share a task), retries=N and
// limit=N (at most N calls at once); parallel takes workers=N, and unordered
// for a worklist loop whose results may come in any order. A directive that is
// unknown, malformed or in the wrong place is reported.
//
// Each delayed function exports a fact, so parallel code in other packages
// recognizes its calls. Each function that writes package variables or
// through its receiver or parameters exports one too; this is intraprocedural
// (it follows a parameter's own name, not copies of it, and not calls of
// function values or interface methods) and is completed by the facts of the
// functions it calls.
//
// The diagnostics, by category:
//
//   - directive: a malformed or misplaced directive.
//   - mutation: a slice, map, pointer, or a value holding one, passed to a
//     delayed call and then changed by the parallel code before the graph
//     runs (the task could see the change, as in dask/dask#2409); or a
//     delayed function that writes package variables or through its
//     receiver or parameters.
//   - unsupported: go, defer, recover, select or goto in parallel code; a
//     closure that captures a delayed value or calls a delayed function; a
//     delayed value sent on a channel or stored in a package variable; a
//     delayed function that returns no value.
//   - sync: eager code needs a delayed value inside a loop (a condition, an
//     argument of a function that is not delayed): the twin must wait there,
//     so the loop runs one iteration at a time at that point. Generation
//     still proceeds.
//   - nothing: a parallel function or loop that calls no delayed function.
//   - candidate (with -candidate): a loop outside parallel code whose
//     iterations call delayed functions independently; the suggested fix
//     marks it //daskgen:parallel. With -delayed=pkg.F,pkg.T.M, functions
//     that are not marked count as delayed too, to look for candidates in
//     code that calls slow functions of other modules.
//
// The analyzer's result is a *Plan: for each parallel function or loop, the
// delayed calls, every variable classified (loop variable, read-only,
// temporary, lifted, accumulator with its kind, error, eager), the error
// idioms, the barriers and what is live after a loop.
//
// Generated files (with a "Code generated ... DO NOT EDIT." line) are skipped.
package analyzer

// Doc is the analyzer's documentation, shown by daskgen vet -help.
const Doc = `daskgen: check that parallel code can be made parallel, and plan its twin

Reads //daskgen:delayed and //daskgen:parallel directives and reports what
would keep a parallel twin from returning what the sequential code returns:
arguments of delayed calls changed before the graph runs (mutation), delayed
functions that write shared state (mutation), go/defer/recover/select/goto
and closures over delayed values in parallel code (unsupported), places
where a loop must wait for a delayed value (sync), directives with nothing to
do (nothing), and with -candidate, loops that could be marked parallel.`
