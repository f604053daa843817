// Purity in pipelined loops: which calls the issue part may make ahead.

package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
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
	if p.s.p.pure[fn.Origin()] {
		return true // a function of the package that computes and nothing else
	}
	if fn.Type().(*types.Signature).Recv() != nil {
		return p.pureMethod(fn)
	}
	return pureFunc(fn)
}

// summarizePure finds the package's functions and methods that only
// compute: they write nothing but their locals (their write summary is
// empty), read no package variable that anything may change, receive,
// send, start or select nothing, and call only builtins that compute,
// conversions, the standard functions pureFunc and pureMethod list, and
// each other. The issue part of a pipelined loop may run them ahead, like
// strings.TrimSpace: owner, repo := split(u) before fetch(owner, repo).
func (p *pass) summarizePure(ins *inspector.Inspector) {
	frozen := p.frozenVars()
	decls := map[*types.Func]*ast.FuncDecl{}
	p.pure = map[*types.Func]bool{}
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		obj, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
		if fd.Body == nil || obj == nil || p.writes[obj] != nil {
			continue
		}
		decls[obj] = fd
		p.pure[obj] = true
	}
	for changed := true; changed; {
		changed = false
		for obj, fd := range decls {
			if p.pure[obj] && !p.pureBody(fd.Body, frozen) {
				delete(p.pure, obj)
				changed = true
			}
		}
	}
}

// pureBody reports whether body only computes, given the package's pure
// functions so far (summarizePure).
func (p *pass) pureBody(body *ast.BlockStmt, frozen map[*types.Var]bool) bool {
	info := p.TypesInfo
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt, *ast.SelectStmt, *ast.SendStmt:
			ok = false
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		case *ast.RangeStmt:
			if _, ch := under(info.TypeOf(n.X)).(*types.Chan); ch {
				ok = false
			}
		case *ast.Ident:
			if v, isVar := info.Uses[n].(*types.Var); isVar && isGlobal(v) && !frozen[v] {
				ok = false
			}
		case *ast.CallExpr:
			if tv := info.Types[n.Fun]; tv.IsType() {
				return true
			}
			switch fn := typeutil.Callee(info, n).(type) {
			case *types.Builtin:
				switch fn.Name() {
				case "print", "println", "close":
					ok = false
				}
			case *types.Func:
				switch {
				case fn.Pkg() == p.Pkg:
					ok = ok && p.pure[fn.Origin()]
				case fn.Type().(*types.Signature).Recv() != nil:
					ok = ok && stdPureMethod(fn)
				default:
					ok = ok && pureFunc(fn)
				}
			default:
				ok = false // a function value: whatever it does
			}
		}
		return ok
	})
	return ok
}

// frozenVars returns the package's unexported variables that no function
// of the package changes: none assigns them or through them, takes their
// address, or writes them according to its write summary. Only their
// initializers set them, before any function runs.
func (p *pass) frozenVars() map[*types.Var]bool {
	frozen := map[*types.Var]bool{}
	for _, obj := range p.TypesInfo.Defs {
		if v, ok := obj.(*types.Var); ok && isGlobal(v) && !v.Exported() {
			frozen[v] = true
		}
	}
	written := map[string]bool{}
	for _, s := range p.writes {
		for g := range s.globals {
			written[g] = true
		}
	}
	for v := range frozen {
		if written[v.Pkg().Name()+"."+v.Name()] {
			delete(frozen, v)
		}
	}
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			var targets []ast.Expr
			switch n := n.(type) {
			case *ast.AssignStmt:
				targets = n.Lhs
			case *ast.IncDecStmt:
				targets = []ast.Expr{n.X}
			case *ast.RangeStmt:
				if n.Tok == token.ASSIGN {
					targets = []ast.Expr{n.Key, n.Value}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					targets = []ast.Expr{n.X}
				}
			}
			for _, e := range targets {
				if e == nil {
					continue
				}
				if v := rootVar(p.TypesInfo, e); v != nil {
					delete(frozen, v)
				}
			}
			return true
		})
	}
	return frozen
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
// of values of the standard library's immutable types, and the package's
// own methods that only compute (summarizePure).
func (p *pipe) pureMethod(fn *types.Func) bool {
	return p.s.p.pure[fn.Origin()] || stdPureMethod(fn)
}

// stdPureMethod reports whether a method of another package only reads its
// receiver: the methods of values of the standard library's immutable
// types.
func stdPureMethod(fn *types.Func) bool {
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
