// Daskgen checks Go code marked with //daskgen: directives and, in a coming
// release, writes its parallel twins.
//
// Mark slow functions //daskgen:delayed and the functions or loops that call
// them //daskgen:parallel (see package github.com/daskgen/daskgen/analyzer
// for the rules). Then check them:
//
//	daskgen vet [-candidate] [-delayed=pkg.F,...] [packages]
//
// reports, with file:line:col, what would keep a parallel twin from
// returning what the sequential code returns: arguments of delayed calls
// changed before the graph runs, delayed functions that write shared state,
// constructs a twin cannot have, and places where a loop must wait. It exits
// with status 3 when it reports anything, 1 on errors. -candidate also
// suggests loops to mark; -fix applies the suggestions.
//
// The same binary serves go vet:
//
//	go vet -vettool=$(which daskgen) ./...
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/singlechecker"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/daskgen/daskgen/analyzer"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage: daskgen vet [flags] [packages]
       go vet -vettool=$(which daskgen) [packages]

daskgen vet checks code marked //daskgen:delayed and //daskgen:parallel.
Run 'daskgen vet -help' for its flags. Documentation:
https://pkg.go.dev/github.com/daskgen/daskgen/cmd/daskgen
`)
}

func main() {
	args := os.Args[1:]
	// go vet runs its tool with -V=full, -flags, or a single .cfg file;
	// check before any flag parsing, which those would upset.
	if isVetProtocol(args) {
		unitchecker.Main(analyzer.Analyzer)
		return
	}
	if len(args) > 0 && args[0] == "vet" {
		os.Args = append([]string{"daskgen vet"}, args[1:]...)
		singlechecker.Main(analyzer.Analyzer)
		return
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		usage()
		return
	}
	usage()
	os.Exit(2)
}

func isVetProtocol(args []string) bool {
	for _, a := range args {
		if a == "-V=full" || a == "-V" || a == "-flags" {
			return true
		}
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}
