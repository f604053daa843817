package core

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// Node states, kept in the low byte of node.state. The upper 56 bits hold the
// id of the batch that owns a claimed or running node, so that a compare-and-swap
// on the whole word also checks ownership.
const (
	stPending uint64 = iota // not owned by any batch; may be claimed
	stClaimed               // owned by a batch, waiting for its inputs
	stRunning               // owned by a batch, its function is running
	stDone                  // finished; the value is final
	stFailed                // the last run failed; a later compute runs it again
)

func pack(bid, st uint64) uint64 { return bid<<8 | st }
func stOf(word uint64) uint64    { return word & 0xff }
func bidOf(word uint64) uint64   { return word >> 8 }

// seqs numbers nodes in creation order. A node can only depend on nodes that
// existed before it, so creation order is a topological order: the order in
// which a sequential program would have made the calls ("program order").
var seqs atomic.Uint64

// node is the header every task embeds first. It is 56 bytes: a call of a
// function of one int to an int, with its header, fits the allocator's
// 96-byte size class.
type node struct {
	seq   uint64
	state atomic.Uint64
	idx   int32 // index in the owning batch; written only by the owner
	// flags holds flagWaited and flagChunked, in one word to keep the
	// header small.
	flags atomic.Uint32
	err   error // the error of the last failed run
	self  task  // the node's own task, for the scheduler
}

// Bits of node.flags.
const (
	// flagWaited: someone waits on this node from another batch.
	flagWaited uint32 = 1 << iota
	// flagChunked: the node is a call in a chunk, which anyone who needs
	// it first may run in place (see granular.go).
	flagChunked
	// flagCancelled: the node is the value of a future that was cancelled
	// (Future.Cancel); a compute that waited for it fails with
	// context.Canceled instead of computing it again.
	flagCancelled
)

// abandoned is the error of a compute that waited for n while another
// compute ran it, and n went back to pending because that compute was
// cancelled: errAbandoned, which computes whose context is live meet by
// computing n again, unless n is a cancelled future's value.
func abandoned(n *node) error {
	err := fmt.Errorf("%w: %w", errAbandoned, context.Canceled)
	if n.flags.Load()&flagCancelled != 0 {
		err = fmt.Errorf("a cancelled future's value: %w", context.Canceled)
	}
	return &TaskError{Task: n.name(), seq: n.seq, Err: err}
}

// task is what the scheduler runs. Every node type implements it.
type task interface {
	hdr() *node
	fninfo() *fnInfo
	// call runs the function on the values of the inputs and stores the result.
	call(ctx context.Context) error
	// deps appends the nodes this task reads to buf.
	deps(buf []*node) []*node
	// release drops references to the inputs once the value is final, so that
	// intermediate results can be garbage collected.
	release()
	// spec describes the task as data, for Graph.
	spec() Task
}

func (n *node) init(self task) {
	n.seq = seqs.Add(1)
	n.self = self
}

func (n *node) hdr() *node { return n }

// name is the task's readable name: the function's name and a short suffix
// unique in the process, like "inc-1f"; for a task of a Graph, its key.
func (n *node) name() string {
	if k, ok := n.self.(interface{ taskKey() string }); ok {
		return k.taskKey()
	}
	return n.self.fninfo().Name() + "-" + strconv.FormatUint(n.seq, 36)
}

// waiters holds, for nodes that some batch waits on from outside, the channel
// that is closed when the node settles (done, failed, or given up).
var (
	waitMu  sync.Mutex
	waiters = map[*node]chan struct{}{}
)

// wait returns a channel closed when n is no longer claimed or running. It
// returns nil when n is already settled.
func (n *node) wait() <-chan struct{} {
	waitMu.Lock()
	defer waitMu.Unlock()
	n.flags.Or(flagWaited)
	if st := stOf(n.state.Load()); st != stClaimed && st != stRunning {
		return nil
	}
	ch := waiters[n]
	if ch == nil {
		ch = make(chan struct{})
		waiters[n] = ch
	}
	return ch
}

// settled wakes whoever waits on n. Call it after each change of n's state
// away from claimed or running. The store of the state and the load of
// flagWaited here, against the setting of flagWaited and the load of the
// state in wait, are sequentially consistent, so no waiter is missed.
func (n *node) settled() {
	if n.flags.Load()&flagWaited == 0 {
		return
	}
	waitMu.Lock()
	if ch := waiters[n]; ch != nil {
		close(ch)
		delete(waiters, n)
	}
	n.flags.And(^flagWaited)
	waitMu.Unlock()
}
