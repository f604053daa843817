// Package rewrite writes the parallel twins of functions that the daskgen
// analyzer has checked, as Go source, with jennifer.
//
// For each source file that declares a //daskgen:delayed function or a
// //daskgen:parallel function or loop, Generate writes <file>_daskgen.go next
// to it. It holds, for each delayed function f, the wrapper fDelayed (and
// fDelayedErr when f returns an error and a twin reads that error as a
// value), whose calls add tasks to a graph, and
// for each parallel function F its twin FParallel, which takes a
// context.Context first and returns F's results, plus an error when F's last
// result is not one. The twin's documentation links to this package for what
// it promises; in short, it returns what F returns (values, order, the first
// error, float bits), and eager code (prints, writes) runs in F's order with
// F's values. What it cannot promise: delayed calls run ahead of eager code,
// so a call that F would never make (after an early return, a break or an
// error) may start before the twin knows; it is cancelled and its result
// dropped, which is invisible only because delayed functions are pure.
//
// A twin is F's own code with its delayed values lifted: a variable that
// holds the result of a delayed call becomes a runtime.Delayed; operators,
// conversions, field, index and slice expressions and composite literals on
// delayed values become small tasks; accumulators (append, op=, m[k] =)
// become chains of tasks that combine their pieces in sequential order, so
// that a floating-point sum is bit-identical. Control flow stays eager. Where
// eager code needs a delayed value, the twin waits for it (a barrier). The
// error idiom after a delayed call returns what F's if statement returns,
// for the call F would have failed at first. Code that could make the twin
// differ from F is refused with a diagnostic, and then nothing is written.
//
// A loop that waits in its body is pipelined (analyzer, "Pipelined loops"):
// the twin ranges over twinimpl.Pipeline, whose producer runs F's header and
// each iteration's issue part ahead, in a goroutine, starting the delayed
// calls of up to a window of iterations; the range body is F's loop body,
// which runs in F's order and waits only for its own iteration's values, so
// prints, stores, counts, breaks and returns happen as in F. Leaving the loop
// cancels what was issued ahead.
//
// When F's first parameter is a context.Context, the twin takes no second
// one: F's context is the twin's, and its delayed calls run with it. A
// generic delayed function gets a wrapper per instantiation that a twin
// calls.
package rewrite
