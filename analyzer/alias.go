package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// AliasFact records which of a function's parameters (and its receiver)
// its results may share memory with: bytes.TrimSpace(b) returns a slice of
// b, (*bufio.Scanner).Bytes a view of the scanner's buffer, and
// append(s, x) may return s's own array. It is exported for every function
// whose results may, so that callers in other packages see it.
type AliasFact struct {
	Receiver bool
	Params   []int // 0-based, sorted
}

// AFact marks AliasFact as a fact.
func (*AliasFact) AFact() {}

// String returns the fact as tests match it, such as "aliases params 0".
func (f *AliasFact) String() string {
	var parts []string
	if f.Receiver {
		parts = append(parts, "receiver")
	}
	if len(f.Params) > 0 {
		var ps []string
		for _, p := range f.Params {
			ps = append(ps, strconv.Itoa(p))
		}
		parts = append(parts, "params "+strings.Join(ps, " "))
	}
	return "aliases " + strings.Join(parts, "; ")
}

// aliasSources returns the variables whose memory the value of e may
// share: what it is a part, slice or view of. A value without references
// (an int, a string, an array of them) shares nothing. Fresh memory (a
// composite literal of no references, make, new, a full slice expression
// of capacity 0 appended to) shares nothing either.
func (p *pass) aliasSources(e ast.Expr, out map[*types.Var]bool) {
	info := p.TypesInfo
	if t := info.TypeOf(e); t == nil || !hasRefs(t, map[types.Type]bool{}) {
		return
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		if v := rootVar(info, x); v != nil {
			out[v] = true
		}
	case *ast.SliceExpr:
		p.aliasSources(x.X, out)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			if _, lit := ast.Unparen(x.X).(*ast.CompositeLit); lit {
				p.aliasSources(x.X, out)
				return
			}
			if v := rootVar(info, x.X); v != nil {
				out[v] = true
			}
		}
	case *ast.CompositeLit:
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			p.aliasSources(el, out)
		}
	case *ast.CallExpr:
		p.callAliases(x, out)
	}
}

// full reports whether e is a slice with no spare capacity, written so:
// s[:0:0], s[i:j:j], s[:len(s):len(s)]. Appending to it allocates, so the
// result shares nothing with s.
func (p *pass) full(e ast.Expr) bool {
	x, ok := ast.Unparen(e).(*ast.SliceExpr)
	if !ok || !x.Slice3 || x.Max == nil {
		return false
	}
	if tv, ok := p.TypesInfo.Types[x.Max]; ok && tv.Value != nil && tv.Value.String() == "0" {
		return true
	}
	return x.High != nil && types.ExprString(x.High) == types.ExprString(x.Max) && !hasCall(x.High)
}

func hasCall(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, isID := ast.Unparen(c.Fun).(*ast.Ident); !isID || id.Name != "len" {
				found = true
			}
		}
		return !found
	})
	return found
}

// callAliases adds what a call's result may share.
func (p *pass) callAliases(call *ast.CallExpr, out map[*types.Var]bool) {
	info := p.TypesInfo
	if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
		// A conversion: string to []byte copies; []T to a named []T does not.
		if len(call.Args) == 1 {
			if at := info.TypeOf(call.Args[0]); at != nil && hasRefs(at, map[types.Type]bool{}) {
				p.aliasSources(call.Args[0], out)
			}
		}
		return
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			if b.Name() == "append" && len(call.Args) > 0 && !p.full(call.Args[0]) {
				p.aliasSources(call.Args[0], out)
			}
			return
		}
	}
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		// A function value: its results may share any argument.
		for _, a := range call.Args {
			p.aliasSources(a, out)
		}
		return
	}
	if _, f := p.delayedFact(call); f != nil {
		return // a task's result: the region's own analysis
	}
	fact := p.aliasesOf(fn.Origin())
	if fact == nil {
		return
	}
	if fact.Receiver {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && info.Selections[sel] != nil {
			p.aliasSources(sel.X, out)
			if v := rootVar(info, sel.X); v != nil && !hasRefs(v.Type(), map[types.Type]bool{}) {
				// A method of an addressable value (sc.Bytes() on a
				// bufio.Scanner held by value) views that value.
				out[v] = true
			}
		}
	}
	sig := fn.Type().(*types.Signature)
	for _, i := range fact.Params {
		for j, a := range call.Args {
			if j == i || (i == sig.Params().Len()-1 && j > i && sig.Variadic()) {
				p.aliasSources(a, out)
			}
		}
	}
}

// aliasesOf returns which parameters fn's results may share memory with.
func (p *pass) aliasesOf(fn *types.Func) *AliasFact {
	if fn.Pkg() == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	if !resultsHaveRefs(sig) {
		return nil
	}
	if sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		// No body to read: a method of an interface may return a view of
		// whatever implements it, or of what it is given.
		f := &AliasFact{Receiver: true}
		for i := 0; i < sig.Params().Len(); i++ {
			if hasRefs(sig.Params().At(i).Type(), map[types.Type]bool{}) {
				f.Params = append(f.Params, i)
			}
		}
		return f
	}
	if fn.Pkg() == p.Pkg {
		return p.aliases[fn]
	}
	if p.isStd(fn.Pkg()) && !p.isStd(p.Pkg) && !deriving {
		return stdAliases(fn)
	}
	var f AliasFact
	if p.ImportObjectFact(fn, &f) {
		return &f
	}
	return nil
}

func resultsHaveRefs(sig *types.Signature) bool {
	for i := 0; i < sig.Results().Len(); i++ {
		if hasRefs(sig.Results().At(i).Type(), map[types.Type]bool{}) {
			return true
		}
	}
	return false
}

// summarizeAliases computes, to a fixed point over the package's
// functions, which parameters each one's results may share, and exports
// the facts.
func (p *pass) summarizeAliases(decls []*ast.FuncDecl) {
	p.aliases = map[*types.Func]*AliasFact{}
	for round := 0; round < 10; round++ {
		changed := false
		for _, fd := range decls {
			obj, _ := p.TypesInfo.Defs[fd.Name].(*types.Func)
			if obj == nil || !resultsHaveRefs(obj.Type().(*types.Signature)) {
				continue
			}
			f := p.scanAliases(fd, obj)
			old := p.aliases[obj]
			if f != nil && (old == nil || old.Receiver != f.Receiver || !slices.Equal(old.Params, f.Params)) {
				p.aliases[obj] = f
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for obj, f := range p.aliases {
		p.ExportObjectFact(obj, f)
	}
}

// scanAliases finds what fd's results may share: the sources of its
// return statements' values (and of its named results), followed through
// its locals.
func (p *pass) scanAliases(fd *ast.FuncDecl, obj *types.Func) *AliasFact {
	if fd.Body == nil {
		return nil
	}
	sig := obj.Type().(*types.Signature)
	src := map[*types.Var]bool{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				p.aliasSources(r, src)
			}
		}
		return true
	})
	for i := 0; i < sig.Results().Len(); i++ {
		if r := sig.Results().At(i); r.Name() != "" && hasRefs(r.Type(), map[types.Type]bool{}) {
			src[r] = true
		}
	}
	all := p.aliasClosure(fd.Body, src)
	f := &AliasFact{}
	if sig.Recv() != nil && all[sig.Recv()] {
		f.Receiver = true
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if all[sig.Params().At(i)] {
			f.Params = append(f.Params, i)
		}
	}
	if !f.Receiver && len(f.Params) == 0 {
		return nil
	}
	return f
}

// aliasClosure extends vars with every variable whose memory they may
// share through assignments in body (v := append(u, x), v = u[i:],
// line := sc.Bytes()), to a fixed point.
func (p *pass) aliasClosure(body ast.Node, vars map[*types.Var]bool) map[*types.Var]bool {
	info := p.TypesInfo
	type edge struct {
		to  *types.Var
		rhs ast.Expr
	}
	var edges []edge
	add := func(lhs, rhs ast.Expr) {
		if v := rootVar(info, lhs); v != nil && rhs != nil {
			edges = append(edges, edge{v, rhs})
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					add(n.Lhs[i], n.Rhs[i])
				}
			} else if len(n.Rhs) == 1 {
				for _, l := range n.Lhs {
					add(l, n.Rhs[0])
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					add(name, n.Values[i])
				} else if len(n.Values) == 1 {
					add(name, n.Values[0])
				}
			}
		case *ast.RangeStmt:
			if n.Value != nil {
				add(n.Value, n.X)
			}
		}
		return true
	})
	out := map[*types.Var]bool{}
	for v := range vars {
		out[v] = true
	}
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			if !out[e.to] {
				continue
			}
			srcs := map[*types.Var]bool{}
			p.aliasSources(e.rhs, srcs)
			for s := range srcs {
				if !out[s] {
					out[s] = true
					changed = true
				}
			}
		}
	}
	return out
}

// stdAliases returns what a standard function's results share, from
// stdWrites.
func stdAliases(fn *types.Func) *AliasFact {
	s, ok := stdWrites[qualifiedName(fn)]
	if !ok {
		return nil
	}
	f := &AliasFact{}
	for _, part := range strings.Fields(s) {
		switch {
		case part == "ar":
			f.Receiver = true
		case strings.HasPrefix(part, "a"):
			if i, err := strconv.Atoi(part[1:]); err == nil {
				f.Params = append(f.Params, i)
			}
		}
	}
	if !f.Receiver && len(f.Params) == 0 {
		return nil
	}
	return f
}
