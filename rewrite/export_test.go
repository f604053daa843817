package rewrite

// FromRewriter reports whether the rewriter refused d itself, rather than
// the analyzer: the plan allowed what the rewriter could not write.
func FromRewriter(d Diagnostic) bool { return d.fromRewriter }
