// The sync diagnostics of pipelined loops: why a loop stays serial, in
// words that say what to write instead.

package analyzer

import (
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"slices"
	"strings"
)

// firstWhy is the reason the first delayed call of the body cannot start
// ahead.
func (p *pipe) firstWhy() string {
	for _, call := range p.bodyCalls() {
		if why := p.callWhy(call); why != "" {
			return fmt.Sprintf("%s %s", nodeString(p.s.p.Fset, call), why)
		}
	}
	return "none of its delayed calls can start before the eager code of the iterations before it"
}

// bodyCalls lists the delayed calls of the loop's body, outside nested
// loops and function literals.
func (p *pipe) bodyCalls() []*ast.CallExpr {
	var out []*ast.CallExpr
	ast.Inspect(p.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.ForStmt, *ast.RangeStmt:
			return false
		case *ast.CallExpr:
			if p.s.calls[n] != nil {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

// callWhy says why call does not start ahead, or "" when it does.
func (p *pipe) callWhy(call *ast.CallExpr) string {
	for _, c := range p.cands {
		if c.stmt.Pos() <= call.Pos() && call.End() <= c.stmt.End() {
			if c.moved || slices.ContainsFunc(c.hoisted, func(h *ast.CallExpr) bool { return h.Pos() <= call.Pos() && call.End() <= h.End() }) {
				return ""
			}
			if why := c.callWhy[call]; why != "" {
				return why
			}
		}
	}
	// Not a statement that every iteration reaches.
	var path []ast.Node
	why := "is in code that F runs only in some iterations"
	ast.Inspect(p.body, func(n ast.Node) bool {
		if n == nil {
			path = path[:len(path)-1]
			return true
		}
		if n == ast.Node(call) {
			for i := len(path) - 1; i >= 0; i-- {
				switch x := path[i].(type) {
				case *ast.CaseClause:
					why = "is in a case of a switch"
					return false
				case *ast.BinaryExpr:
					if x.Op == token.LAND || x.Op == token.LOR {
						why = "is on the right of " + x.Op.String() + ", so F makes it only sometimes"
						return false
					}
				case *ast.IfStmt:
					if b := p.waitsIn(x.Cond); b != nil && !(x.Cond.Pos() <= call.Pos() && call.End() <= x.Cond.End()) {
						why = "is inside an if whose condition waits for " + b.What
						return false
					}
				case *ast.ReturnStmt:
					why = "is in a return statement"
					return false
				}
			}
			return false
		}
		path = append(path, n)
		return true
	})
	return why
}

// reportSerial reports the delayed calls of a pipelined loop's body that do
// not start ahead while the loop waits for them: each starts only when the
// eager part reaches it, so those iterations run one at a time.
func (p *pipe) reportSerial() {
	for _, call := range p.bodyCalls() {
		why := p.callWhy(call)
		if why == "" {
			continue
		}
		// The innermost statement around the call.
		var st ast.Stmt
		ast.Inspect(p.body, func(n ast.Node) bool {
			if n == nil || n.Pos() > call.Pos() || n.End() < call.End() {
				return n == nil
			}
			if s, ok := n.(ast.Stmt); ok {
				if _, block := s.(*ast.BlockStmt); !block {
					st = s
				}
			}
			return true
		})
		waited := false
		for _, b := range p.s.r.Barriers {
			if b.Return || !b.InLoop || st == nil {
				continue
			}
			if (st.Pos() <= b.Pos && b.Pos < st.End()) || (b.Var != nil && slices.Contains(p.assigns(st), b.Var)) {
				waited = true
			}
		}
		if !waited {
			continue
		}
		p.s.diag(call.Pos(), CatSync, "delayed call %s cannot start ahead of the loop's eager code, because it %s; the loop waits for it in each iteration, one at a time. Compute its arguments from the loop's own variables, or move that eager code into a delayed function",
			nodeString(p.s.p.Fset, call), why)
	}
}

// nodeString writes n as Go source.
func nodeString(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("%T", n)
	}
	return b.String()
}

// goVersionAt returns the Go version of the file at pos: what its build
// constraint or its module says, such as "go1.24".
func (p *pass) goVersionAt(pos token.Pos) string {
	for _, f := range p.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			if v := p.TypesInfo.FileVersions[f]; v != "" {
				return v
			}
		}
	}
	return p.Pkg.GoVersion()
}
