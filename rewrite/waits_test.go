package rewrite

import (
	"strings"
	"testing"
)

// TestOneWaitPerValue checks which repeated waits the pass leaves out: only
// those an earlier wait in the same or an enclosing block makes useless.
func TestOneWaitPerValue(t *testing.T) {
	await := func(v string) string {
		return "if i, err := " + rtName("Await") + "(tw, " + v + "); err != nil {\nreturn fail(i, err)\n}\n"
	}
	fn := func(body string) string { return "func f() {\n" + body + "}\n" }
	for _, c := range []struct {
		name, in string
		waits    int // the waits left
	}{
		{"same block", await("d") + "x := d.Must()\n" + await("d") + "y := d.Must()\n", 1},
		{"nested block", await("d") + "if d.Must() > 0 {\n" + await("d") + "use(d.Must())\n}\n", 1},
		{"field", await("it.size") + "if c {\n" + await("it.size") + "}\n", 1},
		{"two values", await("d") + await("e") + await("d"), 2},
		{"reassigned", await("d") + "d = next()\n" + await("d"), 2},
		{"reassigned in an inner block", await("d") + "if c {\nd = next()\n}\n" + await("d"), 2},
		{"redefined in a block", await("d") + "{\nd := next()\n" + await("d") + "}\n", 2},
		{"its struct reassigned", await("it.size") + "it = other\n" + await("it.size"), 2},
		{"loop that assigns it", await("d") + "for range xs {\n" + await("d") + "d = next()\n}\n", 2},
		{"loop that does not", await("d") + "for range xs {\n" + await("d") + "use(d.Must())\n}\n", 1},
		{"sibling blocks", "if c {\n" + await("d") + "} else {\n" + await("d") + "}\n", 2},
		{"after a block", "if c {\n" + await("d") + "}\n" + await("d"), 2},
		{"closure", await("d") + "go func() {\n" + await("d") + "}()\n", 2},
		{"address taken", await("d") + "p := &d\n" + await("d"), 2},
		{"case clause", await("d") + "switch x {\ncase 1:\n" + await("d") + "}\n", 1},
	} {
		out := oneWaitPerValue(fn(c.in))
		if n := strings.Count(out, "Await"); n != c.waits {
			t.Errorf("%s: %d waits left, want %d:\n%s", c.name, n, c.waits, out)
		}
	}
}
