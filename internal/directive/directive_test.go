package directive

import (
	"go/ast"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		text string
		ok   bool
		want string // the directive's String, or the error's text
	}{
		{"// plain comment", false, ""},
		{"//go:generate daskgen", false, ""},
		{"//daskgen:delayed", true, "//daskgen:delayed"},
		{"//daskgen:delayed pure retries=3 limit=2", true, "//daskgen:delayed pure retries=3 limit=2"},
		{"//daskgen:delayed retries=0", true, "//daskgen:delayed retries=0"},
		{"//daskgen:delayed locked retries=2", true, "//daskgen:delayed locked retries=2"},
		{"//daskgen:delayed locked=1", true, `error: option locked of //daskgen:delayed takes no value, got "locked=1"`},
		{"//daskgen:parallel", true, "//daskgen:parallel"},
		{"//daskgen:parallel workers=4 unordered", true, "//daskgen:parallel workers=4 unordered"},
		{"//daskgen:parallel // want `something`", true, "//daskgen:parallel"},
		{"//daskgen:delayed // slow: reads the network", true, "//daskgen:delayed"},
		{"//daskgen:parallel window=64 workers=2// tuned", true, "//daskgen:parallel workers=2 window=64"},
		{"//daskgen:parallel window=0", true, `error: option "window=0": window must be a whole number of at least 1`},
		{"//daskgen:delayed retries=-1", true, `error: option "retries=-1": retries must be a whole number of at least 0`},
		{"//daskgen:delayed limit=0", true, `error: option "limit=0": limit must be a whole number of at least 1`},
		{"//daskgen:delayed limit", true, "error: option limit needs a value, as in limit=2"},
		{"//daskgen:delayed pure=yes", true, `error: option pure of //daskgen:delayed takes no value, got "pure=yes"`},
		{"//daskgen:delayed pure pure", true, "error: option pure given twice in //daskgen:delayed"},
		{"//daskgen:delayed workers=2", true, `error: unknown option "workers=2" for //daskgen:delayed; the options are pure, locked, retries=N and limit=N`},
		{"//daskgen:parallel pure", true, `error: unknown option "pure" for //daskgen:parallel; the options are workers=N, window=N and unordered`},
		{"//daskgen:parallel workers=x", true, `error: option "workers=x": workers must be a whole number of at least 1`},
		{"//daskgen:paralel", true, "error: unknown directive //daskgen:paralel; daskgen knows //daskgen:delayed and //daskgen:parallel"},
		{"//daskgen:paralel workers=2", true, "error: unknown directive //daskgen:paralel; daskgen knows //daskgen:delayed and //daskgen:parallel"},
		{"//daskgen:", true, `error: malformed directive "//daskgen:": write //daskgen:delayed or //daskgen:parallel, with no space after the colon`},
		{"//daskgen: delayed", true, `error: malformed directive "//daskgen: delayed": write //daskgen:delayed or //daskgen:parallel, with no space after the colon`},
	}
	for _, c := range cases {
		d, ok, err := Parse(&ast.Comment{Slash: 10, Text: c.text})
		if ok != c.ok {
			t.Errorf("Parse(%q) ok = %v, want %v", c.text, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		got := d.String()
		if err != nil {
			got = "error: " + err.Error()
			if err.(*Error).Pos != 10 {
				t.Errorf("Parse(%q) error has no position", c.text)
			}
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %s\nwant %s", c.text, got, c.want)
		}
	}
}

func TestAll(t *testing.T) {
	g := &ast.CommentGroup{List: []*ast.Comment{
		{Text: "// Fetch downloads a page."},
		{Text: "//daskgen:delayed retries=2"},
		{Text: "//daskgen:bogus"},
	}}
	ds, errs := All(g)
	if len(ds) != 1 || ds[0].Retries != 2 || ds[0].Name != Delayed {
		t.Errorf("directives = %+v", ds)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bogus") {
		t.Errorf("errors = %v", errs)
	}
	if ds, errs := All(nil); ds != nil || errs != nil {
		t.Errorf("All(nil) = %v, %v", ds, errs)
	}
}

// FuzzParse feeds arbitrary comment text to Parse: it never panics, every
// error has the comment's position, and a directive it accepts reads the
// same when written back with String and parsed again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"//daskgen:delayed pure retries=3 limit=2", "//daskgen:parallel workers=4 unordered",
		"//daskgen:", "//daskgen:delayed retries=", "//daskgen:parallel // want `x`", "// plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, ok, err := Parse(&ast.Comment{Slash: 7, Text: text})
		if !ok {
			if strings.HasPrefix(text, Prefix) {
				t.Fatalf("Parse(%q) ignored a daskgen directive", text)
			}
			return
		}
		if err != nil {
			if err.(*Error).Pos != 7 {
				t.Fatalf("Parse(%q): error without the comment's position", text)
			}
			return
		}
		again, ok, err := Parse(&ast.Comment{Slash: 7, Text: d.String()})
		if !ok || err != nil || again != d {
			t.Fatalf("Parse(%q) = %+v; its String %q parses to %+v, %v", text, d, d.String(), again, err)
		}
	})
}
