// Package rewrite writes the parallel twins of functions that the daskgen
// analyzer has checked, as Go source, with jennifer.
//
// For each source file that declares a //daskgen:delayed function or a
// //daskgen:parallel function or loop, Generate writes <file>_daskgen.go next
// to it. It holds, for each delayed function f, the wrapper fDelayed (and
// fDelayedErr when f returns an error), whose calls add tasks to a graph, and
// for each parallel function F its twin FParallel, which takes a
// context.Context first and returns F's results, plus an error when F's last
// result is not one.
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
package rewrite
