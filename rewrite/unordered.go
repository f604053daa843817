package rewrite

import (
	"fmt"
	"go/types"
	"strings"

	"github.com/daskgen/daskgen/analyzer"
)

// unorderedLoop writes an unordered worklist loop in its natural shape
// (analyzer.Unordered):
//
//	wl := twinimpl.NewUnordered[iteration](tw)
//	for {
//		for len(queue) > 0 { // F's condition: issue every item queued
//			url := queue[0]
//			queue = queue[1:]
//			page := twinimpl.Track(tw, downloadDelayed.Call(daskgen.Value[string](url)))
//			wl.Add(&iteration{url: url, page: page}, page)
//		}
//		it, i, err := wl.Next() // the next iteration whose calls are done
//		if err != nil {
//			return fail(i, err)
//		}
//		if it == nil {
//			break
//		}
//		... // the rest of F's body, on it.url and it.page
//	}
func (t *twin) unorderedLoop(u *analyzer.Unordered, label string) string {
	typeName := t.fresh("iteration")
	wl, it := t.fresh("wl"), t.fresh("it")
	p := &pipe{taken: map[string]bool{}}
	var fields []string
	var lits, tasks []string
	saved := map[*types.Var]string{}
	for _, v := range u.Vars {
		if name, ok := t.lifted[v]; ok {
			f := p.field(v.Name(), t.rt("Delayed")+"["+t.typ(v.Type())+"]")
			fields = append(fields, f.name+" "+f.typ)
			lits = append(lits, f.name+": "+name)
			tasks = append(tasks, name)
			saved[v] = name
			continue
		}
		f := p.field(v.Name(), t.typ(v.Type()))
		fields = append(fields, f.name+" "+f.typ)
		lits = append(lits, f.name+": "+v.Name())
	}
	t.typeDecls = append(t.typeDecls, fmt.Sprintf("// %s is what the issue part of the unordered loop at line %d hands to the rest of its body.\ntype %s struct {\n%s\n}\n",
		typeName, t.fset.Position(u.Loop.Pos()).Line, typeName, strings.Join(fields, "\n")))

	var b strings.Builder
	fmt.Fprintf(&b, "%s := %s[%s](%s)\n", wl, t.rt("NewUnordered"), typeName, t.tw)
	cond := t.expr(u.Loop.Cond)
	b.WriteString(t.flush())
	fmt.Fprintf(&b, "%sfor {\nfor %s {\n", label, cond)
	for _, s := range u.Issue {
		if out := t.stmt(s); out != "" {
			b.WriteString(out + "\n")
		}
	}
	args := append([]string{"&" + typeName + "{" + strings.Join(lits, ", ") + "}"}, tasks...)
	fmt.Fprintf(&b, "%s.Add(%s)\n}\n", wl, strings.Join(args, ", "))
	fmt.Fprintf(&b, "%s, %s, %s := %s.Next()\nif %s != nil {\nreturn %s(%s, %s)\n}\nif %s == nil {\nbreak\n}\n", it, t.bi, t.be, wl, t.be, t.fail, t.bi, t.be, it)

	// The rest of the body reads what the issue part handed over.
	for i, v := range u.Vars {
		name := it + "." + p.fields[i].name
		if _, ok := saved[v]; ok {
			t.lifted[v] = name
		} else {
			t.renamed[v] = name
		}
	}
	for _, s := range u.Loop.Body.List[len(u.Issue):] {
		if out := t.stmt(s); out != "" {
			b.WriteString(out + "\n")
		}
	}
	for _, v := range u.Vars {
		delete(t.renamed, v)
		if name, ok := saved[v]; ok {
			t.lifted[v] = name
		}
	}
	b.WriteString("}")
	return b.String()
}
