package natsexec

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

// Results are authenticated end to end with a keyed MAC (HMAC-SHA256): the
// workers and the clients of a deployment share a secret, a worker signs
// each result with it, and an executor that has it accepts only results
// signed with it. A process that can write to the results bucket without
// the secret (one that holds a worker's credentials, say: the quickstart's
// clients may not write there) can write a result, but not one that a
// client accepts: the client drops it, says so through Logf, and goes on
// waiting for the worker's.

// EnvResultSecret is the secret that authenticates results, in base64,
// for workers (Work) and clients (FromEnv) alike.
const EnvResultSecret = "DASKGEN_RESULT_SECRET"

// ResultSecret makes a worker sign its results, and an executor accept
// only results signed, with secret (at least 16 bytes). Work and FromEnv
// read it from $DASKGEN_RESULT_SECRET when no ResultSecret is given. An
// executor without one accepts any result, and says once, through Logf,
// that its results are not authenticated.
func ResultSecret(secret []byte) Option { return func(c *config) { c.secret = secret } }

// NewResultSecret returns a new random secret, in the base64 form of
// $DASKGEN_RESULT_SECRET.
func NewResultSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// secretFromEnv reads $DASKGEN_RESULT_SECRET.
func secretFromEnv() ([]byte, error) {
	s := os.Getenv(EnvResultSecret)
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("natsexec: %s is not a base64 secret of at least 16 bytes (make one with NewResultSecret, or: head -c 32 /dev/urandom | base64)", EnvResultSecret)
	}
	return b, nil
}

// taskDigest is the SHA-256 of a task as the client sent it: its id, the
// registered name of its function and its encoded arguments, each with its
// length. A worker signs it into the result, and the client checks it
// against the task it published, so that a result proves what was asked
// as well as who answered: a task re-published under a live id with
// another function or other arguments gets a result the client rejects.
func taskDigest(id, fn string, args [][]byte) []byte {
	var b []byte
	field := func(p []byte) {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	field([]byte("daskgen task v1"))
	field([]byte(id))
	field([]byte(fn))
	b = binary.AppendUvarint(b, uint64(len(args)))
	for _, a := range args {
		field(a)
	}
	s := sha256.Sum256(b)
	return s[:]
}

// signed returns what a worker signs for the result r of the task whose
// digest is task: every field, each with its length, so that no two
// results sign the same bytes.
func signed(task []byte, r *resultMsg) []byte {
	var b []byte
	field := func(p []byte) {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	field([]byte("daskgen result v3"))
	field(task)
	field(r.Value)
	field([]byte(r.Blob))
	field(r.BlobSum)
	field([]byte(r.Err))
	field([]byte(r.Panic))
	field([]byte(r.Stack))
	field([]byte(r.Worker))
	flags := byte(0)
	if r.Failed {
		flags |= 1
	}
	if r.Unreg {
		flags |= 2
	}
	return append(b, flags)
}

func mac(secret, task []byte, r *resultMsg) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(signed(task, r))
	return m.Sum(nil)
}

// sign signs r, the result of the task whose digest is task.
func sign(secret, task []byte, r *resultMsg) { r.Sig = mac(secret, task, r) }

// verify reports whether r is signed with secret as the result of the task
// whose digest is task.
func verify(secret, task []byte, r *resultMsg) bool {
	return hmac.Equal(r.Sig, mac(secret, task, r))
}

// blobSum is the checksum of a result stored in the object store, which
// the signature covers.
func blobSum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
