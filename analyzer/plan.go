package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/daskgen/daskgen/internal/directive"
)

// Plan is the analyzer's result for one package: what the rewriter follows.
// It lists the package's delayed functions and, for every parallel function
// or loop, a Region.
type Plan struct {
	Delayed []*Delayed
	Regions []*Region
}

// Delayed is a function or method of the package marked //daskgen:delayed.
type Delayed struct {
	Decl      *ast.FuncDecl
	Func      *types.Func
	Directive directive.Directive
}

// Region is a parallel function (Loop is nil) or a parallel loop.
type Region struct {
	Func      *ast.FuncDecl
	Obj       *types.Func
	Loop      ast.Stmt // *ast.ForStmt or *ast.RangeStmt, or nil for the whole function
	Directive directive.Directive

	Calls    []*Call      // calls of delayed functions, in source order
	Vars     []*Var       // every local variable the region reads or writes, by position
	Errors   []*ErrorSite // the error idiom after delayed calls
	Barriers []*Barrier   // where eager code needs a delayed value
	// Pipelines are the loops of the region whose iterations run ahead of
	// their eager part, in source order.
	Pipelines []*Pipeline
	// Unordered is the region's unordered worklist loop in its natural
	// shape, or nil.
	Unordered *Unordered
	// OwnContext is set when F takes a context.Context first: the twin
	// takes no other, and F's code, not the runtime, decides what its
	// cancellation means (twinimpl.OwnContext).
	OwnContext bool
}

// Call is one call of a delayed function in a region.
type Call struct {
	Expr    *ast.CallExpr
	Func    *types.Func
	Fact    *DelayedFact
	Results []*types.Var // the variables it assigns, nil where blank or not a variable
	Targets []ast.Expr   // what it is assigned to, as written (a variable, m[k], _)
	// Instance is the instantiation a call of a generic function calls, or
	// the zero Instance.
	Instance types.Instance
	// Now says that the eager code waits for one of the call's results, at
	// NowAt, before it issues any other delayed call: the twin runs the call
	// where it is called when its arguments are known (see nowCalls).
	Now   bool
	NowAt token.Pos
}

// VarClass says how a region uses a variable, as MATLAB's parfor classifies
// them.
type VarClass int

// The classes of variables.
const (
	LoopVar     VarClass = iota // the loop's own variable
	ReadOnly                    // defined outside the region and only read in it
	Temporary                   // defined in the region, holding eager values
	Lifted                      // holds delayed values: becomes a Delayed[T]
	Accumulator                 // collects delayed pieces in order (see AccKind)
	ErrorVar                    // the error result of a delayed call
	Eager                       // defined outside the region, assigned by eager code in it
	Worklist                    // the queue of an unordered loop: popped eagerly, pushed delayed pieces
)

var classNames = [...]string{"loop variable", "read-only", "temporary", "lifted", "accumulator", "error", "eager", "worklist"}

// String returns the class as the plan dump writes it, such as "lifted".
func (c VarClass) String() string { return classNames[c] }

// AccKind is how an accumulator collects.
type AccKind int

// The kinds of accumulator.
const (
	NotAcc       AccKind = iota
	Append               // s = append(s, d)
	AppendSpread         // s = append(s, ds...)
	OpAssign             // x op= d, folded in sequential order
	MapWrite             // m[k] = d
)

var accNames = [...]string{"", "append", "append-spread", "op-assign", "map write"}

// String returns the kind as the plan dump writes it, such as "append".
func (k AccKind) String() string { return accNames[k] }

// Var is a variable as the region uses it.
type Var struct {
	Obj   *types.Var
	Class VarClass
	Acc   AccKind     // for accumulators
	Op    token.Token // for OpAssign accumulators: the operator, such as token.ADD
	Call  *Call       // for ErrorVar: the call whose error it holds
	// Dropped says, for an ErrorVar declared in the region, that nothing
	// reads it but the error idioms of the calls that set it: the twin
	// declares no variable for it (the idiom's task carries the error).
	Dropped bool
}

// ErrorSite is the error idiom after a delayed call:
//
//	v, err := f(x)
//	if err != nil {
//		return ..., err // or fmt.Errorf("...: %w", err)
//	}
//
// The twin turns it into a task whose failure ends the compute with the error
// the sequential function would return.
type ErrorSite struct {
	Call    *Call
	Err     *types.Var
	If      *ast.IfStmt
	Wrapped bool // the return wraps err rather than returning it as it is
}

// Barrier is a place where eager code needs a delayed value: the twin
// computes the value there and goes on.
type Barrier struct {
	Pos    token.Pos
	Var    *types.Var // the variable needed, or nil for a call's result used directly
	What   string     // the variable's name, or "the result of f(x)"
	Reason string     // what needs it, such as "the condition of an if"
	InLoop bool       // inside a loop of the region: the loop waits there each iteration
	Return bool       // a return statement: the end of the twin, not a wait
	// Pipelined is set for a wait in a pipelined loop: it waits for its own
	// iteration's values, while later iterations' calls already run.
	Pipelined bool
	// Commutes is set for a wait in a pipelined loop whose eager parts
	// commute (Pipeline.Detached): the producers may run it themselves.
	Commutes bool
	// Serial says why the loop around a wait cannot be pipelined, when it
	// cannot.
	Serial string
	msg    string // the sync diagnostic, for a wait in a loop
}

// Dump writes the plan as text: one block per delayed function and region,
// with positions as line:column. Tests compare it with golden files.
func (p *Plan) Dump(fset *token.FileSet) string {
	var b strings.Builder
	pos := func(at token.Pos) string {
		ps := fset.Position(at)
		return fmt.Sprintf("%d:%d", ps.Line, ps.Column)
	}
	for _, d := range p.Delayed {
		fmt.Fprintf(&b, "delayed %s: %s\n", funcLabel(d.Func), d.Directive)
	}
	for _, r := range p.Regions {
		if r.Loop != nil {
			fmt.Fprintf(&b, "region: loop at %s in %s: %s\n", pos(r.Loop.Pos()), funcLabel(r.Obj), r.Directive)
		} else {
			fmt.Fprintf(&b, "region: func %s: %s\n", funcLabel(r.Obj), r.Directive)
		}
		b.WriteString("  calls:\n")
		for _, c := range r.Calls {
			var res []string
			for _, t := range c.Targets {
				res = append(res, types.ExprString(t))
			}
			arrow := ""
			if len(res) > 0 {
				arrow = " -> " + strings.Join(res, ", ")
			}
			now := ""
			if c.Now {
				now = fmt.Sprintf(" (runs where it is called: awaited at %s before any other call)", pos(c.NowAt))
			}
			fmt.Fprintf(&b, "    %s %s%s%s\n", pos(c.Expr.Pos()), c.Func.Name(), arrow, now)
		}
		b.WriteString("  vars:\n")
		for _, v := range r.Vars {
			extra := ""
			switch {
			case v.Class == Accumulator && v.Acc == OpAssign:
				extra = fmt.Sprintf(" (%s %s=, in sequential order)", v.Acc, v.Op)
			case v.Class == Accumulator:
				extra = fmt.Sprintf(" (%s, in sequential order)", v.Acc)
			case v.Class == Worklist:
				extra = fmt.Sprintf(" (%s, in completion order)", v.Acc)
			case v.Class == ErrorVar && v.Call != nil:
				extra = fmt.Sprintf(" (of %s at %s)", v.Call.Func.Name(), pos(v.Call.Expr.Pos()))
			}
			if v.Dropped {
				extra += ", dropped: only its idioms read it"
			}
			fmt.Fprintf(&b, "    %s: %s%s\n", v.Obj.Name(), v.Class, extra)
		}
		if len(r.Errors) > 0 {
			b.WriteString("  error idioms:\n")
			for _, e := range r.Errors {
				how := "returned"
				if e.Wrapped {
					how = "wrapped"
				}
				fmt.Fprintf(&b, "    %s %s of %s, %s\n", pos(e.If.Pos()), e.Err.Name(), e.Call.Func.Name(), how)
			}
		}
		if len(r.Barriers) > 0 {
			b.WriteString("  barriers:\n")
			for _, br := range r.Barriers {
				where := ""
				switch {
				case br.Return:
					where = " (end of the twin)"
				case br.Pipelined:
					where = " (pipelined: waits for its own iteration)"
				case br.InLoop:
					where = " (in a loop: waits each iteration)"
				}
				fmt.Fprintf(&b, "    %s %s: %s%s\n", pos(br.Pos), br.What, br.Reason, where)
			}
		}
		for _, pl := range r.Pipelines {
			fmt.Fprintf(&b, "  pipelined loop at %s", pos(pl.Loop.Pos()))
			if pl.Window > 0 {
				fmt.Fprintf(&b, " (window %d)", pl.Window)
			}
			if pl.Indexed {
				b.WriteString(", indexed")
			}
			if pl.Detached {
				b.WriteString(", eager parts commute")
			}
			if pl.Keep {
				b.WriteString(", iterations keep their memory")
			}
			b.WriteString(":\n")
			for _, g := range pl.Exits {
				fmt.Fprintf(&b, "    exit at %s: if %s, the iteration issues nothing more\n", pos(g.Pos()), nodeString(fset, g.Cond))
			}
			var steps func(indent, prefix string, pl *Pipeline)
			steps = func(indent, prefix string, pl *Pipeline) {
				for k, st := range pl.Steps {
					switch {
					case st.Inner != nil:
						fmt.Fprintf(&b, "%sstep %s%d at %s: the issue part of the loop, for each of its iterations in order:\n", indent, prefix, k+1, pos(st.Stmt.Pos()))
						for _, g := range st.Inner.Exits {
							fmt.Fprintf(&b, "%s  exit at %s: if %s, the inner iteration issues nothing more\n", indent, pos(g.Pos()), nodeString(fset, g.Cond))
						}
						steps(indent+"  ", fmt.Sprintf("%s%d.", prefix, k+1), st.Inner)
					case st.Call != nil:
						fmt.Fprintf(&b, "%sstep %s%d at %s: issue %s\n", indent, prefix, k+1, pos(st.Call.Pos()), nodeString(fset, st.Call))
					default:
						what := "move"
						if st.Pace {
							what = "pace"
						}
						fmt.Fprintf(&b, "%sstep %s%d at %s: %s %s\n", indent, prefix, k+1, pos(st.Stmt.Pos()), what, firstLine(nodeString(fset, st.Stmt)))
					}
				}
				var names []string
				for _, v := range pl.Vars {
					names = append(names, v.Name())
				}
				fmt.Fprintf(&b, "%shands over: %s\n", indent, strings.Join(names, ", "))
			}
			steps("    ", "", pl)
		}
		if u := r.Unordered; u != nil {
			fmt.Fprintf(&b, "  unordered loop at %s, issue part %s to %s, in completion order after it\n", pos(u.Loop.Pos()), pos(u.Issue[0].Pos()), pos(u.Issue[len(u.Issue)-1].End()))
			var names []string
			for _, v := range u.Vars {
				names = append(names, v.Name())
			}
			fmt.Fprintf(&b, "    hands over: %s\n", strings.Join(names, ", "))
		}
	}
	return b.String()
}

// funcLabel names a function as Go writes it: "F", "T.M" or "(*T).M".
func funcLabel(f *types.Func) string {
	if f == nil {
		return "?"
	}
	sig := f.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		ptr := false
		if p, ok := t.(*types.Pointer); ok {
			t, ptr = p.Elem(), true
		}
		name := types.TypeString(t, func(*types.Package) string { return "" })
		if i := strings.Index(name, "["); i >= 0 {
			name = name[:i]
		}
		if ptr {
			return "(*" + name + ")." + f.Name()
		}
		return name + "." + f.Name()
	}
	return f.Name()
}

func sortVars(vs []*Var) {
	slices.SortFunc(vs, func(a, b *Var) int { return int(a.Obj.Pos() - b.Obj.Pos()) })
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
