package natsexec

import (
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// BenchmarkSignAndVerify is what results signed over the task add to one
// task of BenchmarkNoop5000, in CPU time alone, which a shared machine's
// load does not blur as it blurs BenchmarkNoop5000's wall clock: the
// client's digest of the task it sends, the worker's digest and signature
// of its result, and the client's check, for a no-op task (one small
// argument, a small result).
func BenchmarkSignAndVerify(b *testing.B) {
	secret := []byte("a secret of the benchmark's own")
	arg, _ := cbor.Marshal(12345)
	args := [][]byte{arg}
	id, fn := "SkqYJvAh0HrECsQuGjCK1M.1k7", "natsexec_test.noop"
	for b.Loop() {
		sent := taskDigest(id, fn, args) // the client, in Run
		r := resultMsg{Value: arg, Worker: "host:12345"}
		sign(secret, taskDigest(id, fn, args), &r) // the worker
		if !verify(secret, sent, &r) {             // the client, in deliver
			b.Fatal("does not verify")
		}
	}
}
