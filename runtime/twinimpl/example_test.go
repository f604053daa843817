package twinimpl_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/daskgen/daskgen/runtime"
	"github.com/daskgen/daskgen/runtime/twinimpl"
)

// What a generated twin does for
//
//	for _, s := range words {
//		n, err := count(s)
//		if err != nil {
//			return 0, fmt.Errorf("%q: %w", s, err)
//		}
//		total += n
//	}
//
// written by hand: every task is tracked, the error idiom is registered with
// Check, and Finish returns the failure the loop would have met first.
func ExampleTwin() {
	count := runtime.Func1E(func(s string) (int, error) {
		if s == "" {
			return 0, errors.New("empty word")
		}
		return len(s), nil
	})
	twin := func(ctx context.Context, words []string) (int, error) {
		tw := twinimpl.NewTwin(ctx)
		var onErr []func(error) (int, error)
		var total runtime.Delayed[int]
		for _, s := range words {
			n := twinimpl.Track(tw, count.Call(runtime.Value(s)))
			tw.Check(n)
			onErr = append(onErr, func(err error) (int, error) { return 0, fmt.Errorf("%q: %w", s, err) })
			total = twinimpl.Track(tw, twinimpl.Call2(func(a, b int) int { return a + b }, total, n))
		}
		if i, err := tw.Finish(total); err != nil {
			if i >= 0 {
				return onErr[i](err)
			}
			return 0, err
		}
		return total.Must(), nil
	}
	fmt.Println(twin(context.Background(), []string{"to", "be", "or"}))
	fmt.Println(twin(context.Background(), []string{"to", "", "be", ""}))
	// Output:
	// 6 <nil>
	// 0 "": empty word
}

// Wait is a barrier: eager code that needs a value waits for it, and reads
// it with Must.
func ExampleTwin_Wait() {
	double := runtime.Func1(func(x int) int { return 2 * x })
	tw := twinimpl.NewTwin(context.Background())
	d := twinimpl.Track(tw, double.Call(runtime.Value(21)))
	if _, err := tw.Wait(d); err != nil {
		fmt.Println(err)
		return
	}
	if d.Must() > 40 {
		fmt.Println("big:", d.Must())
	}
	// Output: big: 42
}

// Check registers an error idiom; Finish reports the first registered task
// in program order that failed, here the second, although the third fails
// too.
func ExampleTwin_Check() {
	parse := runtime.Func1E(func(s string) (int, error) {
		if strings.HasPrefix(s, "x") {
			return 0, fmt.Errorf("bad %s", s)
		}
		return len(s), nil
	})
	tw := twinimpl.NewTwin(context.Background())
	for _, s := range []string{"a", "xb", "xc"} {
		tw.Check(twinimpl.Track(tw, parse.Call(runtime.Value(s))))
	}
	i, err := tw.Finish()
	fmt.Println(i, err)
	// Output: 1 bad xb
}

// Track records a task as the twin's, so that Finish runs it even when no
// later task reads its value.
func ExampleTrack() {
	var logged []string
	logf := runtime.Func1(func(s string) int { logged = append(logged, s); return len(s) })
	tw := twinimpl.NewTwin(context.Background())
	twinimpl.Track(tw, logf.Call(runtime.Value("ran")))
	_, err := tw.Finish()
	fmt.Println(logged, err)
	// Output: [ran] <nil>
}

// A Worklist runs an unordered loop: pushed delayed items start at once, and
// Fill waits for the next one to be ready.
func ExampleWorklist() {
	site := map[string][]string{"/": {"/a", "/b"}, "/a": {"/c"}, "/b": {}, "/c": {"/"}}
	links := runtime.Func1(func(page string) []string { return site[page] })
	tw := twinimpl.NewTwin(context.Background())
	queue := twinimpl.NewWorklist(tw, []string{"/"})
	defer queue.Close()
	seen := map[string]bool{}
	for {
		if _, err := queue.Fill(); err != nil {
			fmt.Println(err)
			return
		}
		if len(queue.Items()) == 0 {
			break
		}
		page := queue.Items()[0]
		queue.Set(queue.Items()[1:])
		if seen[page] {
			continue
		}
		seen[page] = true
		queue.PushAll(links.Call(runtime.Value(page)))
	}
	pages := slices.Sorted(func(yield func(string) bool) {
		for p := range seen {
			if !yield(p) {
				return
			}
		}
	})
	fmt.Println(pages)
	// Output: [/ /a /b /c]
}

// A delayed function with several results has a tuple as its value.
func ExampleTuple2() {
	divmod := runtime.Func2(func(a, b int) twinimpl.Tuple2[int, int] {
		return twinimpl.Tuple2[int, int]{V0: a / b, V1: a % b}
	})
	t, _ := runtime.Compute(context.Background(), divmod.Call(runtime.Value(17), runtime.Value(5)))
	fmt.Println(t.V0, t.V1)
	// Output: 3 2
}

// Recover is for a twin's deferred function: an eager panic after a failed
// task becomes that task's failure, as the sequential function would have
// returned it before reaching the panic.
func ExampleTwin_Recover() {
	check := runtime.Func1E(func(x int) (int, error) {
		if x < 0 {
			return 0, errors.New("negative")
		}
		return x, nil
	})
	table := []string{"a", "b"}
	twin := func(ctx context.Context, xs []int) (out []string, err error) {
		tw := twinimpl.NewTwin(ctx)
		defer func() {
			if p := recover(); p != nil {
				_, err = tw.Recover(p)
			}
		}()
		for _, x := range xs {
			tw.Check(twinimpl.Track(tw, check.Call(runtime.Value(x))))
			out = append(out, table[x]) // eager: panics for x = -1
		}
		_, err = tw.Finish()
		return out, err
	}
	_, err := twin(context.Background(), []int{1, -1})
	fmt.Println(err)
	// Output: negative
}

// Error keeps an error in a task's value: the error itself in this
// process, its text in another.
func ExampleError() {
	b, _ := twinimpl.Error{Err: errors.New("disk full")}.MarshalBinary()
	var e twinimpl.Error
	e.UnmarshalBinary(b)
	var re *runtime.RemoteError
	fmt.Println(e.Err, errors.As(e.Err, &re))
	// Output: disk full true
}

// What a generated twin does for a loop that prints each result as it goes,
//
//	for _, w := range words {
//		fmt.Printf("%s has %d letters\n", w, length(w))
//	}
//
// written by hand: the issue part runs ahead in the Pipeline's producer and
// starts every call, the eager part prints in the loop's order, each
// iteration waiting for its own value only.
func ExamplePipeline() {
	length := runtime.Func1(func(s string) int { return len(s) })
	type iteration struct {
		w      string
		length runtime.Delayed[int]
	}
	words := []string{"pipelined", "loops", "keep", "order"}
	tw := twinimpl.NewTwin(context.Background())
	defer tw.Close()
	for it, st := range twinimpl.Pipeline(tw, twinimpl.DefaultWindow, twinimpl.Reuse, func(p *twinimpl.Producer[iteration]) {
		for _, w := range words {
			if !p.Next(func(it *iteration, st *twinimpl.Step) {
				it.w = w
				st.At(1)
				it.length = twinimpl.Issue1(st, length, runtime.Value(it.w))
			}) {
				return
			}
		}
	}) {
		tw.Adopt(st, 1)
		if _, err := twinimpl.Await(tw, it.length); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s has %d letters\n", it.w, it.length.Must())
	}
	// Output:
	// pipelined has 9 letters
	// loops has 5 letters
	// keep has 4 letters
	// order has 5 letters
}
