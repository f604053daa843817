package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// site serves a small question-and-answer site on a local test server, in
// place of the Stack Overflow pages of the tutorial: a listing page at
// /questions/tagged/dask that links to every question, and one page per
// question with its title, its tags and links to related questions. Every
// request waits delay first, as a request over the internet would.
type site struct {
	srv       *httptest.Server
	questions int
	delay     time.Duration
}

var tagPool = []string{"dask", "python", "pandas", "dask-distributed", "numpy", "parallel-processing",
	"dask-dataframe", "dask-delayed", "multiprocessing", "xarray"}

func newSite(questions int, delay time.Duration) *site {
	s := &site{questions: questions, delay: delay}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /questions/tagged/dask", s.listing)
	mux.HandleFunc("GET /questions/{id}/{slug}", s.question)
	s.srv = httptest.NewServer(mux)
	return s
}

func (s *site) URL() string { return s.srv.URL }
func (s *site) Close()      { s.srv.Close() }

func questionID(i int) int { return 10000 + i*37 }

func questionPath(i int) string {
	return fmt.Sprintf("/questions/%d/question-%d", questionID(i), i)
}

func (s *site) wait(r *http.Request) bool {
	select {
	case <-time.After(s.delay):
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *site) listing(w http.ResponseWriter, r *http.Request) {
	if !s.wait(r) {
		return
	}
	var b strings.Builder
	b.WriteString("<html><head><title>Newest 'dask' Questions</title></head><body>\n")
	b.WriteString(`<a href="/users/login">log in</a>` + "\n")
	for i := 0; i < s.questions; i++ {
		fmt.Fprintf(&b, `<div class="question"><a href="%s?tab=newest">Question %d</a></div>`+"\n", questionPath(i), i)
	}
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}

func (s *site) question(w http.ResponseWriter, r *http.Request) {
	if !s.wait(r) {
		return
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	i := (id - 10000) / 37
	if err != nil || id < 10000 || (id-10000)%37 != 0 || i >= s.questions {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<html><head><title>How do I do thing %d with Dask?</title></head><body>\n", i)
	// Two or three tags per question, chosen from the pool by its number.
	tags := map[string]bool{
		"dask":                              true,
		tagPool[1+i%(len(tagPool)-1)]:       true,
		tagPool[1+(i*3+1)%(len(tagPool)-1)]: true,
	}
	for _, t := range tagPool {
		if tags[t] {
			fmt.Fprintf(&b, `<a href="/questions/tagged/%s" class="post-tag">%s</a>`+"\n", t, t)
		}
	}
	// Related questions: the next two and one further away, so that a
	// crawl from the first question reaches all of them.
	for _, j := range []int{i + 1, i + 2, (i * 7) % s.questions} {
		if j < s.questions {
			fmt.Fprintf(&b, `<a href="%s">related %d</a>`+"\n", questionPath(j), j)
		}
	}
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}
