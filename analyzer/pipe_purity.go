// Purity in pipelined loops: which calls the issue part may make ahead.

package analyzer

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// pureCall reports whether c calls a function that touches nothing but its
// arguments, so that the issue part may run it ahead: builtins that read,
// conversions, and a list of standard library functions.
func (p *pipe) pureCall(c *ast.CallExpr) bool {
	info := p.s.p.TypesInfo
	if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "len", "cap", "min", "max", "complex", "real", "imag", "new", "make":
				return true
			case "append":
				// To a slice with no spare capacity: new memory.
				return len(c.Args) > 0 && p.s.p.full(c.Args[0])
			}
			return false
		}
	}
	if tv := info.Types[c.Fun]; tv.IsType() {
		return true
	}
	fn, _ := typeutil.Callee(info, c).(*types.Func)
	if fn == nil {
		return false
	}
	if fn.Type().(*types.Signature).Recv() != nil {
		return p.pureMethod(fn)
	}
	return pureFunc(fn)
}

// pureFunc lists the standard library's functions that the issue part may
// run ahead.
func pureFunc(fn *types.Func) bool {
	if fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "strings", "bytes":
		return !strings.HasPrefix(fn.Name(), "New")
	case "strconv", "unicode", "unicode/utf8", "unicode/utf16", "math", "math/bits", "path", "net/url",
		"encoding/hex", "encoding/base64", "html", "slices", "maps", "cmp":
		switch fn.Name() {
		case "Sort", "SortFunc", "SortStableFunc", "Reverse", "Delete", "DeleteFunc", "Insert", "Replace", "Copy", "DeleteFunc2", "Compact", "CompactFunc", "Grow", "Clip":
			return false
		}
		return true
	case "path/filepath":
		switch fn.Name() {
		case "Join", "Base", "Dir", "Ext", "Clean", "Rel", "Split", "IsAbs", "ToSlash", "FromSlash", "SplitList", "Match", "IsLocal", "VolumeName":
			return true
		}
	case "fmt":
		switch fn.Name() {
		case "Sprint", "Sprintf", "Sprintln", "Errorf", "Append", "Appendf", "Appendln":
			return true
		}
	case "context":
		return fn.Name() == "Background" || fn.Name() == "TODO"
	case "errors":
		return fn.Name() == "New" || fn.Name() == "Is" || fn.Name() == "As" || fn.Name() == "Unwrap" || fn.Name() == "Join"
	case "time":
		switch fn.Name() {
		case "Duration", "Unix", "UnixMilli", "Date", "Parse", "ParseDuration":
			return true
		}
	}
	return false
}

// pureMethod reports whether a method only reads its receiver: the methods
// of values of the standard library's immutable types.
func (p *pipe) pureMethod(fn *types.Func) bool {
	recv := fn.Type().(*types.Signature).Recv().Type()
	if ptr, ok := recv.(*types.Pointer); ok {
		recv = ptr.Elem()
	}
	named, ok := recv.(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case "time.Time", "time.Duration", "net/url.URL", "net/url.Values", "regexp.Regexp", "math/big.Int", "strings.Replacer":
		return !strings.HasPrefix(fn.Name(), "Set") && !strings.HasPrefix(fn.Name(), "Unmarshal") && fn.Name() != "Add" && fn.Name() != "Del" && fn.Name() != "Longest"
	}
	if fn.Name() == "Error" || fn.Name() == "String" {
		return true // by convention, they describe their receiver
	}
	return false
}
