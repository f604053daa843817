package twinimpl

// Tuples hold the results of a delayed function with several results: the
// task's value is a tuple, and generated code reads each result from it with
// a small task. They are plain structs; use them in hand-written code too.

// Tuple2 holds 2 results.
type Tuple2[A, B any] struct {
	V0 A
	V1 B
}

// Tuple3 holds 3 results.
type Tuple3[A, B, C any] struct {
	V0 A
	V1 B
	V2 C
}

// Tuple4 holds 4 results.
type Tuple4[A, B, C, D any] struct {
	V0 A
	V1 B
	V2 C
	V3 D
}

// Tuple5 holds 5 results.
type Tuple5[A, B, C, D, E any] struct {
	V0 A
	V1 B
	V2 C
	V3 D
	V4 E
}

// Tuple6 holds 6 results.
type Tuple6[A, B, C, D, E, F any] struct {
	V0 A
	V1 B
	V2 C
	V3 D
	V4 E
	V5 F
}
