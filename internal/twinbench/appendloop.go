package twinbench

// The most common loop in Go, out = append(out, f(x)) (issue 22): its twin
// issues the calls ahead and appends each result in the eager part, in F's
// order, as it does for out[i] = f(x).

// Digests appends digest(b) for every block.
//
//daskgen:parallel
func Digests(bs []Block) [][32]byte {
	var out [][32]byte
	for _, b := range bs {
		out = append(out, digest(b))
	}
	return out
}

// DigestsNamed names the result before appending it.
//
//daskgen:parallel
func DigestsNamed(bs []Block) [][32]byte {
	var out [][32]byte
	for _, b := range bs {
		h := digest(b)
		out = append(out, h)
	}
	return out
}
