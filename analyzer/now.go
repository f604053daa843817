package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
)

// Calls that run where they are called.
//
// A call whose result the eager code waits for before it issues any other
// delayed call gains nothing from being a task: nothing can run beside it
// that would not run beside the wait, and the wait runs the call in place
// anyway (runtime/internal/core/inplace.go). A loop that cannot run ahead,
// such as one that pages through an API with the cursor the last call
// returned, is made of such calls; as tasks, each costs a node, its
// projections, the sums on it and a closure for its error, which made
// such twins 1.4 times slower than F. Such a call is marked Call.Now: the
// twin runs it at once when its arguments are known, and gets a plain value,
// so that what follows it is plain too.
//
// The rule, on the statement list that holds the call's assignment: every
// statement after it, up to the one that waits for one of the call's
// results where that statement always evaluates it, issues no delayed
// call, leaves nothing by a branch (break, continue, goto), starts no loop,
// goroutine, select or deferred call, and assigns none of the results.
// Reaching the end of the list first (a loop's next iteration would issue
// its call beside this one), or any of those, keeps the call a task.

// nowCalls sets Call.Now and Call.NowAt for the region's calls that run
// where they are called.
func (s *rs) nowCalls() {
	if s.bad {
		return
	}
	ahead := func(pos token.Pos) bool {
		for _, pl := range s.r.Pipelines {
			if pl.Loop.Pos() <= pos && pos < pl.Loop.End() {
				return true
			}
		}
		u := s.r.Unordered
		return u != nil && u.Loop.Pos() <= pos && pos < u.Loop.End()
	}
	var path []ast.Node
	ast.Inspect(s.body, func(n ast.Node) bool {
		if n == nil {
			path = path[:len(path)-1]
			return true
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false // a closure's calls run when it is called
		}
		if ce, ok := n.(*ast.CallExpr); ok {
			if c := s.calls[ce]; c != nil && !ahead(ce.Pos()) {
				c.NowAt = s.awaitedNext(c, path)
				c.Now = c.NowAt.IsValid()
			}
		}
		path = append(path, n)
		return true
	})
}

// awaitedNext returns where the eager code after call c, whose enclosing
// nodes are path, first waits for one of c's results, when it waits there
// before it issues another call (see nowCalls), or token.NoPos.
func (s *rs) awaitedNext(c *Call, path []ast.Node) token.Pos {
	results := map[*types.Var]bool{}
	for _, v := range c.Results {
		if v != nil {
			results[v] = true
		}
	}
	if len(results) == 0 || len(path) < 2 {
		return token.NoPos
	}
	// The call is the right side of an assignment or a declaration that is
	// a statement of a list.
	k := len(path) - 1
	switch par := path[k].(type) {
	case *ast.AssignStmt:
		if !slices.ContainsFunc(par.Rhs, func(e ast.Expr) bool { return ast.Unparen(e) == c.Expr }) {
			return token.NoPos
		}
	case *ast.ValueSpec:
		if k < 2 {
			return token.NoPos
		}
		k -= 2 // the spec, then its GenDecl, then the DeclStmt
	default:
		return token.NoPos
	}
	stmt, ok := path[k].(ast.Stmt)
	if !ok || k == 0 {
		return token.NoPos
	}
	list := stmtList(path[k-1])
	at := slices.Index(list, stmt)
	if at < 0 || s.otherCall(stmt, c.Expr) {
		return token.NoPos
	}
	waits := func(t ast.Stmt) token.Pos {
		for _, b := range s.r.Barriers {
			if b.Var != nil && results[b.Var] && !b.Pipelined && alwaysEvaluated(t, b.Pos) {
				return b.Pos
			}
		}
		return token.NoPos
	}
	for _, t := range list[at+1:] {
		if s.otherCall(t, nil) {
			return token.NoPos
		}
		if at := waits(t); at.IsValid() {
			return at
		}
		if s.leavesOrAssigns(t, results) {
			return token.NoPos
		}
		s.derived(t, results)
	}
	// The end of a for loop's body: its post statement, then its condition.
	if k >= 2 {
		if f, ok := path[k-2].(*ast.ForStmt); ok && f.Body == path[k-1] && f.Cond != nil {
			if f.Post != nil {
				if s.otherCall(f.Post, nil) || s.leavesOrAssigns(f.Post, results) {
					return token.NoPos
				}
				s.derived(f.Post, results)
			}
			for _, b := range s.r.Barriers {
				if b.Var != nil && results[b.Var] && !b.Pipelined && alwaysEvaluated(&ast.ExprStmt{X: f.Cond}, b.Pos) {
					return b.Pos
				}
			}
		}
	}
	return token.NoPos
}

// derived adds to vars the variables that statement t, an assignment,
// computes from them (cursor = next): a wait for one needs the call too.
func (s *rs) derived(t ast.Stmt, vars map[*types.Var]bool) {
	as, ok := t.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != len(as.Rhs) {
		return
	}
	for k, rhs := range as.Rhs {
		reads := false
		ast.Inspect(rhs, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, _ := s.p.TypesInfo.Uses[id].(*types.Var); v != nil && vars[v] {
					reads = true
				}
			}
			return !reads
		})
		if v := s.identVar(as.Lhs[k]); reads && v != nil {
			vars[v] = true
		}
	}
}

// stmtList returns the statements of a block or a case, or nil.
func stmtList(n ast.Node) []ast.Stmt {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List
	case *ast.CaseClause:
		return n.Body
	case *ast.CommClause:
		return n.Body
	}
	return nil
}

// otherCall reports whether n makes a delayed call other than except.
func (s *rs) otherCall(n ast.Node, except *ast.CallExpr) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if ce, ok := n.(*ast.CallExpr); ok && ce != except && s.calls[ce] != nil {
			found = true
		}
		return !found
	})
	return found
}

// leavesOrAssigns reports whether statement t may leave the statement list
// other than by a return (a branch), starts a loop, a goroutine, a select or
// a deferred call, or assigns or takes the address of one of results.
func (s *rs) leavesOrAssigns(t ast.Stmt, results map[*types.Var]bool) bool {
	found := false
	hit := func(e ast.Expr) {
		if v := s.identVar(e); v != nil && results[v] {
			found = true
		}
	}
	ast.Inspect(t, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BranchStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SelectStmt, *ast.GoStmt, *ast.DeferStmt, *ast.LabeledStmt:
			found = true
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				hit(l)
			}
		case *ast.IncDecStmt:
			hit(n.X)
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				hit(n.X)
			}
		}
		return !found
	})
	return found
}

// alwaysEvaluated reports whether statement t evaluates pos whenever it
// runs: pos is in t itself, not in a nested block, a closure or the right
// operand of && or ||; for an if, a switch or a loop, in its header.
func alwaysEvaluated(t ast.Stmt, pos token.Pos) bool {
	var parts []ast.Node
	switch t := t.(type) {
	case *ast.AssignStmt, *ast.ExprStmt, *ast.IncDecStmt, *ast.ReturnStmt, *ast.DeclStmt, *ast.SendStmt:
		parts = []ast.Node{t}
	case *ast.IfStmt:
		parts = []ast.Node{t.Init, t.Cond}
	case *ast.SwitchStmt:
		parts = []ast.Node{t.Init, t.Tag}
	case *ast.TypeSwitchStmt:
		parts = []ast.Node{t.Init, t.Assign}
	case *ast.ForStmt:
		parts = []ast.Node{t.Init, t.Cond}
	case *ast.RangeStmt:
		parts = []ast.Node{t.X}
	}
	for _, p := range parts {
		if p == nil || pos < p.Pos() || pos >= p.End() {
			continue
		}
		cond := false
		ast.Inspect(p, func(n ast.Node) bool {
			if n == nil || cond || pos < n.Pos() || pos >= n.End() {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				cond = true
			case *ast.BinaryExpr:
				if (n.Op == token.LAND || n.Op == token.LOR) && pos >= n.Y.Pos() {
					cond = true
				}
			}
			return true
		})
		return !cond
	}
	return false
}
