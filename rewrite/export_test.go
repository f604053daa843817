package rewrite

// FromRewriter reports whether the rewriter refused d itself, rather than
// the analyzer: the plan allowed what the rewriter could not write.
func FromRewriter(d Diagnostic) bool { return d.fromRewriter }

// SetMangle makes Generate pass every generated file, with its path,
// through f before it checks it, standing for a bug of the rewriter; nil
// restores it.
func SetMangle(f func(path string, src []byte) []byte) {
	if f == nil {
		mangle.Store(nil)
		return
	}
	mangle.Store(&f)
}
