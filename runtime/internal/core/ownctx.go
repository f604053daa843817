package core

import "context"

// OwnContext says that the twin's ctx is the sequential function's own
// context (F takes a context.Context first). F's code, not the runtime,
// decides what F's cancellation means: a cancelled ctx does not stop the
// twin's computes, and delayed functions that take a context get ctx
// itself (cancelled when it is, and when the runtime drops their task), so
// that they return what they return in F, which F's code then wraps as it
// does. Generated twins of such functions pass it to NewTwin.
func OwnContext() Option {
	return func(c *config) { c.ownContext = true }
}

// ownKey is the key of F's own context among the values of a twin's
// compute context.
type ownKey struct{}

// ownContext is the compute context of a twin whose ctx is F's own: it
// carries ctx's values and ctx itself, and is never cancelled by ctx.
func ownContext(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), ownKey{}, ctx)
}

// taskContext returns the context a delayed function that takes one is
// called with, given its task's context, and a function that releases it;
// stop is nil when the task's context is the one to use. For a twin with
// OwnContext it is F's own context, also cancelled when the task's is, with
// the task's values.
func taskContext(task context.Context) (ctx context.Context, stop func()) {
	own, _ := task.Value(ownKey{}).(context.Context)
	if own == nil {
		return task, nil
	}
	c, cancel := context.WithCancel(own)
	after := context.AfterFunc(task, cancel)
	return valuesOf{c, task}, func() {
		after()
		cancel()
	}
}

// valuesOf is a context with the deadline and cancellation of Context and
// the values of vals.
type valuesOf struct {
	context.Context
	vals context.Context
}

func (v valuesOf) Value(key any) any { return v.vals.Value(key) }

// ownDone reports whether the task's context carries F's own context and
// that one is done: a worker elsewhere would not see it cancelled, so such
// a task runs here, where it does.
func ownDone(task context.Context) bool {
	own, _ := task.Value(ownKey{}).(context.Context)
	return own != nil && own.Err() != nil
}
