//go:build !race

package core_test

// raceEnabled says the tests run with the race detector (see race_on_test.go).
const raceEnabled = false
