// Purity in pipelined loops: which calls the issue part may make ahead.

package analyzer

import (
	"fmt"
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
		if tp := typeParamRecv(info, c); tp != nil {
			ms, _ := p.s.p.constraintMethods(tp, fn.Name())
			for _, m := range ms {
				if !p.pureMethod(m) {
					return false
				}
			}
			return ms != nil
		}
		return p.pureMethod(fn)
	}
	return pureFunc(fn)
}

// impureCallWhy says why the issue part cannot make call c ahead: for a
// method called through a type parameter's constraint, which of the types
// it may stand for has a method that does more than compute, or why those
// types are not known.
func (p *pipe) impureCallWhy(c *ast.CallExpr) string {
	info := p.s.p.TypesInfo
	if tp := typeParamRecv(info, c); tp != nil {
		fn, _ := typeutil.Callee(info, c).(*types.Func)
		recv := types.ExprString(ast.Unparen(c.Fun).(*ast.SelectorExpr).X)
		ms, why := p.s.p.constraintMethods(tp, fn.Name())
		if ms == nil {
			return fmt.Sprintf("calls %s.%s through the constraint of type parameter %s, which daskgen cannot run ahead of the loop's eager code: %s", recv, fn.Name(), tp.Obj().Name(), why)
		}
		for _, m := range ms {
			if !p.pureMethod(m) {
				return fmt.Sprintf("calls %s.%s, which for %s is %s, a method that does more than compute", recv, fn.Name(), m.Type().(*types.Signature).Recv().Type(), m.FullName())
			}
		}
	}
	return "calls " + calleeName(info, c) + ", which daskgen cannot run ahead of the loop's eager code"
}

// typeParamRecv returns the type parameter that method call c calls a
// method of through its constraint (v.Key() where v's type is V), or nil.
func typeParamRecv(info *types.Info, c *ast.CallExpr) *types.TypeParam {
	sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	t := info.TypeOf(sel.X)
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	tp, _ := t.(*types.TypeParam)
	return tp
}

// constraintMethods returns the methods named name that a call through type
// parameter tp's constraint may run: those of every type tp may stand for.
// They are known when the constraint's type set is closed (a union of
// exact types, no ~T), or when the generic function that declares tp is
// unexported, so that its instantiations in the package (and its twin's)
// are all there are. Otherwise it returns nil and says why.
func (p *pass) constraintMethods(tp *types.TypeParam, name string) ([]*types.Func, string) {
	var tset []types.Type
	if terms, ok := closedTerms(tp); ok {
		tset = terms
	} else {
		fn := p.declaringFunc(tp)
		if fn == nil || fn.Exported() {
			return nil, fmt.Sprintf("%s's constraint does not say which types it stands for, and other packages may instantiate %s with types of their own", tp.Obj().Name(), genericName(fn))
		}
		twin, _ := p.Pkg.Scope().Lookup(fn.Name() + "Parallel").(*types.Func)
		for id, inst := range p.TypesInfo.Instances {
			if obj := p.TypesInfo.Uses[id]; obj != fn && (twin == nil || obj != twin) {
				continue
			}
			arg := inst.TypeArgs.At(tp.Index())
			if _, generic := arg.(*types.TypeParam); generic {
				return nil, fmt.Sprintf("%s instantiates %s with a type parameter of its own", p.Fset.Position(id.Pos()), genericName(fn))
			}
			tset = append(tset, arg)
		}
	}
	ms := []*types.Func{}
	for _, t := range tset {
		obj, _, _ := types.LookupFieldOrMethod(t, false, p.Pkg, name)
		m, ok := obj.(*types.Func)
		if !ok {
			return nil, fmt.Sprintf("%s has no method %s daskgen can see", t, name)
		}
		ms = append(ms, m)
	}
	return ms, ""
}

// closedTerms returns the types of tp's constraint when it is a union of
// exact types (code | label), whatever else the constraint says: a type
// that satisfies it is one of them.
func closedTerms(tp *types.TypeParam) ([]types.Type, bool) {
	iface, ok := tp.Constraint().Underlying().(*types.Interface)
	if !ok {
		return nil, false
	}
	for i := range iface.NumEmbeddeds() {
		u, ok := iface.EmbeddedType(i).(*types.Union)
		if !ok {
			continue
		}
		var ts []types.Type
		for j := range u.Len() {
			t := u.Term(j)
			if t.Tilde() {
				return nil, false
			}
			if _, isIface := t.Type().Underlying().(*types.Interface); isIface {
				return nil, false
			}
			ts = append(ts, t.Type())
		}
		return ts, true
	}
	return nil, false
}

// declaringFunc returns the generic function of the package that declares
// type parameter tp, or nil (a method's receiver type parameter, say).
func (p *pass) declaringFunc(tp *types.TypeParam) *types.Func {
	for _, f := range p.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Type.TypeParams == nil {
				continue
			}
			for _, field := range fd.Type.TypeParams.List {
				for _, n := range field.Names {
					if p.TypesInfo.Defs[n] == tp.Obj() {
						fn, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
						return fn
					}
				}
			}
		}
	}
	return nil
}

// genericName names generic function fn in a message.
func genericName(fn *types.Func) string {
	if fn == nil {
		return "the method"
	}
	return fn.Name()
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
