package natsexec

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// FuzzDecodeTask feeds anything to the decoder of task messages: it must
// return a task or an error, never panic, and what it accepts must be a
// task a worker can handle.
func FuzzDecodeTask(f *testing.F) {
	good, _ := cbor.Marshal(taskMsg{ID: "abc.1", Fn: "pkg.f", Args: [][]byte{{1}, {2, 3}}})
	blob, _ := cbor.Marshal(taskMsg{ID: "abc.2", Fn: "pkg.g", Blob: "args.abc.2"})
	for _, seed := range [][]byte{good, blob, nil, []byte("junk"), {0xa1, 0x01, 0x60}, {0x9f, 0x9f, 0x9f}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		task, err := decodeTask(b)
		if err != nil {
			return
		}
		if !validKey(task.ID) || task.Fn == "" || len(task.Args) > maxArgs {
			t.Errorf("accepted %+v", task)
		}
	})
}

func TestDecodeTask(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		msg taskMsg
		ok  bool
	}{
		{taskMsg{ID: "c.1", Fn: "p.f"}, true},
		{taskMsg{ID: "", Fn: "p.f"}, false},
		{taskMsg{ID: "c.1", Fn: ""}, false},
		{taskMsg{ID: "c 1", Fn: "p.f"}, false},
		{taskMsg{ID: "c.1", Fn: "p.f", Args: make([][]byte, maxArgs+1)}, false},
		{taskMsg{ID: "c.1", Fn: "p.f", Blob: "../x"}, false},
	} {
		b, _ := cbor.Marshal(tc.msg)
		if _, err := decodeTask(b); (err == nil) != tc.ok {
			t.Errorf("%+v: err %v, want ok=%v", tc.msg, err, tc.ok)
		}
	}
}

// row is a typical argument: a struct with numbers, a string and a slice.
type row struct {
	ID     int
	Name   string
	Scores []float64
	Tags   map[string]int
}

var sample = row{ID: 42, Name: "question-42", Scores: []float64{1.5, 2.25, 3.125, 4, 5, 6, 7, 8},
	Tags: map[string]int{"dask": 3, "go": 5}}

// BenchmarkCodec compares the default codec, CBOR, with encoding/gob, the
// baseline the issue names, on one typical argument encoded and decoded on
// its own, as each task's arguments are.
func BenchmarkCodec(b *testing.B) {
	b.Run("cbor", func(b *testing.B) {
		var n int
		for b.Loop() {
			data, err := cbor.Marshal(sample)
			if err != nil {
				b.Fatal(err)
			}
			n = len(data)
			var out row
			if err := cbor.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("gob", func(b *testing.B) {
		var n int
		for b.Loop() {
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(sample); err != nil {
				b.Fatal(err)
			}
			n = buf.Len()
			var out row
			if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "bytes")
	})
}
