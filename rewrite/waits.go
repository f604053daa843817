package rewrite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
)

// One wait per value per block. The statements of a twin are written one at
// a time, and each writes the waits it needs, so a value read twice in a
// block (the condition of an if, then the body) is waited for twice. The
// second wait cannot fail, since the first returned, and it costs a
// reader's attention. oneWaitPerValue removes, from the text of a twin, a
// wait
//
//	if i, err := twinimpl.Await(tw, d); err != nil {
//		return fail(i, err)
//	}
//
// for a value d that a wait earlier in the same block, or in a block around
// it, already waited for, when nothing in between assigns d (or what d is a
// field of). A loop's body forgets what it assigns anywhere in the loop,
// since its next iteration starts after those assignments, and a function
// literal's body starts knowing nothing.

// oneWaitPerValue returns the twin's text without its repeated waits. The
// text is Go with the placeholders of qual; each becomes an identifier of
// its own length, so that the parse's offsets are the text's.
func oneWaitPerValue(text string) string {
	const head = "package p\n"
	src := []byte(head + text)
	await := rtName("Await")
	for i := 0; i < len(src); {
		j := strings.IndexByte(string(src[i:]), qOpen[0])
		if j < 0 {
			break
		}
		start := i + j
		k := strings.IndexByte(string(src[start+1:]), qOpen[0])
		if k < 0 {
			return text
		}
		end := start + 1 + k + 1
		for n := start; n < end; n++ {
			src[n] = 'Q'
		}
		i = end
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return text // not for this pass to say: the twin is type-checked later
	}
	full := head + text
	isAwait := func(e ast.Expr) bool {
		return full[fset.Position(e.Pos()).Offset:fset.Position(e.End()).Offset] == await
	}
	w := &waitPass{isAwait: isAwait}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			w.stmts(fd.Body.List, map[string]bool{})
		}
	}
	if len(w.drop) == 0 {
		return text
	}
	sort.Slice(w.drop, func(a, b int) bool { return w.drop[a].Pos() > w.drop[b].Pos() })
	out := full
	for _, s := range w.drop {
		from, to := fset.Position(s.Pos()).Offset, fset.Position(s.End()).Offset
		for from > 0 && (out[from-1] == '\t' || out[from-1] == ' ') {
			from--
		}
		if to < len(out) && out[to] == '\n' {
			to++
		}
		out = out[:from] + out[to:]
	}
	return strings.TrimPrefix(out, head)
}

type waitPass struct {
	isAwait func(ast.Expr) bool
	drop    []ast.Stmt
}

// awaited returns the value that s waits for, when s is the wait of one
// value that returns on failure, or "".
func (w *waitPass) awaited(s ast.Stmt) string {
	ifs, ok := s.(*ast.IfStmt)
	if !ok || ifs.Init == nil || ifs.Else != nil || len(ifs.Body.List) != 1 {
		return ""
	}
	as, ok := ifs.Init.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Rhs) != 1 {
		return ""
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 2 || !w.isAwait(call.Fun) {
		return ""
	}
	if _, ok := ifs.Body.List[0].(*ast.ReturnStmt); !ok {
		return ""
	}
	return valueName(call.Args[1])
}

// valueName names a waited value: d, or it.size; "" for anything else.
func valueName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := valueName(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}

// stmts walks a list of statements that runs in order, knowing the values
// in known waited for.
func (w *waitPass) stmts(list []ast.Stmt, known map[string]bool) {
	for _, s := range list {
		if v := w.awaited(s); v != "" {
			if known[v] {
				w.drop = append(w.drop, s)
			}
			known[v] = true
			continue
		}
		w.nested(s, known)
		forget(known, s)
	}
}

// nested walks the blocks inside statement s.
func (w *waitPass) nested(s ast.Node, known map[string]bool) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			w.stmts(n.Body.List, map[string]bool{})
			return false
		case *ast.ForStmt:
			w.loop(n, n.Body, known)
			return false
		case *ast.RangeStmt:
			w.loop(n, n.Body, known)
			return false
		case *ast.IfStmt:
			inner := clone(known)
			if n.Init != nil {
				w.nested(n.Init, map[string]bool{})
				forget(inner, n.Init)
			}
			w.nested(n.Cond, map[string]bool{})
			w.stmts(n.Body.List, clone(inner))
			if n.Else != nil {
				w.nested(n.Else, inner)
			}
			return false
		case *ast.SwitchStmt, *ast.TypeSwitchStmt:
			inner := clone(known)
			var init ast.Stmt
			var body *ast.BlockStmt
			switch n := n.(type) {
			case *ast.SwitchStmt:
				init, body = n.Init, n.Body
				if n.Tag != nil {
					w.nested(n.Tag, map[string]bool{})
				}
			case *ast.TypeSwitchStmt:
				init, body = n.Init, n.Body
				forget(inner, n.Assign)
			}
			if init != nil {
				w.nested(init, map[string]bool{})
				forget(inner, init)
			}
			for _, c := range body.List {
				w.stmts(c.(*ast.CaseClause).Body, clone(inner))
			}
			return false
		case *ast.BlockStmt:
			w.stmts(n.List, clone(known))
			return false
		case *ast.CaseClause:
			w.stmts(n.Body, clone(known))
			return false
		case *ast.CommClause:
			w.stmts(n.Body, clone(known))
			return false
		}
		return true
	})
}

// loop walks a loop's header expressions and its body, which knows what
// was known before the loop and that the loop does not assign.
func (w *waitPass) loop(l ast.Stmt, body *ast.BlockStmt, known map[string]bool) {
	inner := clone(known)
	forget(inner, l)
	switch l := l.(type) {
	case *ast.ForStmt:
		for _, n := range []ast.Node{l.Init, l.Cond, l.Post} {
			if n != nil {
				w.nested(n, map[string]bool{})
			}
		}
	case *ast.RangeStmt:
		w.nested(l.X, map[string]bool{})
	}
	w.stmts(body.List, inner)
}

// forget removes from known what n assigns, defines or takes the address
// of, anywhere inside it, and the fields of those.
func forget(known map[string]bool, n ast.Node) {
	if len(known) == 0 {
		return
	}
	drop := func(e ast.Expr) {
		name := valueName(e)
		if name == "" {
			return
		}
		for k := range known {
			if k == name || strings.HasPrefix(k, name+".") {
				delete(known, k)
			}
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				drop(l)
			}
		case *ast.IncDecStmt:
			drop(n.X)
		case *ast.RangeStmt:
			if n.Key != nil {
				drop(n.Key)
			}
			if n.Value != nil {
				drop(n.Value)
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				drop(id)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				drop(n.X)
			}
		}
		return true
	})
}

func clone(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
