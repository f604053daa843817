// Package graphfile writes the examples' task graphs to files, as DOT and as
// SVG, for their -dot and -svg flags.
package graphfile

import (
	"context"
	"io"
	"os"

	"github.com/daskgen/daskgen/runtime"
)

// Write writes g as DOT to dotPath and as SVG to svgPath; an empty path is
// skipped. SVG needs Graphviz's dot command.
func Write(ctx context.Context, g runtime.Graph, dotPath, svgPath string) error {
	if err := write(dotPath, func(w io.Writer) error { return runtime.WriteDOT(w, g) }); err != nil {
		return err
	}
	return write(svgPath, func(w io.Writer) error { return runtime.WriteSVG(ctx, w, g) })
}

func write(path string, f func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
