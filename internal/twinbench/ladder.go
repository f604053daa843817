package twinbench

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// The ladder: one loop shape, out[i] = f(x), with bodies of growing cost,
// to see where a twin starts to pay (issue 11). Each rung has a delayed
// function and a parallel function that stores its results by index.

// Block is one item of the ladder's loops.
type Block struct {
	N    uint64
	Data []byte
}

// Blocks makes n blocks of size bytes each.
func Blocks(n, size int) []Block {
	bs := make([]Block, n)
	for i := range bs {
		d := make([]byte, size)
		for j := range d {
			d[j] = byte(i*31 + j*7)
		}
		bs[i] = Block{N: uint64(i), Data: d}
	}
	return bs
}

// trivial costs a few nanoseconds.
//
//daskgen:delayed
func trivial(b Block) uint64 { return b.N*b.N + 1 }

// mix costs about 100 ns: a xorshift generator run 40 times.
//
//daskgen:delayed
func mix(b Block) uint64 {
	x := b.N | 1
	for range 40 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// digest costs about 1 µs on 1 KiB: sha256 of the block.
//
//daskgen:delayed
func digest(b Block) [32]byte { return sha256.Sum256(b.Data) }

// digest10 costs about 10 µs on 1 KiB: sha256 of the block, ten times over.
//
//daskgen:delayed
func digest10(b Block) [32]byte {
	s := sha256.Sum256(b.Data)
	for range 9 {
		h := sha256.New()
		h.Write(b.Data)
		h.Write(s[:])
		h.Sum(s[:0])
	}
	return s
}

// sleepy waits a millisecond, like a short call on the network.
//
//daskgen:delayed
func sleepy(b Block) uint64 {
	time.Sleep(time.Millisecond)
	return b.N
}

// Trivial stores trivial(b) for every block.
//
//daskgen:parallel
func Trivial(bs []Block) []uint64 {
	out := make([]uint64, len(bs))
	for i, b := range bs {
		out[i] = trivial(b)
	}
	return out
}

// Mix stores mix(b) for every block.
//
//daskgen:parallel
func Mix(bs []Block) []uint64 {
	out := make([]uint64, len(bs))
	for i, b := range bs {
		out[i] = mix(b)
	}
	return out
}

// Digest stores digest(b) for every block.
//
//daskgen:parallel
func Digest(bs []Block) [][32]byte {
	out := make([][32]byte, len(bs))
	for i, b := range bs {
		out[i] = digest(b)
	}
	return out
}

// Digest10 stores digest10(b) for every block.
//
//daskgen:parallel
func Digest10(bs []Block) [][32]byte {
	out := make([][32]byte, len(bs))
	for i, b := range bs {
		out[i] = digest10(b)
	}
	return out
}

// Sleepy stores sleepy(b) for every block.
//
//daskgen:parallel
func Sleepy(bs []Block) []uint64 {
	out := make([]uint64, len(bs))
	for i, b := range bs {
		out[i] = sleepy(b)
	}
	return out
}

// Fold sums trivial(b) over the blocks: the shape whose memory must stay
// bounded however many iterations it has.
//
//daskgen:parallel
func Fold(bs []Block) uint64 {
	var total uint64
	for _, b := range bs {
		total += trivial(b)
	}
	return total
}

// square is a trivial delayed call on an int.
//
//daskgen:delayed
func square(i int) uint64 { return uint64(i) * uint64(i) }

// FoldRange sums square(i) for i below n: a fold whose memory must not grow
// with n.
//
//daskgen:parallel
func FoldRange(n int) uint64 {
	var total uint64
	for i := range n {
		total += square(i)
	}
	return total
}

// page stands for an API call that returns the cursor of the next page:
// about 10 µs of work (digest10), and the next cursor taken from it.
//
//daskgen:delayed
func page(bs []Block, cursor int) (int, uint64, error) {
	s := digest10(bs[cursor])
	if s[0] == 0 && s[1] == 0 && s[2] == 0 {
		return 0, 0, fmt.Errorf("page %d: unlucky digest", cursor)
	}
	return (cursor*31 + int(s[0])) % len(bs), uint64(s[1]), nil
}

// Cursor pages through an API as clients do: each call reads the cursor
// the call before it returned, so the loop cannot run ahead and the plan
// says so. Its twin should cost what the loop costs: the one call each
// wait needs runs where the twin waits, as F runs it.
//
//daskgen:parallel
func Cursor(bs []Block, pages int) (uint64, error) {
	cursor := 0
	var total uint64
	for range pages {
		next, n, err := page(bs, cursor)
		if err != nil {
			return total, err
		}
		total += n
		if next == 0 {
			break
		}
		cursor = next
	}
	return total, nil
}
