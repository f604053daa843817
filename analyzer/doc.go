// Package analyzer defines the daskgen analyzer: it reads //daskgen:
// directives, proves that a parallel twin of the marked code would return
// what the sequential code returns, and computes the plan the rewriter
// follows. It runs as `daskgen vet` and as `go vet -vettool=$(go tool -n daskgen)`.
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
// interface methods) and is completed by the facts of the functions it
// calls. The same facts record the function values a function calls that
// it is given (a parameter, a field of one, a package variable): a delayed
// function that calls one is refused, since its tasks would call it
// concurrently and out of order.
//
// The diagnostics, by category:
//
//   - directive: a malformed or misplaced directive.
//   - mutation: a slice, map, pointer, or a value holding one, passed to a
//     delayed call and then changed by the parallel code before the graph
//     runs (the task could see the change, as in dask/dask#2409); or a
//     delayed function that writes package variables or through its
//     receiver or parameters.
//     A method result that lends memory until the method's next call
//     (bufio.Scanner.Bytes) and a buffer that Read refills are mutations too.
//   - unsupported: go, defer, recover, select or goto in parallel code; a
//     closure that captures a delayed value or calls a delayed function; a
//     delayed value sent on a channel or stored in a package variable; a
//     delayed function that returns nothing; a delayed call on the right
//     of && or ||, or in a case of a switch (F makes it only sometimes); a
//     delayed call given a context other than F's own first parameter.
//   - sync: a loop that cannot run ahead. Where eager code needs a delayed
//     value inside a loop (a condition, a store, an argument of a function
//     that is not delayed), the loop is pipelined (see below) and waits only
//     for its own iteration's values. A sync diagnostic names the variable
//     or call that keeps a loop from that: a delayed call whose argument
//     eager code computes from an earlier iteration's waited value, or that
//     F makes only under a condition that waits. Generation still proceeds.
//   - nothing: a parallel function or loop that calls no delayed function.
//   - candidate (with -candidate): a loop outside parallel code whose
//     iterations call delayed functions independently; the suggested fix
//     marks it //daskgen:parallel. With -delayed=pkg.F,pkg.T.M, functions
//     that are not marked count as delayed too, to look for candidates in
//     code that calls slow functions of other modules.
//
// # Pipelined loops
//
// A loop whose body waits is split, as decoupled software pipelining splits
// a loop into a producer and a consumer. The issue part is the loop's header
// and the statements and delayed calls of the body that can run before the
// eager code of the iterations before them: a statement moves there when it
// assigns only variables declared in the body, reads only the loop's own
// variables, variables the loop does not change and variables that moved
// statements define, calls only delayed functions and a list of standard
// library functions that touch nothing but their arguments, reads through
// pointers, slices and maps no memory that the eager part changes (but for
// the iteration's own element, s[i], written after the read), and is not
// under a condition that waits. A delayed call in a statement that stays
// eager (out[i] = f(x), if keep(x) {...}) starts in the issue part when its
// arguments can be computed there. The twin runs the issue part ahead, in a
// goroutine, within a window of iterations (window=N on the directive), and
// the eager part in F's order. A loop header with side effects (sc.Scan())
// runs in the issue part, in order; a loop that stops early (break,
// return) is split only when nothing sees how far the header ran.
//
// Nested loops run ahead across the outer loop: when the body holds a loop
// that waits, ranging over a slice, an array or an integer, whose range
// expression and issue part the outer issue part can compute from the
// outer iteration's own variables, that loop's issue part runs inside the
// outer one's as its last step (Step.Inner), recording each inner
// iteration; the eager part replays the inner loop in F's order. Where it
// cannot, each loop is split on its own, and a sync diagnostic at the
// inner loop says why.
//
// A fold, x op= f(...) in a loop with x a local variable, stays eager when
// its loop can be pipelined: the issue part starts f's calls ahead and the
// eager part adds each value in F's order, so the fold makes no task per
// step. The analyzer first tries the region with every fold eager, and
// keeps eager the folds whose waits all turned out pipelined; the others
// are delayed accumulators, which wait for nothing in the loop.
// Range loops over slices, arrays and integers are indexed: their issue
// parts run in several producers at once. Since Go 1.22 a range loop's
// variables are the iteration's own, so the body may write them when the
// issue part reads them first.
//
// The analyzer's result is a *Plan: for each parallel function or loop, the
// delayed calls, every variable classified (loop variable, read-only,
// temporary, lifted, accumulator with its kind, error, eager), the error
// idioms, the barriers, the pipelined loops with their steps and what they
// hand over, and what is live after a loop.
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
