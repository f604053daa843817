package mutation

import "crypto/sha256"

// HashedEach reuses one hash for every item, as file hashers do: Sum(nil)
// appends the digest to nil, so each task gets memory of its own, which
// Reset and Write do not touch.
//
//daskgen:parallel
func HashedEach(items [][]byte) int {
	h := sha256.New()
	n := 0
	for _, b := range items {
		h.Reset()
		h.Write(b)
		n += byteSize(h.Sum(nil))
	}
	return n
}

// HashedInto hands each task the digest appended to buf's memory, which the
// next iteration's Sum overwrites.
//
//daskgen:parallel
func HashedInto(items [][]byte) int {
	h := sha256.New()
	buf := make([]byte, 0, sha256.Size)
	n := 0
	for _, b := range items {
		h.Reset()
		h.Write(b)
		n += byteSize(h.Sum(buf[:0])) // want `h.Sum\(buf\[:0\]\) returns memory that h.Reset at line \d+ overwrites while the task may still read it; pass a copy \(for a \[\]byte, bytes.Clone\(h.Sum\(buf\[:0\]\)\)\)$` `h.Sum\(buf\[:0\]\) returns memory that h.Write at line \d+ overwrites`
	}
	return n
}
