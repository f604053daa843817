package natsexec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// CBOR is the default codec: RFC 8949 through fxamacker/cbor. It encodes
// the values of typical delayed functions (numbers, strings, slices, maps,
// structs) several times faster and smaller than encoding/gob, which writes
// its type descriptions into every message (see BenchmarkCodec).
type CBOR struct{}

// Marshal encodes v.
func (CBOR) Marshal(v any) ([]byte, error) { return cbor.Marshal(v) }

// Unmarshal decodes data into v.
func (CBOR) Unmarshal(data []byte, v any) error { return cbor.Unmarshal(data, v) }

// taskMsg is a task on the stream.
type taskMsg struct {
	ID   string   `cbor:"1,keyasint"`           // "<client>.<n>": the key of its result
	Fn   string   `cbor:"2,keyasint"`           // the registered name of the function
	Args [][]byte `cbor:"3,keyasint,omitempty"` // the encoded arguments
	Blob string   `cbor:"4,keyasint,omitempty"` // or the object that holds them
}

// resultMsg is a task's result in the bucket.
type resultMsg struct {
	Value  []byte `cbor:"1,keyasint,omitempty"` // the encoded result
	Blob   string `cbor:"2,keyasint,omitempty"` // or the object that holds it
	Err    string `cbor:"3,keyasint,omitempty"` // the function's error
	Failed bool   `cbor:"4,keyasint,omitempty"`
	Panic  string `cbor:"5,keyasint,omitempty"` // the panic value, printed
	Stack  string `cbor:"6,keyasint,omitempty"`
	Unreg  bool   `cbor:"7,keyasint,omitempty"` // no function of this name in the worker
	// BlobSum is the SHA-256 of the object Blob names; Sig the worker's
	// signature of the result (see sign.go).
	BlobSum []byte `cbor:"8,keyasint,omitempty"`
	Sig     []byte `cbor:"9,keyasint,omitempty"`
	// Worker names the worker process that ran the task, for the client's
	// dashboard.
	Worker string `cbor:"10,keyasint,omitempty"`

	fail     error  // the executor failed the task (server lost, stream deleted, no answer); never sent
	rejected bool   // every result failed verification; never sent
	seq      uint64 // its message in the bucket's stream, which the executor removes; never sent
}

// maxArgs bounds the arguments of a task: the runtime makes tasks of up to
// six arguments.
const maxArgs = 16

var strict, _ = cbor.DecOptions{
	DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	MaxArrayElements: 1 << 20,
	MaxMapPairs:      1 << 10,
	MaxNestedLevels:  8,
}.DecMode()

var errMalformed = errors.New("malformed task message")

// decodeTask decodes and checks a task message from the stream. Anything
// can be published on the subject; what is not a task is an error, never a
// panic.
func decodeTask(b []byte) (*taskMsg, error) {
	var t taskMsg
	if err := strict.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	switch {
	case !validKey(t.ID):
		return nil, fmt.Errorf("%w: bad id %q", errMalformed, t.ID)
	case t.Fn == "" || len(t.Fn) > 512:
		return nil, fmt.Errorf("%w: bad function name", errMalformed)
	case len(t.Args) > maxArgs:
		return nil, fmt.Errorf("%w: %d arguments", errMalformed, len(t.Args))
	case t.Blob != "" && (len(t.Args) > 0 || !validKey(t.Blob)):
		return nil, fmt.Errorf("%w: bad blob reference", errMalformed)
	}
	return &t, nil
}

// validKey reports whether s can be a key of the bucket and an object name.
func validKey(s string) bool {
	if s == "" || len(s) > 200 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
