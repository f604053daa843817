package mutation

import (
	"bufio"
	"io"

	"example.com/slow"
	"slices"
	"sort"
)

//daskgen:delayed
func total(xs []int) int { // want total:"delayed"
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

type box struct {
	items []int
	n     int
}

//daskgen:delayed
func size(b box) int { return len(b.items) + b.n } // want size:"delayed"

//daskgen:delayed
func lookup(m map[string]int, k string) int { return m[k] } // want lookup:"delayed"

// The buffer is reused: the next iteration changes what the task reads.
//
//daskgen:parallel
func Reused(n int) []int {
	var sums []int
	buf := make([]int, 4)
	for i := 0; i < n; i++ {
		buf[0] = i // want `buf is passed to delayed call total at line 40 and changed here before the graph runs, so the task could see the change; pass a copy \(for a slice, slices.Clone\(buf\)\) or change a new value`
		sums = append(sums, total(buf))
	}
	return sums
}

// Changed after the call, in the same iteration.
//
//daskgen:parallel
func After(xs []int) int { // want After:"writes params 0"
	t := total(xs)
	sort.Ints(xs) // want `xs is passed to delayed call total at line 49 and changed here before the graph runs`
	return t
}

// A struct holding a slice, its slice changed.
//
//daskgen:parallel
func Struct(b box) int { // want Struct:"writes params 0"
	n := size(b)
	b.items[0] = 9 // want `b is passed to delayed call size at line 58 and changed here before the graph runs`
	b.n = 3        // a field of the copy: fine
	return n
}

// A map written after it was passed.
//
//daskgen:parallel
func Map(m map[string]int) int { // want Map:"writes params 0"
	v := lookup(m, "a")
	m["a"] = 2     // want `m is passed to delayed call lookup at line 68 and changed here before the graph runs`
	delete(m, "b") // want `m is passed to delayed call lookup at line 68 and changed here before the graph runs`
	return v
}

// Changed by a function whose fact says it writes its parameter.
//
//daskgen:parallel
func ByCall(xs []int) int { // want ByCall:"writes params 0"
	t := total(xs)
	slow.Fill(xs) // want `xs is passed to delayed call total at line 78 and changed here before the graph runs`
	return t
}

// A copy is safe.
//
//daskgen:parallel
func Copied(xs []int) int { // want Copied:"writes params 0"
	t := total(slices.Clone(xs))
	xs[0] = 1
	return t
}

var cache = map[string]string{}

//daskgen:delayed
func remember(k string) string { // want remember:"delayed" remember:"writes globals mutation.cache"
	cache[k] = k // want `delayed function remember writes package variable mutation.cache; its tasks run concurrently and in any order, so return the value instead of storing it`
	return k
}

//daskgen:delayed
func scale(xs []float64, f float64) []float64 { // want scale:"delayed" scale:"writes params 0" scale:"aliases params 0"
	for i := range xs {
		xs[i] *= f // want `delayed function scale writes through its parameter xs; the caller's value would change while other tasks read it, so return a new value instead`
	}
	return xs
}

type counter struct{ n int }

//daskgen:delayed
func (c *counter) bump() int { // want bump:"delayed" bump:"writes receiver"
	c.n++ // want `delayed method bump writes through its receiver; its tasks run concurrently, so return a new value instead of changing the receiver`
	return c.n
}

//daskgen:delayed
func counts() int { // want counts:"delayed" counts:"writes globals slow.hits"
	return slow.Count() // want `delayed function counts writes package variable slow.hits`
}

//daskgen:delayed
func byteSize(b []byte) int { return len(b) } // want byteSize:"delayed"

//daskgen:parallel
func ScannerBytes(r io.Reader) int {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n += byteSize(sc.Bytes()) // want `sc.Bytes\(\) returns memory that sc.Scan at line \d+ overwrites while the task may still read it; pass a copy \(for a \[\]byte, bytes.Clone\(sc.Bytes\(\)\)\), or a string \(sc.Text\(\)\)`
	}
	return n
}

//daskgen:parallel
func ReusedBuffer(r io.Reader) int {
	buf := make([]byte, 512)
	n := 0
	for {
		k, err := r.Read(buf) // want `buf is passed to delayed call byteSize at line \d+ and changed here before the graph runs, so the task could see the change; pass a copy \(for a slice, slices.Clone\(buf\)\) or change a new value`
		n += byteSize(buf[:k])
		if err != nil {
			return n
		}
	}
}

// Scaled calls scale, which is refused where it is declared: its calls get
// no second message.
//
//daskgen:parallel
func Scaled(rows [][]float64) int {
	n := 0
	for _, r := range rows {
		n += len(scale(r, 2))
	}
	return n
}

// hooks are callbacks a caller sets, as gocloc's ClocOptions.OnCode.
type hooks struct {
	onLine func(string)
}

func countLines(text []string, h *hooks) int { // want countLines:"writes calls param 1"
	n := 0
	for _, l := range text {
		h.onLine(l)
		n++
	}
	return n
}

//daskgen:delayed
func lines(text []string, h *hooks) int { // want lines:"delayed" lines:"writes calls param 1"
	return countLines(text, h) // want `delayed function lines passes h to countLines, which calls a function value in it: daskgen cannot check what that value does, and its tasks would call it concurrently and in any order, where F calls it in order. Call it in eager code with the task's results, or leave lines unmarked`
}

//daskgen:delayed
func apply(f func(int) int, x int) int { // want apply:"delayed" apply:"writes calls param 0"
	return f(x) // want `delayed function apply calls the function value f: daskgen cannot check what that value does`
}

//daskgen:delayed
func squares(n int) int { // want squares:"delayed"
	sq := func(x int) int { return x * x } // a function value it makes itself
	return sq(n)
}
