// Command linkcheck is a link checker in the style of command-line tools
// such as lychee, muffet and htmltest: it requests every link of a local
// test site and prints each link's status in the order of the input, counts
// the failures, and with -fail-fast stops at the first one. The loop is
// plain sequential Go (check.go); its generated twin checks the links at
// once and prints byte for byte the same report.
//
//	go run ./examples/linkcheck [-links 60] [-broken 7] [-delay 50ms] [-fail-fast] [-v]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"time"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/timing"
)

type config struct {
	links    int
	broken   int
	delay    time.Duration
	failFast bool
	verbose  bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.links, "links", 60, "the `number` of links to check")
	flag.IntVar(&cfg.broken, "broken", 7, "make every `n`th link a broken one (0: none)")
	flag.DurationVar(&cfg.delay, "delay", 50*time.Millisecond, "how `long` the site takes to answer")
	flag.BoolVar(&cfg.failFast, "fail-fast", false, "stop at the first broken link")
	flag.BoolVar(&cfg.verbose, "v", false, "print the report")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("linkcheck: ")
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

// run checks the site's links with the sequential loop and with its twin,
// fails unless both print the same report and count the same failures, and
// prints the timings.
func run(ctx context.Context, w io.Writer, cfg config) error {
	s := newSite(cfg.delay)
	defer s.Close()
	links := s.links(cfg.links, cfg.broken)

	var seq, par bytes.Buffer
	var failures, pfailures int
	seqTook, err := timing.Time(func() (err error) {
		failures, err = checkLinks(&seq, links, cfg.failFast)
		return err
	})
	if err != nil {
		return err
	}
	parTook, err := timing.Time(func() (err error) {
		pfailures, err = checkLinksParallel(ctx, &par, links, cfg.failFast)
		return err
	})
	if err != nil {
		return err
	}
	if !bytes.Equal(seq.Bytes(), par.Bytes()) || failures != pfailures {
		return fmt.Errorf("the twin's report differs from the loop's:\n%s(%d failures)\n---\n%s(%d failures)", seq.String(), failures, par.String(), pfailures)
	}
	if cfg.verbose {
		fmt.Fprint(w, par.String())
	}
	fmt.Fprintf(w, "%d links checked, %d broken; the twin's report is the loop's, byte for byte\n", bytes.Count(par.Bytes(), []byte("\n")), failures)
	tab := timing.Table{Example: "linkcheck"}
	work := fmt.Sprintf("%d links, report in order", cfg.links)
	if cfg.failFast {
		work = fmt.Sprintf("%d links, -fail-fast", cfg.links)
	}
	tab.Add(work, "checkLinksParallel (pipelined)", seqTook, parTook)
	return tab.Print(w)
}
