package syncs

import "strconv"

//daskgen:delayed
func lookup(key string) int { return len(key) } // want lookup:"delayed"

type keyer interface{ Key() string }

type plainKey int

func (k plainKey) Key() string { return strconv.Itoa(int(k)) }

// countingKey's Key writes a package variable: it does more than compute.
type countingKey int

var keyCalls int

func (k countingKey) Key() string { // want Key:"writes globals syncs.keyCalls"
	keyCalls++
	return strconv.Itoa(int(k))
}

// Open is exported and its constraint is open: other packages may
// instantiate it with any type that has a Key method.
//
//daskgen:parallel
func Open[K keyer](ks []K) []int {
	out := make([]int, len(ks))
	for i, k := range ks {
		out[i] = lookup(k.Key()) // want `the result of lookup\(k.Key\(\)\) is needed by eager code here \(stored into out\[i\]\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because lookup\(k.Key\(\)\) calls k.Key through the constraint of type parameter K, which daskgen cannot run ahead of the loop's eager code: K's constraint does not say which types it stands for, and other packages may instantiate Open with types of their own`
	}
	return out
}

// closed is unexported; the package instantiates it with plainKey and
// countingKey, and countingKey's Key counts its calls.
//
//daskgen:parallel
func closed[K keyer](ks []K) []int {
	out := make([]int, len(ks))
	for i, k := range ks {
		out[i] = lookup(k.Key()) // want `the result of lookup\(k.Key\(\)\) is needed by eager code here \(stored into out\[i\]\), so the loop waits for it in every iteration: it cannot issue later iterations' calls ahead, because lookup\(k.Key\(\)\) calls k.Key, which for syncs.countingKey is \(syncs.countingKey\).Key, a method that does more than compute`
	}
	return out
}

// Closed instantiates closed.
func Closed(ps []plainKey, cs []countingKey) ([]int, []int) {
	return closed(ps), closed(cs)
}

// known is unexported and instantiated with plainKey only: Key runs ahead.
//
//daskgen:parallel
func known[K keyer](ks []K) []int {
	out := make([]int, len(ks))
	for i, k := range ks {
		out[i] = lookup(k.Key()) // pipelined: waits for its own iteration only
	}
	return out
}

// Known instantiates known.
func Known(ps []plainKey) []int { return known(ps) }
