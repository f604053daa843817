package analyzer

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// candidates reports loops outside parallel regions whose iterations call
// delayed functions and would make a clean parallel loop: no barrier inside,
// nothing mutated or unsupported. The fix adds //daskgen:parallel above them.
func (p *pass) candidates(ins *inspector.Inspector, regions []*Region) {
	covered := func(n ast.Node) bool {
		for _, r := range regions {
			var span ast.Node = r.Func.Body
			if r.Loop != nil {
				span = r.Loop
			}
			if span.Pos() <= n.Pos() && n.End() <= span.End() {
				return true
			}
		}
		return false
	}
	// Outermost loops first: a loop inside a candidate is not one itself.
	var taken []ast.Node
	for c := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		n := c.Node()
		if _, ok := n.(*ast.FuncDecl); ok {
			continue
		}
		if covered(n) || ast.IsGenerated(p.fileOf(n)) {
			continue
		}
		inside := false
		for _, t := range taken {
			if t.Pos() <= n.Pos() && n.End() <= t.End() {
				inside = true
			}
		}
		if inside {
			continue
		}
		var encl *ast.FuncDecl
		for e := range c.Enclosing((*ast.FuncDecl)(nil)) {
			encl = e.Node().(*ast.FuncDecl)
			break
		}
		if encl == nil || encl.Body == nil {
			continue
		}
		obj, _ := p.TypesInfo.Defs[encl.Name].(*types.Func)
		r := &Region{Func: encl, Obj: obj, Loop: n.(ast.Stmt)}
		if !p.analyzeRegion(r, false) {
			continue
		}
		clean := true
		for _, b := range r.Barriers {
			if b.InLoop && !b.Pipelined || b.Return {
				clean = false // a wait that holds up other iterations
			}
		}
		if !clean || !callsInIterations(r) || p.benchmarkLoop(n) {
			continue
		}
		taken = append(taken, n)
		start := n.Pos()
		if ls, ok := c.Parent().Node().(*ast.LabeledStmt); ok {
			start = ls.Pos()
		}
		indent := strings.Repeat("\t", p.Fset.Position(start).Column-1)
		p.Report(analysis.Diagnostic{
			Pos:      start,
			Category: CatCandidate,
			Message:  "the iterations of this loop call delayed function " + r.Calls[0].Func.Name() + " independently; mark it //daskgen:parallel to run them in parallel",
			SuggestedFixes: []analysis.SuggestedFix{{
				Message:   "Mark the loop //daskgen:parallel",
				TextEdits: []analysis.TextEdit{{Pos: start, End: start, NewText: []byte("//daskgen:parallel\n" + indent)}},
			}},
		})
	}
}

// fileOf returns the file that contains n.
func (p *pass) fileOf(n ast.Node) *ast.File {
	for _, f := range p.Files {
		if f.FileStart <= n.Pos() && n.Pos() < f.FileEnd {
			return f
		}
	}
	return nil
}

// callsInIterations reports whether a delayed call of r runs in every
// iteration of its loop, not once in the loop's header.
func callsInIterations(r *Region) bool {
	var body *ast.BlockStmt
	switch l := r.Loop.(type) {
	case *ast.ForStmt:
		body = l.Body
	case *ast.RangeStmt:
		body = l.Body
	}
	for _, c := range r.Calls {
		if body.Pos() <= c.Expr.Pos() && c.Expr.End() <= body.End() {
			return true
		}
	}
	return false
}

// benchmarkLoop reports whether a loop is a benchmark's timing loop (its
// condition reads b.N or calls b.Loop() of a *testing.B): running its
// iterations at once would defeat what it measures.
func (p *pass) benchmarkLoop(n ast.Node) bool {
	loop, ok := n.(*ast.ForStmt)
	if !ok || loop.Cond == nil {
		return false
	}
	found := false
	ast.Inspect(loop.Cond, func(m ast.Node) bool {
		if sel, ok := m.(*ast.SelectorExpr); ok && (sel.Sel.Name == "N" || sel.Sel.Name == "Loop") {
			if t := p.TypesInfo.TypeOf(sel.X); t != nil && t.String() == "*testing.B" {
				found = true
			}
		}
		return !found
	})
	return found
}
