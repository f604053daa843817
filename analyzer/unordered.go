package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
)

// Unordered is a worklist loop marked //daskgen:parallel unordered in its
// natural shape:
//
//	for len(queue) > 0 {
//		u := queue[0]             // the issue part: pop, and the delayed calls
//		queue = queue[1:]
//		page := download(u)
//		for _, l := range links(page) { // the eager part: waits, pushes
//			if !seen[l] {
//				seen[l] = true
//				queue = append(queue, l)
//			}
//		}
//	}
//
// The twin runs the issue part for every item in the queue at once, and the
// eager part of each iteration as its calls complete (Dask's as_completed
// with add), so every download it knows of runs at the same time.
type Unordered struct {
	Loop *ast.ForStmt
	// Issue is the issue part: the body's first statements, up to the last
	// one before the first wait; they make at least one delayed call.
	Issue []ast.Stmt
	// Vars are the variables the issue part defines that the eager part
	// reads, by position.
	Vars []*types.Var
}

// unordered plans the region's unordered loop in its natural shape, when it
// has that shape and no worklist of delayed pieces (see worklist).
func (s *rs) unordered() {
	loop, ok := s.r.Loop.(*ast.ForStmt)
	if !ok || !s.r.Directive.Unordered || len(s.work) > 0 || loop.Cond == nil || loop.Init != nil || loop.Post != nil {
		return
	}
	var issue []ast.Stmt
	calls := false
	for _, st := range loop.Body.List {
		if s.waitsIn(st) {
			break
		}
		issue = append(issue, st)
		ast.Inspect(st, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && s.calls[c] != nil {
				calls = true
			}
			return true
		})
	}
	if !calls || len(issue) == len(loop.Body.List) {
		return // nothing waits: the loop runs as a graph already
	}
	for _, st := range issue {
		if pos := s.leaves(st); pos.IsValid() {
			s.diag(pos, CatUnsupported, "this statement leaves the unordered loop before the iteration's delayed calls are made; with unordered, only continue may come before them: move it after the first use of a delayed value")
			return
		}
	}
	u := &Unordered{Loop: loop, Issue: issue}
	end := issue[len(issue)-1].End()
	seen := map[*types.Var]bool{}
	ast.Inspect(loop.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || id.Pos() < end {
			return true
		}
		v, ok := s.p.TypesInfo.Uses[id].(*types.Var)
		if ok && !seen[v] && loop.Body.Pos() <= v.Pos() && v.Pos() < end {
			seen[v] = true
			u.Vars = append(u.Vars, v)
		}
		return true
	})
	slices.SortFunc(u.Vars, func(a, b *types.Var) int { return int(a.Pos() - b.Pos()) })
	s.r.Unordered = u
	for _, b := range s.r.Barriers {
		if b.InLoop && loop.Body.Pos() <= b.Pos && b.Pos < loop.End() {
			b.Pipelined = true // in completion order, not one at a time
		}
	}
}

// waitsIn reports whether eager code in n waits for a delayed value.
func (s *rs) waitsIn(n ast.Node) bool {
	for _, b := range s.r.Barriers {
		if !b.Return && n.Pos() <= b.Pos && b.Pos < n.End() {
			return true
		}
	}
	return false
}

// leaves returns the position of a break, goto or return in st that leaves
// the loop, but for the returns of error idioms.
func (s *rs) leaves(st ast.Stmt) token.Pos {
	return s.exitIn(st, true, true, func(*ast.Ident) bool { return false })
}

// exitIn returns the position of a statement in n that leaves the loop n is
// in: a break of that loop, a goto, a branch to a label that inside does not
// report as inside it, and with returns, a return (but an error idiom's,
// with skipIdioms).
func (s *rs) exitIn(n ast.Node, returns, skipIdioms bool, inside func(*ast.Ident) bool) token.Pos {
	var pos token.Pos
	depth := 0 // nested loops, switches and selects, where a plain break is theirs
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if pos.IsValid() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.IfStmt:
			if skipIdioms && s.idioms[n] {
				return false
			}
		case *ast.ReturnStmt:
			if returns {
				pos = n.Pos()
			}
		case *ast.BranchStmt:
			switch {
			case n.Tok == token.GOTO:
				pos = n.Pos()
			case n.Label != nil:
				if !inside(n.Label) {
					pos = n.Pos()
				}
			case n.Tok == token.BREAK && depth == 0:
				pos = n.Pos()
			}
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			depth++
			ast.Inspect(n, func(m ast.Node) bool {
				if m == n {
					return true
				}
				return visit(m)
			})
			depth--
			return false
		}
		return true
	}
	ast.Inspect(n, visit)
	return pos
}
