package core

import (
	"bytes"
	"context"
	"fmt"
	"io"
	osexec "os/exec"
	"slices"
	"strings"
)

// WriteDOT writes g in Graphviz's DOT language: one node per task, labelled
// with its key (the task name, like Dask's visualize), calls as ellipses and
// literal values as boxes, and an edge from each input to the task that reads
// it. The output is deterministic.
func WriteDOT(w io.Writer, g Graph) error {
	var b strings.Builder
	b.WriteString("digraph daskgen {\n\trankdir=BT;\n\tnode [fontname=\"Helvetica\"];\n")
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t := g[k]
		if t.IsLiteral() {
			fmt.Fprintf(&b, "\t%s [shape=box, label=%s];\n", dotID(k), dotID(k))
		} else {
			fmt.Fprintf(&b, "\t%s [shape=ellipse, label=%s, tooltip=%s];\n", dotID(k), dotID(k), dotID(t.FuncName()))
		}
	}
	for _, k := range keys {
		for _, a := range g[k].Args {
			if ak, ok := a.(Key); ok {
				fmt.Fprintf(&b, "\t%s -> %s;\n", dotID(string(ak)), dotID(k))
			}
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotID quotes s as a DOT string.
func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// WriteSVG draws g as SVG with Graphviz's dot command, which must be on the
// PATH. When it is not, the error says which package to install.
func WriteSVG(ctx context.Context, w io.Writer, g Graph) error {
	dot, err := osexec.LookPath("dot")
	if err != nil {
		return fmt.Errorf("drawing SVG needs Graphviz's dot command, which is not on PATH; install the graphviz package (apt-get install graphviz, brew install graphviz): %w", err)
	}
	var src, stderr bytes.Buffer
	if err := WriteDOT(&src, g); err != nil {
		return err
	}
	cmd := osexec.CommandContext(ctx, dot, "-Tsvg")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = &src, w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot -Tsvg: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
