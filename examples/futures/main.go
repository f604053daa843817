// Command futures is the futures tutorial of Dask in Go: work submitted in a
// loop and gathered, a download-and-scrape pipeline over a question site, and
// a crawler whose work grows while it runs. Each part runs sequentially and
// then with daskgen's futures, prints the wall time of both, and checks that
// they found the same results.
//
// The site is served on this machine by a test server, with a delay on every
// request in place of the internet's; nothing goes over the network.
//
//	go run ./examples/futures [-questions 50] [-delay 100ms]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/daskgen/daskgen/examples/internal/cluster"
	"github.com/daskgen/daskgen/examples/internal/timing"
	"github.com/daskgen/daskgen/runtime"
)

type config struct {
	questions int           // questions on the site
	delay     time.Duration // wait on every request
	work      time.Duration // the most inc and double sleep
}

func main() {
	var cfg config
	flag.IntVar(&cfg.questions, "questions", 50, "the `number` of questions on the site")
	flag.DurationVar(&cfg.delay, "delay", 100*time.Millisecond, "the `wait` on every request to the site")
	flag.DurationVar(&cfg.work, "work", 100*time.Millisecond, "the most `time` inc and double take")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("futures: ")
	// With DASKGEN_WORKER=1 this process is a worker of a NATS cluster;
	// with DASKGEN_NATS_URL set, its delayed calls run on the workers.
	cfg.apply()
	job := func(ctx context.Context) error { return run(ctx, os.Stdout, cfg) }
	if err := cluster.Run(context.Background(), job); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	client, err := runtime.NewClient()
	if err != nil {
		return err
	}
	defer client.Close()
	tab := timing.Table{Example: "futures"}
	if err := incDouble(ctx, w, client, cfg, &tab); err != nil {
		return err
	}
	s := newSite(cfg.questions, cfg.delay)
	defer s.Close()
	if err := scrapeAll(ctx, w, client, s, &tab); err != nil {
		return err
	}
	if err := crawl(ctx, w, client, s, &tab); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return tab.Print(w)
}

// work is the most inc and double sleep; apply sets it from -work.
var work = 100 * time.Millisecond

// nap sleeps a fixed pseudo-random time up to work. The tutorial sleeps a
// random time up to a second; this way both runs do the same work.
func nap(x int) { time.Sleep(time.Duration((x*7919)%100) * work / 100) }

func inc(x int) int    { nap(x); return x + 1 }
func double(x int) int { nap(x + 50); return 2 * x }

// The functions submitted by hand, registered so that NATS workers can run
// them too.
var (
	incD    = runtime.Func1(inc, runtime.Name("inc"), runtime.Register("examples/futures.inc"))
	doubleD = runtime.Func1(double, runtime.Name("double"), runtime.Register("examples/futures.double"))
	tagsD   = runtime.Func1(scrapeTags, runtime.Name("scrape_tags"), runtime.Register("examples/futures.scrapeTags"))
)

// incDouble submits inc and double for each element, the second reading the
// first's future, and gathers the results.
func incDouble(ctx context.Context, w io.Writer, client *runtime.Client, cfg config, tab *timing.Table) error {
	// The tutorial sleeps a random time up to a second; this sleeps a fixed
	// pseudo-random time up to cfg.work, so that both runs do the same work.
	cfg.apply()
	data := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

	var seq []int
	tSeq, _ := timing.Time(func() error {
		for _, x := range data {
			seq = append(seq, double(inc(x)))
		}
		return nil
	})

	var par []int
	tPar, err := timing.Time(func() error {
		var futures []*runtime.Future[int]
		for _, x := range data {
			y := runtime.Submit(ctx, client, incD.Call(runtime.Value(x)))
			z := runtime.Submit(ctx, client, doubleD.Call(y.Delayed()))
			futures = append(futures, z)
		}
		var err error
		par, err = runtime.Gather(ctx, futures)
		return err
	})
	if err != nil {
		return err
	}
	if !slices.Equal(seq, par) {
		return fmt.Errorf("inc/double: sequential %v, futures %v", seq, par)
	}
	fmt.Fprintf(w, "inc/double: %v\n", par)
	tab.Add(fmt.Sprintf("inc+double x%d", len(data)), "Submit, Gather", tSeq, tPar)
	return nil
}

// page is what the scraper keeps of a question.
type page struct {
	Title string
	Tags  []string
}

// scrapeAll downloads every question listed on the site and scrapes its
// title and tags.
func scrapeAll(ctx context.Context, w io.Writer, client *runtime.Client, s *site, tab *timing.Table) error {
	body, err := download(ctx, s.URL()+"/questions/tagged/dask")
	if err != nil {
		return err
	}
	urls := scrapeLinks(body, s.URL())

	var seq []page
	tSeq, err := timing.Time(func() error {
		for _, url := range urls {
			body, err := download(ctx, url)
			if err != nil {
				return err
			}
			seq = append(seq, page{Title: scrapeTitle(body), Tags: scrapeTags(body)})
		}
		return nil
	})
	if err != nil {
		return err
	}

	var par []page
	tPar, err := timing.Time(func() error {
		var titles []*runtime.Future[string]
		var allTags []*runtime.Future[[]string]
		for _, url := range urls {
			body := runtime.Submit(ctx, client, downloadDelayed.Call(runtime.Value(url)))
			allTags = append(allTags, runtime.Submit(ctx, client, tagsD.Call(body.Delayed())))
			titles = append(titles, runtime.Submit(ctx, client, scrapeTitleDelayed.Call(body.Delayed())))
		}
		ts, err := runtime.Gather(ctx, titles)
		if err != nil {
			return err
		}
		tags, err := runtime.Gather(ctx, allTags)
		if err != nil {
			return err
		}
		for i := range ts {
			par = append(par, page{Title: ts[i], Tags: tags[i]})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(seq, par) {
		return fmt.Errorf("scrape: sequential and futures results differ")
	}
	fmt.Fprintf(w, "scraped %d questions; most common tags: %s\n", len(par), topTags(par, 5))
	tab.Add(fmt.Sprintf("download+scrape x%d", len(urls)), "Submit, Gather", tSeq, tPar)
	return nil
}

// topTags counts tags over pages and returns the n most common.
func topTags(pages []page, n int) string {
	count := map[string]int{}
	for _, p := range pages {
		for _, t := range p.Tags {
			count[t]++
		}
	}
	tags := make([]string, 0, len(count))
	for t := range count {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	out := ""
	for i, t := range tags[:min(n, len(tags))] {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s (%d)", t, count[t])
	}
	return out
}

// crawlSite starts from start and follows links to questions until it has
// seen them all, and returns their titles: the tutorial's crawler as a plain
// sequential loop. Marked unordered, its twin downloads every page as soon
// as a finished page has linked to it, and takes pages in the order they
// finish (Dask's as_completed).
func crawlSite(ctx context.Context, start, base string) ([]string, error) {
	queue := []string{start}
	seen := map[string]bool{}
	var titles []string
	//daskgen:parallel unordered
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		if seen[url] {
			continue
		}
		seen[url] = true
		body, err := download(ctx, url)
		if err != nil {
			return nil, err
		}
		titles = append(titles, scrapeTitle(body))
		queue = append(queue, scrapeLinks(body, base)...)
	}
	return titles, nil
}

// crawl runs the crawler sequentially, as its twin, and with futures and
// AsCompleted written by hand: every page that finishes adds the links it
// found while the loop runs.
func crawl(ctx context.Context, w io.Writer, client *runtime.Client, s *site, tab *timing.Table) error {
	start := s.URL() + questionPath(0)

	var seq, twin []string
	tSeq, err := timing.Time(func() (err error) {
		seq, err = crawlSite(ctx, start, s.URL())
		return err
	})
	if err != nil {
		return err
	}
	tTwin, err := timing.Time(func() (err error) {
		twin, err = crawlSiteParallel(ctx, start, s.URL())
		return err
	})
	if err != nil {
		return err
	}

	var par []string
	tPar, err := timing.Time(func() error {
		seen := map[string]bool{start: true}
		var titles []*runtime.Future[string]
		found := runtime.NewAsCompleted[[]string]()
		visit := func(url string) {
			body := runtime.Submit(ctx, client, downloadDelayed.Call(runtime.Value(url)))
			titles = append(titles, runtime.Submit(ctx, client, scrapeTitleDelayed.Call(body.Delayed())))
			found.Add(runtime.Submit(ctx, client, scrapeLinksDelayed.Call(body.Delayed(), runtime.Value(s.URL()))))
		}
		visit(start)
		for f := range found.All(ctx) {
			links, err := f.Result(ctx)
			if err != nil {
				return err
			}
			for _, url := range links {
				if !seen[url] {
					seen[url] = true
					visit(url)
				}
			}
		}
		var err error
		par, err = runtime.Gather(ctx, titles)
		return err
	})
	if err != nil {
		return err
	}
	// The crawls visit pages in different orders; they must find the same ones.
	slices.Sort(seq)
	for _, got := range [][]string{twin, par} {
		if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(seq, sorted) {
			return fmt.Errorf("crawl: sequential found %d pages, parallel %d", len(seq), len(got))
		}
	}
	fmt.Fprintf(w, "crawled %d questions from %s\n", len(par), questionPath(0))
	tab.Add(fmt.Sprintf("crawl x%d", len(par)), "crawlSiteParallel (unordered)", tSeq, tTwin)
	tab.Add(fmt.Sprintf("crawl x%d", len(par)), "AsCompleted by hand", tSeq, tPar)
	return nil
}

// apply sets what the delayed functions read from the flags. Workers call it
// too, so start them with the same flags.
func (cfg config) apply() {
	work = cfg.work
}
