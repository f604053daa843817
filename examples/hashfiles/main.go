// Command hashfiles is sha256sum over a tree, in the style of command-line
// tools that checksum many files: it generates a tree of files, prints
// "sum  path" for each in sorted order, and totals the bytes. The loop is
// plain sequential Go (hash.go); its generated twin hashes the files on
// every core and prints byte for byte the same lines.
//
//	go run ./examples/hashfiles [-files 64] [-size 1048576] [-v]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/timing"
)

type config struct {
	files, size int
	dir         string
	verbose     bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.files, "files", 64, "the `number` of files to generate")
	flag.IntVar(&cfg.size, "size", 1<<20, "the size of each file in `bytes`")
	flag.StringVar(&cfg.dir, "dir", "", "generate the tree in `dir` (default: a temporary directory, removed afterwards)")
	flag.BoolVar(&cfg.verbose, "v", false, "print the sums")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("hashfiles: ")
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

// run hashes the tree with the loop and with its twin, fails unless both
// print the same lines and total, and prints the timings.
func run(ctx context.Context, w io.Writer, cfg config) error {
	root := cfg.dir
	if root == "" {
		tmp, err := os.MkdirTemp("", "daskgen-hashfiles-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		root = tmp
	}
	if err := makeTree(root, cfg.files, cfg.size); err != nil {
		return err
	}
	files, err := list(root)
	if err != nil {
		return err
	}
	var seq, par bytes.Buffer
	var total, ptotal int64
	seqTook, err := timing.Time(func() (err error) {
		total, err = hashAll(&seq, root, files)
		return err
	})
	if err != nil {
		return err
	}
	parTook, err := timing.Time(func() (err error) {
		ptotal, err = hashAllParallel(ctx, &par, root, files)
		return err
	})
	if err != nil {
		return err
	}
	if !bytes.Equal(seq.Bytes(), par.Bytes()) || total != ptotal {
		return fmt.Errorf("the twin's sums differ from the loop's:\n%s---\n%s", seq.String(), par.String())
	}
	if cfg.verbose {
		fmt.Fprint(w, par.String())
	}
	fmt.Fprintf(w, "%d files, %d bytes hashed; the twin's lines are the loop's, byte for byte\n", len(files), total)
	tab := timing.Table{Example: "hashfiles"}
	tab.Add(fmt.Sprintf("sha256 of %d files of %d KiB", cfg.files, cfg.size>>10), "hashAllParallel (pipelined)", seqTook, parTook)
	return tab.Print(w)
}
