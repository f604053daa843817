package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/jennifer/jen"
)

// Generated code is written as Go text in which every identifier of another
// package is a placeholder, qual(path, name). toJen turns the text into a
// jennifer statement that renders each placeholder with Qual, so that
// jennifer writes the imports and picks their names.

const (
	qOpen = "\x00"
	qSep  = "\x01"
)

func qual(path, name string) string { return qOpen + path + qSep + name + qOpen }

// toJen turns text with placeholders into jennifer code.
func toJen(text string) *jen.Statement {
	s := jen.Null()
	for {
		i := strings.Index(text, qOpen)
		if i < 0 {
			break
		}
		j := strings.Index(text[i+1:], qOpen)
		if j < 0 {
			break
		}
		if i > 0 {
			s.Add(jen.Id(text[:i]))
		}
		path, name, _ := strings.Cut(text[i+1:i+1+j], qSep)
		s.Add(jen.Qual(path, name))
		text = text[i+1+j+1:]
	}
	if text != "" {
		s.Add(jen.Id(text))
	}
	return s
}

// printer writes Go source for AST nodes of one package. hook, when set, may
// replace any expression: it returns the text and true.
type printer struct {
	pkg  *types.Package
	info *types.Info
	fset *token.FileSet
	hook func(e ast.Expr) (string, bool)
	// stmtHook may replace a whole statement.
	stmtHook func(s ast.Stmt) (string, bool)
	// comments are the comments of the source, by position: a block keeps
	// those that stand between its statements. Nil keeps none.
	comments []*ast.CommentGroup
}

// typ writes a type as Go text with placeholders for other packages' names.
func (p *printer) typ(t types.Type) string {
	return fixTypeText(types.TypeString(t, func(other *types.Package) string {
		if other == p.pkg {
			return ""
		}
		return qOpen + other.Path() + qSep
	}))
}

// fixTypeText closes the placeholders that typ opens: TypeString writes
// "\x00path\x01.Name", and the name ends at the first byte that cannot be in
// an identifier.
func fixTypeText(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, qOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], qSep)
		b.WriteString(s[:i+j+1])
		s = strings.TrimPrefix(s[i+j+1:], ".") // TypeString adds the dot

		k := 0
		for k < len(s) && (s[k] == '_' || s[k] >= '0' && s[k] <= '9' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 0x80) {
			k++
		}
		b.WriteString(s[:k])
		b.WriteString(qOpen)
		s = s[k:]
	}
}

func (p *printer) exprs(es []ast.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = p.expr(e)
	}
	return strings.Join(parts, ", ")
}

// expr writes e.
func (p *printer) expr(e ast.Expr) string {
	if e == nil {
		return ""
	}
	if p.hook != nil {
		if s, ok := p.hook(e); ok {
			return s
		}
	}
	switch e := e.(type) {
	case *ast.Ident:
		// A name of a dot-imported package: the generated file has no
		// dot import, so it qualifies the name.
		if obj := p.info.Uses[e]; obj != nil && obj.Pkg() != nil && obj.Pkg() != p.pkg && obj.Parent() == obj.Pkg().Scope() {
			return qual(obj.Pkg().Path(), e.Name)
		}
		return e.Name
	case *ast.BasicLit:
		return e.Value
	case *ast.CompositeLit:
		var b strings.Builder
		if e.Type != nil {
			b.WriteString(p.expr(e.Type))
		}
		b.WriteString("{")
		_, isStruct := under(p.info.TypeOf(e)).(*types.Struct)
		for i, el := range e.Elts {
			if i > 0 {
				b.WriteString(", ")
			}
			if kv, ok := el.(*ast.KeyValueExpr); ok && isStruct {
				b.WriteString(kv.Key.(*ast.Ident).Name + ": " + p.expr(kv.Value))
				continue
			}
			b.WriteString(p.expr(el))
		}
		b.WriteString("}")
		return b.String()
	case *ast.FuncLit:
		return "func" + p.signature(e.Type) + " " + p.block(e.Body)
	case *ast.ParenExpr:
		return "(" + p.expr(e.X) + ")"
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			if pn, ok := p.info.Uses[id].(*types.PkgName); ok {
				return qual(pn.Imported().Path(), e.Sel.Name)
			}
		}
		return p.expr(e.X) + "." + e.Sel.Name
	case *ast.IndexExpr:
		return p.expr(e.X) + "[" + p.expr(e.Index) + "]"
	case *ast.IndexListExpr:
		return p.expr(e.X) + "[" + p.exprs(e.Indices) + "]"
	case *ast.SliceExpr:
		s := p.expr(e.X) + "[" + p.expr(e.Low) + ":" + p.expr(e.High)
		if e.Slice3 {
			s += ":" + p.expr(e.Max)
		}
		return s + "]"
	case *ast.TypeAssertExpr:
		if e.Type == nil {
			return p.expr(e.X) + ".(type)"
		}
		return p.expr(e.X) + ".(" + p.expr(e.Type) + ")"
	case *ast.CallExpr:
		s := p.expr(e.Fun) + "(" + p.exprs(e.Args)
		if e.Ellipsis.IsValid() {
			s += "..."
		}
		return s + ")"
	case *ast.StarExpr:
		return "*" + p.expr(e.X)
	case *ast.UnaryExpr:
		return e.Op.String() + p.expr(e.X)
	case *ast.BinaryExpr:
		return p.expr(e.X) + " " + e.Op.String() + " " + p.expr(e.Y)
	case *ast.KeyValueExpr:
		return p.expr(e.Key) + ": " + p.expr(e.Value)
	case *ast.ArrayType:
		return "[" + p.expr(e.Len) + "]" + p.expr(e.Elt)
	case *ast.Ellipsis:
		return "..." + p.expr(e.Elt)
	case *ast.MapType:
		return "map[" + p.expr(e.Key) + "]" + p.expr(e.Value)
	case *ast.ChanType:
		switch e.Dir {
		case ast.SEND:
			return "chan<- " + p.expr(e.Value)
		case ast.RECV:
			return "<-chan " + p.expr(e.Value)
		}
		return "chan " + p.expr(e.Value)
	case *ast.FuncType:
		return "func" + p.signature(e)
	case *ast.StructType:
		return "struct {\n" + p.fields(e.Fields, "\n") + "\n}"
	case *ast.InterfaceType:
		var b strings.Builder
		b.WriteString("interface {\n")
		for _, f := range e.Methods.List {
			if len(f.Names) == 0 {
				b.WriteString(p.expr(f.Type) + "\n")
				continue
			}
			b.WriteString(f.Names[0].Name + p.signature(f.Type.(*ast.FuncType)) + "\n")
		}
		return b.String() + "}"
	}
	panic(fmt.Sprintf("rewrite: unexpected expression %T", e))
}

func (p *printer) fields(fl *ast.FieldList, sep string) string {
	if fl == nil {
		return ""
	}
	var parts []string
	for _, f := range fl.List {
		var names []string
		for _, n := range f.Names {
			names = append(names, n.Name)
		}
		s := p.expr(f.Type)
		if len(names) > 0 {
			s = strings.Join(names, ", ") + " " + s
		}
		if f.Tag != nil {
			s += " " + f.Tag.Value
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}

func (p *printer) signature(ft *ast.FuncType) string {
	s := ""
	if ft.TypeParams != nil {
		s = "[" + p.fields(ft.TypeParams, ", ") + "]"
	}
	s += "(" + p.fields(ft.Params, ", ") + ")"
	if ft.Results != nil && len(ft.Results.List) > 0 {
		s += " (" + p.fields(ft.Results, ", ") + ")"
	}
	return s
}

func (p *printer) block(b *ast.BlockStmt) string {
	var sb strings.Builder
	sb.WriteString("{\n")
	sb.WriteString(p.stmts(b.Lbrace+1, b.List, b.Rbrace))
	sb.WriteString("}")
	return sb.String()
}

// stmts writes a list of statements that stands between from and to, with
// the source's comments between them.
func (p *printer) stmts(from token.Pos, list []ast.Stmt, to token.Pos) string {
	var sb strings.Builder
	at := from
	for _, s := range list {
		sb.WriteString(p.commentsIn(at, s.Pos()))
		if out := p.stmt(s); out != "" {
			sb.WriteString(out)
			sb.WriteString("\n")
		}
		at = s.End()
	}
	sb.WriteString(p.commentsIn(at, to))
	return sb.String()
}

// commentsIn writes the comments that lie in [from, to), but daskgen's
// directives, one per line.
func (p *printer) commentsIn(from, to token.Pos) string {
	var sb strings.Builder
	for _, cg := range p.comments {
		if cg.Pos() < from || cg.End() > to {
			continue
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//daskgen:") || strings.HasPrefix(c.Text, "//go:") || strings.HasPrefix(c.Text, "//line ") {
				continue
			}
			sb.WriteString(c.Text + "\n")
		}
	}
	return sb.String()
}

// simple writes a statement that may stand in an if, for or switch header.
func (p *printer) simple(s ast.Stmt) string {
	if s == nil {
		return ""
	}
	return p.stmt(s)
}

// stmt writes s.
func (p *printer) stmt(s ast.Stmt) string {
	if p.stmtHook != nil {
		if out, ok := p.stmtHook(s); ok {
			return out
		}
	}
	return p.stmtPlain(s)
}

// stmtPlain writes s as it is, with the hooks applied to what it contains.
func (p *printer) stmtPlain(s ast.Stmt) string {
	switch s := s.(type) {
	case *ast.BlockStmt:
		return p.block(s)
	case *ast.ExprStmt:
		return p.expr(s.X)
	case *ast.AssignStmt:
		return p.exprs(s.Lhs) + " " + s.Tok.String() + " " + p.exprs(s.Rhs)
	case *ast.IncDecStmt:
		return p.expr(s.X) + s.Tok.String()
	case *ast.DeclStmt:
		return p.decl(s.Decl.(*ast.GenDecl))
	case *ast.EmptyStmt:
		return ""
	case *ast.LabeledStmt:
		return s.Label.Name + ":\n" + p.stmt(s.Stmt)
	case *ast.SendStmt:
		return p.expr(s.Chan) + " <- " + p.expr(s.Value)
	case *ast.GoStmt:
		return "go " + p.expr(s.Call)
	case *ast.DeferStmt:
		return "defer " + p.expr(s.Call)
	case *ast.ReturnStmt:
		if len(s.Results) == 0 {
			return "return"
		}
		return "return " + p.exprs(s.Results)
	case *ast.BranchStmt:
		if s.Label != nil {
			return s.Tok.String() + " " + s.Label.Name
		}
		return s.Tok.String()
	case *ast.IfStmt:
		out := "if "
		if s.Init != nil {
			out += p.simple(s.Init) + "; "
		}
		out += p.expr(s.Cond) + " " + p.block(s.Body)
		if s.Else != nil {
			out += " else " + p.stmt(s.Else)
		}
		return out
	case *ast.ForStmt:
		out := "for "
		if s.Init != nil || s.Post != nil {
			out += p.simple(s.Init) + "; " + p.expr(s.Cond) + "; " + p.simple(s.Post) + " "
		} else if s.Cond != nil {
			out += p.expr(s.Cond) + " "
		}
		return out + p.block(s.Body)
	case *ast.RangeStmt:
		out := "for "
		if s.Key != nil {
			out += p.expr(s.Key)
			if s.Value != nil {
				out += ", " + p.expr(s.Value)
			}
			out += " " + s.Tok.String() + " "
		}
		return out + "range " + p.expr(s.X) + " " + p.block(s.Body)
	case *ast.SwitchStmt:
		out := "switch "
		if s.Init != nil {
			out += p.simple(s.Init) + "; "
		}
		if s.Tag != nil {
			out += p.expr(s.Tag) + " "
		}
		return out + p.block(s.Body)
	case *ast.TypeSwitchStmt:
		out := "switch "
		if s.Init != nil {
			out += p.simple(s.Init) + "; "
		}
		return out + p.simple(s.Assign) + " " + p.block(s.Body)
	case *ast.CaseClause:
		out := "default:\n"
		if s.List != nil {
			out = "case " + p.exprs(s.List) + ":\n"
		}
		for _, st := range s.Body {
			out += p.stmt(st) + "\n"
		}
		return out
	case *ast.SelectStmt:
		return "select " + p.block(s.Body)
	case *ast.CommClause:
		out := "default:\n"
		if s.Comm != nil {
			out = "case " + p.simple(s.Comm) + ":\n"
		}
		for _, st := range s.Body {
			out += p.stmt(st) + "\n"
		}
		return out
	}
	panic(fmt.Sprintf("rewrite: unexpected statement %T", s))
}

func (p *printer) decl(d *ast.GenDecl) string {
	var b strings.Builder
	if len(d.Specs) == 1 {
		b.WriteString(d.Tok.String() + " ")
		p.spec(&b, d.Specs[0])
		return b.String()
	}
	b.WriteString(d.Tok.String() + " (\n")
	for _, sp := range d.Specs {
		p.spec(&b, sp)
		b.WriteString("\n")
	}
	b.WriteString(")")
	return b.String()
}

func (p *printer) spec(b *strings.Builder, sp ast.Spec) {
	{
		switch sp := sp.(type) {
		case *ast.ValueSpec:
			var names []string
			for _, n := range sp.Names {
				names = append(names, n.Name)
			}
			b.WriteString(strings.Join(names, ", "))
			if sp.Type != nil {
				b.WriteString(" " + p.expr(sp.Type))
			}
			if len(sp.Values) > 0 {
				b.WriteString(" = " + p.exprs(sp.Values))
			}
		case *ast.TypeSpec:
			b.WriteString(sp.Name.Name)
			if sp.TypeParams != nil {
				b.WriteString("[" + p.fields(sp.TypeParams, ", ") + "]")
			}
			if sp.Assign.IsValid() {
				b.WriteString(" =")
			}
			b.WriteString(" " + p.expr(sp.Type))
		}
	}
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}
