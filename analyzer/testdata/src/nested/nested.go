// Package nested covers nested loops whose inner loop makes the delayed
// calls: the outer loop runs ahead, each outer item's issue part runs its
// inner loop and issues every inner call, and the eager part replays the
// inner loop in F's order.
package nested

import (
	"fmt"
	"strings"
	"time"
)

//daskgen:delayed
func score(f string) (int, error) { // want score:"delayed"
	time.Sleep(time.Duration(10-len(f)%10) * 100 * time.Microsecond) // later calls often finish first
	if strings.HasPrefix(f, "bad") {
		return 0, fmt.Errorf("score %s: broken", f)
	}
	return len(f) * 3 % 11, nil
}

//daskgen:delayed
func weight(f string) float64 { return float64(len(f)) / 7 } // want weight:"delayed"

//daskgen:delayed
func match(pattern, f string) bool { return strings.Contains(f, pattern) } // want match:"delayed"

// Pkg is a package and its files.
type Pkg struct {
	Name  string
	Files []string
}

// Result is a package's total.
type Result struct {
	Name  string
	Score float64
}

// Totals folds each package's files into its own result: a per-outer-item
// reduction, with the error idiom in the inner loop.
//
//daskgen:parallel
func Totals(pkgs []Pkg, w float64) ([]Result, error) {
	result := make([]Result, len(pkgs))
	for i, p := range pkgs {
		result[i].Name = p.Name
		for _, f := range p.Files {
			s, err := score(f)
			if err != nil {
				return nil, err
			}
			result[i].Score += float64(s) * w
		}
	}
	return result, nil
}

// Weights sums the weights of each package's files until the first file
// named "stop", which ends the package: a labelled break out of the inner
// loop.
//
//daskgen:parallel
func Weights(pkgs []Pkg) []float64 {
	var out []float64
	for _, p := range pkgs {
		total := 0.0
	files:
		for _, f := range p.Files {
			x := weight(f)
			if x > 1 {
				break files
			}
			total += x
		}
		out = append(out, total)
	}
	return out
}

// Matches finds, for each package, the first file that one of the
// package's own patterns matches.
//
//daskgen:parallel
func Matches(pkgs []Pkg, patterns []string) []string {
	var found []string
	for _, p := range pkgs {
		for _, f := range p.Files {
			if match(patterns[len(p.Name)%len(patterns)], f) {
				found = append(found, p.Name+"/"+f)
				break
			}
		}
	}
	return found
}

// Guarded skips empty names in the issue part too, reads the inner
// loop's index, stops the whole function at the first file named "end",
// and goes on with the next package at a file named "next".
//
//daskgen:parallel
func Guarded(pkgs []Pkg) ([]string, error) {
	var out []string
outer:
	for i, p := range pkgs {
		if len(p.Files) == 0 {
			continue
		}
		prefix := strings.ToUpper(p.Name)
		for j, f := range p.Files {
			if f == "" {
				continue
			}
			s, err := score(prefix + f)
			if err != nil {
				return out, fmt.Errorf("package %d file %d: %w", i, j, err)
			}
			switch f {
			case "end":
				return out, nil
			case "next":
				continue outer
			}
			out = append(out, fmt.Sprint(i, j, s))
		}
	}
	return out, nil
}

// Counted ranges over an integer in the inner loop.
//
//daskgen:parallel
func Counted(pkgs []Pkg, n int) []float64 {
	out := make([]float64, len(pkgs))
	for i, p := range pkgs {
		for k := range n {
			out[i] += weight(fmt.Sprint(p.Name, k))
		}
	}
	return out
}

// Carried cannot run its inner loops ahead of the outer eager code: the
// inner calls read last, which the eager part sets from a result. Each
// inner loop is pipelined on its own, as before.
//
//daskgen:parallel
func Carried(pkgs []Pkg) []float64 {
	var out []float64
	last := ""
	for _, p := range pkgs {
		for _, f := range p.Files { // want `the calls of this loop start ahead only within one iteration of the loop around it, not across its iterations: its issue part computes last \+ f, which reads last, which the loop's eager code sets at line 157; compute what the calls and this loop's range read from the outer loop's own variables and values it does not change`
			x := weight(last + f)
			out = append(out, x)
		}
		last = fmt.Sprint(len(out))
	}
	return out
}

// Picky panics where F panics, and only there: in its inner loop's range
// expression (p.Files[:limit], past the files a package has), and in a
// guard of the inner loop (f[0] of an empty name), both of which the issue
// part evaluates ahead, also for files and packages F never reaches (a
// name that weighs more than 1 ends the package; "stop" ends the loop).
//
//daskgen:parallel
func Picky(pkgs []Pkg, limit int) float64 {
	n := 0.0
	for _, p := range pkgs {
		if p.Name == "stop" {
			break
		}
		for _, f := range p.Files[:limit] {
			if f[0] == '!' {
				continue
			}
			x := weight(f)
			if x > 1 {
				break
			}
			n += x
		}
	}
	return n
}

// Around makes calls before and after its inner loop, and guards the one
// after with a condition that panics for an empty name: the steps after
// the inner loop are numbered by how many inner iterations it had.
//
//daskgen:parallel
func Around(pkgs []Pkg) ([]float64, error) {
	var out []float64
	for _, p := range pkgs {
		head, err := score(p.Name)
		if err != nil {
			return out, fmt.Errorf("package %s: %w", p.Name, err)
		}
		out = append(out, float64(head))
		for _, f := range p.Files {
			if f == "skip" {
				continue
			}
			out = append(out, weight(f))
		}
		if p.Name[0] == '_' {
			continue
		}
		out = append(out, weight(p.Name+"!"))
	}
	return out, nil
}

// Twice has two inner loops that make calls: only one loop of an
// iteration runs in its issue part, so each is pipelined on its own.
//
//daskgen:parallel
func Twice(pkgs []Pkg) []float64 {
	var out []float64
	for _, p := range pkgs {
		for _, f := range p.Files {
			out = append(out, weight(f))
		}
		for _, f := range p.Files { // want `the calls of this loop start ahead only within one iteration of the loop around it, not across its iterations: the loop at line 223, before it, runs in the outer loop's issue part, and only one loop of an iteration can; make the calls of one of them in a loop of their own`
			out = append(out, weight(f+f))
		}
	}
	return out
}
