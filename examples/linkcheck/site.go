package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"
)

// site is a local test web site: /page/N answers 200, /gone/N answers 404,
// each after delay, as a request over the internet would.
type site struct {
	srv   *httptest.Server
	delay time.Duration
}

func newSite(delay time.Duration) *site {
	s := &site{delay: delay}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page/{n}", func(w http.ResponseWriter, r *http.Request) {
		if s.wait(r) {
			fmt.Fprintf(w, "<html><body>page %s</body></html>\n", r.PathValue("n"))
		}
	})
	mux.HandleFunc("GET /gone/{n}", func(w http.ResponseWriter, r *http.Request) {
		if s.wait(r) {
			http.NotFound(w, r)
		}
	})
	s.srv = httptest.NewServer(mux)
	return s
}

func (s *site) wait(r *http.Request) bool {
	select {
	case <-time.After(s.delay):
		return true
	case <-r.Context().Done():
		return false
	}
}

// links returns n links of the site; every brokenEvery-th one is gone (none
// when brokenEvery is 0).
func (s *site) links(n, brokenEvery int) []string {
	out := make([]string, n)
	for i := range out {
		kind := "page"
		if brokenEvery > 0 && (i+1)%brokenEvery == 0 {
			kind = "gone"
		}
		out[i] = fmt.Sprintf("%s/%s/%d", s.srv.URL, kind, i)
	}
	return out
}

func (s *site) Close() { s.srv.Close() }
