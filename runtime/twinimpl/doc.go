// Package twinimpl is what the parallel twins that daskgen generates call,
// the way protobuf's generated code calls protoimpl: it is not for calling
// by hand, and it may change with every release of daskgen, together with
// the generator. Users call package runtime, whose Delayed values and
// delayed functions the twins share.
//
// The parallel twins that the daskgen command writes use [Twin]: it tracks
// the tasks a twin adds, registers its error idioms with [Twin.CheckAt], and
// computes at each barrier ([Twin.Wait]) and where the twin returns
// ([Twin.Finish]), reporting the failure the sequential function would have
// met first; [Await] is Wait for one value. [Pipeline], [Producer], [Step],
// [Issue] and [Twin.Adopt] run a pipelined loop: the loop's issue part ahead
// in a producer, its eager part in F's order. [PipelineIndex] runs the issue
// parts of a loop over a slice, an array or an integer in several producers
// at once, and, when the loop's eager parts commute (out[i] = f(x)), their
// eager parts too. [IssueInto1] and [Issue1] (and the other arities')
// issue a call, or run it at once in the producer when it costs less than
// its task would; [Slots] says whether the producers may reuse an
// iteration's memory. [Unordered] and
// [Worklist] run the unordered loops, in their natural shape and with a
// queue of delayed pieces. [Tuple2] to [Tuple6] hold
// the results of delayed functions with several results, [Error] an error
// among them, and [Project] takes one out (at once, when the value is
// known).
package twinimpl
