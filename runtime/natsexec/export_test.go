package natsexec

import "github.com/fxamacker/cbor/v2"

// ForgeResult is what a process that holds the result secret can store as
// the result of task id (function fn, arguments args): a result of value,
// signed as a worker signs it, for the tests that check who may store one.
func ForgeResult(secret []byte, id, fn string, args [][]byte, value []byte) []byte {
	r := resultMsg{Value: value, Worker: "forger"}
	sign(secret, taskDigest(id, fn, args), &r)
	b, err := cbor.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}
