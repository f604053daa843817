// Command all is the main job of the README: it generates the parallel
// twins of every example under examples/ with daskgen (as go generate would),
// runs each example, and prints one table of their sequential and parallel
// wall times.
//
//	go run ./examples/all
//	go run ./examples/all -dashboard 127.0.0.1:8787   # and open the page
//
// Run it from anywhere inside the daskgen module; name examples to run only
// those.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/daskgen/daskgen/examples/internal/timing"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("examples: ")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./examples/all [-dashboard addr] [example ...]\n\nRuns the named examples, or all of them, and prints their timings.\n\n")
		flag.PrintDefaults()
	}
	dashboard := flag.String("dashboard", os.Getenv("DASKGEN_DASHBOARD"), "serve daskgen's live dashboard at `addr` (such as 127.0.0.1:8787) while the examples run; the page follows each example in turn")
	flag.Parse()
	root, err := moduleRoot()
	if err != nil {
		log.Fatal(err)
	}
	names, err := examples(root)
	if err != nil {
		log.Fatal(err)
	}
	if flag.NArg() > 0 {
		for _, n := range flag.Args() {
			if !slices.Contains(names, n) {
				log.Fatalf("no example %q; there are: %s", n, strings.Join(names, ", "))
			}
		}
		names = flag.Args()
	}
	if err := generate(root, names); err != nil {
		log.Fatal(err)
	}
	if *dashboard != "" {
		fmt.Printf("== the dashboard: http://%s/ (keep it open; it follows each example)\n", dashboardHost(*dashboard))
	}
	rows, err := runAll(root, names, *dashboard)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n== all examples\n")
	timing.Write(os.Stdout, rows)
}

// moduleRoot returns the directory of the daskgen module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run this inside the daskgen module")
	}
	return filepath.Dir(gomod), nil
}

// examples lists the runnable examples: directories under examples/ with a
// main.go, but for this one and internal.
func examples(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "examples"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "all" || e.Name() == "internal" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "examples", e.Name(), "main.go")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// generate writes the examples' twins, as go generate would.
func generate(root string, names []string) error {
	args := []string{"tool", "daskgen"}
	for _, n := range names {
		args = append(args, "./examples/"+n)
	}
	fmt.Printf("== go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generating the twins: %w", err)
	}
	return nil
}

// dashboardHost is where the page of a dashboard address is: an address
// without a host is served on loopback.
func dashboardHost(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

// runAll runs each example with go run and gathers the rows they report;
// with a dashboard address, each example serves the dashboard there.
func runAll(root string, names []string, dashboard string) ([]timing.Row, error) {
	tmp, err := os.CreateTemp("", "daskgen-timings-*.jsonl")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	start := time.Now()
	for i, name := range names {
		fmt.Printf("\n== examples/%s  %s\n", name, progress(i, len(names), time.Since(start)))
		cmd := exec.Command("go", "run", "./examples/"+name)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "DASKGEN_TIMINGS="+tmp.Name(), "DASKGEN_DASHBOARD="+dashboard)
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("examples/%s: %w", name, err)
		}
	}
	f, err := os.Open(tmp.Name())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []timing.Row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r timing.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("timings: %w", err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// progress draws how far the run is before example done+1 of total starts:
// a bar of one cell per example, the count, and the time so far.
func progress(done, total int, elapsed time.Duration) string {
	return fmt.Sprintf("[%s%s] %d/%d, %s", strings.Repeat("#", done), strings.Repeat(".", total-done), done+1, total, elapsed.Round(time.Second))
}
