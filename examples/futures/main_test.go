package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestRun runs the whole example on a small site: run itself fails when the
// sequential and parallel results differ.
func TestRun(t *testing.T) {
	var b strings.Builder
	err := run(context.Background(), &b, config{questions: 12, delay: 2 * time.Millisecond, work: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"inc/double: [4 6 8 10 12 14 16 18 20 22]",
		"scraped 12 questions; most common tags: dask (12)",
		"crawled 12 questions",
		"download+scrape x12",
		"crawl x12",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestScrapers(t *testing.T) {
	body := `<html><head><title>T</title></head><body>
<a href="/questions/12345/x?tab=1">q</a><a href="/questions/tagged/y">no</a><a href="/users/1">no</a>
<a class="post-tag big" href="/questions/tagged/b">b</a><a class="post-tag">a</a><a class="post-tag">b</a>
</body></html>`
	if got := scrapeTitle(body); got != "T" {
		t.Errorf("title = %q", got)
	}
	if got := scrapeLinks(body, "http://h"); !slices.Equal(got, []string{"http://h/questions/12345/x"}) {
		t.Errorf("links = %q", got)
	}
	if got := scrapeTags(body); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("tags = %q", got)
	}
}

func TestDownloadErrors(t *testing.T) {
	s := newSite(3, 0)
	defer s.Close()
	if _, err := download(context.Background(), s.URL()+"/questions/99999/none"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing page: err = %v, want a 404", err)
	}
	body, err := download(context.Background(), s.URL()+questionPath(2))
	if err != nil || scrapeTitle(body) != "How do I do thing 2 with Dask?" {
		t.Errorf("page 2: %q, %v", scrapeTitle(body), err)
	}
}
