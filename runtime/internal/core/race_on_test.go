//go:build race

package core_test

// raceEnabled says the tests run with the race detector, which slows every
// call about tenfold: cheap calls then measure over the cost under which a
// producer runs them inline, and allocation counts of inline loops no
// longer hold.
const raceEnabled = true
