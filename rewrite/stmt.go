package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	goprinter "go/printer"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// regionStmt writes a statement inside a region.
func (t *twin) regionStmt(s ast.Stmt) string {
	switch s := s.(type) {
	case *ast.BranchStmt:
		if t.pipe != nil && t.pipe.detach && s.Tok == token.CONTINUE && s.Label == nil {
			return "return true" // the iteration's eager part is done
		}
	case *ast.AssignStmt:
		return t.assign(s.Lhs, s.Tok, s.Rhs)
	case *ast.DeclStmt:
		gd := s.Decl.(*ast.GenDecl)
		if gd.Tok != token.VAR {
			return t.stmtPlain(s)
		}
		var parts []string
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			lhs := make([]ast.Expr, len(vs.Names))
			for i, n := range vs.Names {
				lhs[i] = n
			}
			if len(vs.Values) == 0 {
				for _, n := range vs.Names {
					v := t.useVar(n)
					switch {
					case t.dropped[v], t.renamed[v] != "" || strings.Contains(t.lifted[v], "."):
						// dropped, or a field of a pipelined loop's iteration
					case t.lifted[v] != "":
						parts = append(parts, "var "+n.Name+" "+t.rt("Delayed")+"["+t.typ(v.Type())+"]")
					default:
						parts = append(parts, "var "+n.Name+" "+t.expr(vs.Type))
					}
				}
				continue
			}
			if vs.Type != nil && !slices.ContainsFunc(lhs, func(e ast.Expr) bool { return t.lifted[t.identVar(e)] != "" || t.renamed[t.identVar(e)] != "" }) {
				parts = append(parts, "var "+t.exprs(lhs)+" "+t.expr(vs.Type)+" = "+t.exprs(vs.Values))
				continue
			}
			parts = append(parts, t.assign(lhs, token.DEFINE, vs.Values))
		}
		return strings.Join(parts, "\n")
	case *ast.IncDecStmt:
		if v, path := t.fieldOf(s.X); v != nil {
			return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, s.Tok.String(), "", nil))
		}
		if v := t.identVar(s.X); v != nil && t.lifted[v] != "" {
			op := token.ADD
			if s.Tok == token.DEC {
				op = token.SUB
			}
			return t.lifted[v] + " = " + t.track(t.binaryNode(s.X, op, &ast.BasicLit{Kind: token.INT, Value: "1"}, v.Type()))
		}
	case *ast.ExprStmt:
		if c, ok := ast.Unparen(s.X).(*ast.CallExpr); ok && t.calls[c] != nil {
			// The result is dropped; the task still runs, and an error it
			// returns is dropped as the sequential call drops it: it is
			// the task's value (the Err form), not its failure.
			if t.pipe != nil && !t.pipe.producer && t.pipe.calls[c] != nil {
				t.slotCall(t.pipe, c, false) // issued ahead: adopted here
				return ""
			}
			return t.trackCall(c, false)
		}
	case *ast.IfStmt:
		if t.idioms[s] {
			return "" // the twin registered the idiom at its call
		}
		pre, out := t.ifParts(s)
		return pre + out
	case *ast.SwitchStmt:
		t.shortCircuit(s)
		init := ""
		if s.Init != nil {
			init = t.stmt(s.Init)
		}
		for _, cc := range s.Body.List {
			for _, e := range cc.(*ast.CaseClause).List {
				ast.Inspect(e, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok && t.calls[c] != nil {
						t.internal(c.Pos(), "delayed call %s in a case of a switch", types.ExprString(c.Fun))
					}
					return true
				})
			}
		}
		out := "switch "
		if s.Tag != nil {
			out += t.expr(s.Tag) + " "
		}
		out += t.clauses(s.Body)
		return t.withInit(init, t.flush(), out)
	case *ast.TypeSwitchStmt:
		init := ""
		if s.Init != nil {
			init = t.stmt(s.Init)
		}
		out := "switch " + t.stmtPlain(s.Assign) + " " + t.clauses(s.Body)
		return t.withInit(init, t.flush(), out)
	case *ast.ForStmt:
		if pl := t.pipes[s]; pl != nil {
			return t.pipelineLoop(pl, "", s)
		}
		return t.forStmt(s)
	case *ast.RangeStmt:
		if pl := t.pipes[s]; pl != nil {
			return t.pipelineLoop(pl, "", s)
		}
		for _, e := range []ast.Expr{s.Key, s.Value} {
			if v := t.identVar(e); v != nil && t.lifted[v] != "" {
				t.internal(e.Pos(), "%s is a range variable that the loop assigns a delayed value", v.Name())
			}
		}
	case *ast.ReturnStmt:
		return t.returnStmt(s)
	case *ast.LabeledStmt:
		if pl := t.pipes[s.Stmt]; pl != nil {
			return t.flush() + t.pipelineLoop(pl, s.Label.Name+":\n", s.Stmt)
		}
		inner := t.regionStmt(s.Stmt)
		return t.flush() + s.Label.Name + ":\n" + inner
	}
	t.shortCircuit(s)
	return t.stmtPlain(s)
}

// ifParts writes if statement s of a region: the waits its condition
// needs, which run before it, and the statement. An else if whose
// condition needs waits becomes else { waits; if ... }: written before the
// else if, the waits would end the if statement and run in every case.
func (t *twin) ifParts(s *ast.IfStmt) (pre, stmt string) {
	t.shortCircuit(s)
	init := ""
	if s.Init != nil {
		init = t.stmt(s.Init)
	}
	cond := t.expr(s.Cond)
	out := "if " + cond + " " + t.block(s.Body)
	switch e := s.Else.(type) {
	case nil:
	case *ast.IfStmt:
		savePre, saveWaits := t.pre, t.waits
		t.pre, t.waits = nil, nil
		epre, estmt := t.ifParts(e)
		t.pre, t.waits = savePre, saveWaits
		if epre == "" {
			out += " else " + estmt
		} else {
			out += " else {\n" + epre + estmt + "\n}"
		}
	default:
		out += " else " + t.stmt(e)
	}
	pre = t.flush()
	if init == "" {
		return pre, out
	}
	return "", t.withInit(init, pre, out)
}

// withInit writes stmt, which needs the statements in pre (its waits)
// first, with init, its init statement, before them: in its header when
// nothing waits, or else in a block of its own, so that the waits can
// follow the init and the variables it declares keep their scope.
func (t *twin) withInit(init, pre, stmt string) string {
	if init == "" {
		return pre + stmt
	}
	if pre == "" && !strings.Contains(init, "\n") {
		head, rest, _ := strings.Cut(stmt, " ")
		return head + " " + init + "; " + rest
	}
	return "{\n" + init + "\n" + pre + stmt + "\n}"
}

// clauses writes the clauses of a switch: their expressions are read with
// the switch's header, their bodies are statements of their own.
func (t *twin) clauses(body *ast.BlockStmt) string {
	var b strings.Builder
	b.WriteString("{\n")
	var lists []string
	for _, st := range body.List {
		cc := st.(*ast.CaseClause)
		if cc.List == nil {
			lists = append(lists, "default:\n")
		} else {
			lists = append(lists, "case "+t.exprs(cc.List)+":\n")
		}
	}
	for i, st := range body.List {
		b.WriteString(lists[i])
		for _, s := range st.(*ast.CaseClause).Body {
			if out := t.stmt(s); out != "" {
				b.WriteString(out + "\n")
			}
		}
	}
	b.WriteString("}")
	return b.String()
}

// shortCircuit refuses a delayed call on the right of && or || in eager
// code: the sequential code makes it only sometimes.
func (t *twin) shortCircuit(s ast.Stmt) {
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.BlockStmt:
			return n == s
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				ast.Inspect(n.Y, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok && t.calls[c] != nil {
						t.internal(c.Pos(), "delayed call %s on the right of %s", types.ExprString(c.Fun), n.Op)
					}
					return true
				})
			}
		}
		return true
	})
}

// forStmt writes a for loop; a condition that needs a delayed value is
// checked at the top of the body, after its barrier.
func (t *twin) forStmt(s *ast.ForStmt) string {
	if w := t.worklistLoop(s); w != "" {
		return w
	}
	init := ""
	if s.Init != nil {
		init = t.stmt(s.Init)
	}
	pre := t.flush()
	post := ""
	if s.Post != nil {
		post = t.stmt(s.Post)
		if strings.Contains(post, "\n") {
			var post bytes.Buffer
			goprinter.Fprint(&post, t.fset, s.Post)
			t.internal(s.Post.Pos(), "the post statement %s of this for reads a delayed value", post.String())
		}
	}
	cond := ""
	if s.Cond != nil {
		cond = t.expr(s.Cond)
	}
	condPre := t.flush()
	body := t.block(s.Body)
	if condPre == "" {
		if s.Init == nil && s.Post == nil {
			return pre + "for " + cond + " " + body
		}
		return pre + "for " + init + "; " + cond + "; " + post + " " + body
	}
	return pre + "for " + init + "; ; " + post + " {\n" + condPre + "if !(" + cond + ") {\nbreak\n}\n" + body[2:]
}

// returnStmt ends the twin: every task added so far must have run, so that
// the error is the one the sequential function meets first.
func (t *twin) returnStmt(s *ast.ReturnStmt) string {
	var res []string
	for _, e := range s.Results {
		res = append(res, t.expr(e))
	}
	if t.addErr && len(s.Results) > 0 {
		res = append(res, "nil")
	}
	var b strings.Builder
	for _, p := range t.pre {
		b.WriteString(p + "\n")
	}
	fmt.Fprintf(&b, "if %s, %s := %s.Finish(%s); %s != nil {\nreturn %s(%s, %s)\n}\n", t.bi, t.be, t.tw, strings.Join(t.waits, ", "), t.be, t.fail, t.bi, t.be)
	t.pre, t.waits = nil, nil
	if len(s.Results) == 0 {
		// Named results: copy back those the twin lifted.
		for _, v := range t.namedLifted() {
			fmt.Fprintf(&b, "%s = %s.Must()\n", v.Name(), t.lifted[v])
		}
		b.WriteString("return")
		return b.String()
	}
	b.WriteString("return " + strings.Join(res, ", "))
	return b.String()
}

func (t *twin) namedLifted() []*types.Var {
	var out []*types.Var
	res := t.sig.Results()
	for i := 0; i < res.Len(); i++ {
		if name := t.lifted[res.At(i)]; name != "" && name != res.At(i).Name() {
			out = append(out, res.At(i))
		}
	}
	return out
}

// assign writes an assignment or a var declaration (tok is DEFINE) inside a
// region.
func (t *twin) assign(lhs []ast.Expr, tok token.Token, rhs []ast.Expr) string {
	if len(rhs) == 1 && len(lhs) > 1 {
		if c, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok && t.calls[c] != nil {
			return t.assignCall(lhs, tok, c)
		}
	}
	if len(rhs) == 1 && len(lhs) == 1 {
		if c, ok := ast.Unparen(rhs[0]).(*ast.CallExpr); ok && t.sites[c] != nil {
			return t.assignCall(lhs, tok, c)
		}
	}
	if len(lhs) == 1 && len(rhs) == 1 && tok == token.ASSIGN {
		if id, ok := lhs[0].(*ast.Ident); ok && id.Name == "_" && t.lazy(rhs[0]) {
			return "_ = " + t.lift(rhs[0], nil) // discarded: nothing waits
		}
		if v := t.identVar(lhs[0]); v != nil && t.work[v] != nil {
			return t.worklistAssign(t.work[v], rhs[0])
		}
	}
	anyLifted := false
	for _, l := range lhs {
		if t.liftedTarget(l) {
			anyLifted = true
		}
	}
	if !anyLifted {
		return t.exprs(lhs) + " " + t.renamedTok(lhs, tok).String() + " " + t.exprs(rhs)
	}
	if len(lhs) != len(rhs) {
		t.internal(lhs[0].Pos(), "%s is assigned a delayed value by a statement with several results", types.ExprString(lhs[0]))
		return ""
	}
	if len(lhs) == 1 {
		return t.assign1(lhs[0], tok, rhs[0])
	}
	// Parallel assignment: evaluate every right side first, as Go does.
	var b strings.Builder
	tmps := make([]string, len(rhs))
	for i, r := range rhs {
		tmps[i] = t.fresh("d")
		if t.liftedTarget(lhs[i]) {
			b.WriteString(tmps[i] + " := " + t.lift(r, t.typeOf(lhs[i])) + "\n")
		} else {
			b.WriteString(tmps[i] + " := " + t.expr(r) + "\n")
		}
	}
	for i, l := range lhs {
		b.WriteString(t.assignText(l, tok, tmps[i]) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldOf returns v and ".f.g" when l is v.f.g for a lifted variable v and
// fields of struct values: assigning to it makes a new value of v.
func (t *twin) fieldOf(l ast.Expr) (*types.Var, string) {
	path := ""
	e := ast.Unparen(l)
	for {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if x := t.info.Selections[sel]; x == nil || x.Kind() != types.FieldVal || x.Indirect() {
			return nil, ""
		}
		path = "." + sel.Sel.Name + path
		e = ast.Unparen(sel.X)
	}
	v := t.identVar(e)
	if path == "" || v == nil || t.lifted[v] == "" || t.work[v] != nil {
		return nil, ""
	}
	return v, path
}

// fieldNode writes the task that sets field path of v's value: with op
// "=", "+=" and the like and the value x, or with op "++" or "--".
func (t *twin) fieldNode(v *types.Var, path, op string, x string, xt types.Type) string {
	vt := t.typ(v.Type())
	if x == "" {
		return fmt.Sprintf("%s(func(%s %s) %s {\n%s%s%s\nreturn %s\n}, %s)", t.rt("Call1"), t.pv, vt, vt, t.pv, path, op, t.pv, t.lifted[v])
	}
	return fmt.Sprintf("%s(func(%s %s, %s %s) %s {\n%s%s %s %s\nreturn %s\n}, %s, %s)", t.rt("Call2"), t.pv, vt, t.px, t.typ(xt), vt, t.pv, path, op, t.px, t.pv, t.lifted[v], x)
}

// liftedTarget reports whether assigning to l builds a task: l is a lifted
// variable, a field of one, or m[k] for an accumulator m.
func (t *twin) liftedTarget(l ast.Expr) bool {
	if v := t.identVar(l); v != nil {
		return t.lifted[v] != "" && t.work[v] == nil
	}
	if v, _ := t.fieldOf(l); v != nil {
		return true
	}
	if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
		if v := t.identVar(ix.X); v != nil && t.lifted[v] != "" && t.work[v] == nil {
			return true
		}
	}
	return false
}

// assignText assigns a value held in a temporary to l.
func (t *twin) assignText(l ast.Expr, tok token.Token, tmp string) string {
	if v := t.identVar(l); v != nil && t.lifted[v] != "" {
		return t.defOrSet(l, tok) + t.track(tmp)
	}
	if v, path := t.fieldOf(l); v != nil {
		return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, "=", tmp, t.typeOf(l)))
	}
	if t.identVar(l) == nil {
		if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
			return "_ = " + tmp
		}
	}
	if tok == token.DEFINE && t.info.Defs[l.(*ast.Ident)] != nil {
		return l.(*ast.Ident).Name + " := " + tmp
	}
	return t.expr(l) + " = " + tmp
}

// defOrSet writes "name := " or "name = " for a lifted variable.
func (t *twin) defOrSet(l ast.Expr, tok token.Token) string {
	id := ast.Unparen(l).(*ast.Ident)
	v := t.identVar(id)
	if tok == token.DEFINE && t.info.Defs[id] != nil && !strings.Contains(t.lifted[v], ".") {
		return t.lifted[v] + " := "
	}
	return t.lifted[v] + " = "
}

// assign1 writes l tok r where l is lifted.
func (t *twin) assign1(l ast.Expr, tok token.Token, r ast.Expr) string {
	if ix, ok := ast.Unparen(l).(*ast.IndexExpr); ok {
		// m[k] = v on an accumulator map: a task that writes the entry, in
		// sequential order.
		m := t.identVar(ix.X)
		if tok != token.ASSIGN {
			t.internal(l.Pos(), "%s %s on accumulator %s", types.ExprString(l), tok, m.Name())
			return ""
		}
		mt := t.typ(m.Type())
		mp := under(m.Type()).(*types.Map)
		kt, vt := t.typ(mp.Key()), t.typ(mp.Elem())
		name := t.lifted[m]
		node := fmt.Sprintf("%s(func(%s %s, %s %s, %s %s) %s {\n%s[%s] = %s\nreturn %s\n}, %s, %s, %s)", t.rt("Call3"), t.pm, mt, t.pk, kt, t.pv, vt, mt, t.pm, t.pk, t.pv, t.pm,
			name, t.lift(ix.Index, mp.Key()), t.lift(r, mp.Elem()))
		return name + " = " + t.track(node)
	}
	if v, path := t.fieldOf(l); v != nil {
		xt := t.typeOf(l)
		if tok == token.SHL_ASSIGN || tok == token.SHR_ASSIGN {
			xt = t.typeOf(r)
		}
		return t.lifted[v] + " = " + t.track(t.fieldNode(v, path, tok.String(), t.lift(r, xt), xt))
	}
	v := t.identVar(l)
	if v == nil {
		return t.track(t.lift(r, nil))
	}
	if tok != token.ASSIGN && tok != token.DEFINE {
		return t.lifted[v] + " = " + t.track(t.binaryNode(l, opOf(tok), r, v.Type()))
	}
	if !t.lazy(r) {
		return t.defOrSet(l, tok) + t.lift(r, v.Type()) // a plain value: no task to track
	}
	return t.defOrSet(l, tok) + t.track(t.lift(r, v.Type()))
}

// opOf turns += into +, as go/types does: go/token lists the assignment
// operators in the order of their operators. Other tokens give ILLEGAL.
func opOf(tok token.Token) token.Token {
	if tok < token.ADD_ASSIGN || tok > token.AND_NOT_ASSIGN {
		return token.ILLEGAL
	}
	return tok + (token.ADD - token.ADD_ASSIGN)
}
