package errorreturn

import "errors"

//daskgen:delayed
func half(x int) (int, error) {
	if x%2 != 0 {
		return 0, errors.New("odd")
	}
	return x / 2, nil
}

// Partial returns what it has so far along with the error.
//
//daskgen:parallel
func Partial(xs []int) ([]int, error) {
	var out []int
	for _, x := range xs {
		h, err := half(x)
		if err != nil {
			return out, err
		}
		out = append(out, h)
	}
	return out, nil
}
