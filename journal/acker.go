package journal

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
)

// acker writes acknowledgements in batches: whatever piled up while the
// last Ack ran goes in the next one. An entry counts as in flight until
// its acknowledgement is written, so a partition is only given up once
// the journal knows what was handled.
type acker struct {
	w *Worker

	mu     sync.Mutex
	queue  []ackReq
	wake   chan struct{} // one token: the queue is not empty
	closed bool
	done   chan struct{}
}

type ackReq struct {
	pt  *partition
	ref backend.JournalRef
}

// maxAckBatch bounds one Ack call.
const maxAckBatch = 256

func newAcker(w *Worker) *acker {
	return &acker{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// add queues an acknowledgement. After close the entry is settled without
// one: it is delivered again and found handled by its claim.
func (a *acker) add(pt *partition, ref backend.JournalRef) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		a.w.settle(pt)
		return
	}
	a.queue = append(a.queue, ackReq{pt, ref})
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// run writes acknowledgements until close was called and the queue is
// empty, or ctx ends.
func (a *acker) run(ctx context.Context) {
	defer close(a.done)
	failures := backoff.Counter{Policy: retryPolicy}
	for {
		a.mu.Lock()
		n := min(len(a.queue), maxAckBatch)
		batch := a.queue[:n:n]
		closed := a.closed
		a.mu.Unlock()
		if n == 0 {
			if closed {
				return
			}
			select {
			case <-a.wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		refs := make([]backend.JournalRef, n)
		for i, r := range batch {
			refs[i] = r.ref
		}
		if err := a.w.j.Ack(ctx, refs...); err != nil {
			if ctx.Err() != nil {
				return
			}
			d := failures.Next()
			a.w.log.Warn("journal: acknowledging failed; retrying", "entries", n, "err", err, "retry_in", d)
			_ = backoff.Sleep(ctx, d)
			continue
		}
		failures.Reset()
		a.mu.Lock()
		a.queue = a.queue[n:]
		a.mu.Unlock()
		for _, r := range batch {
			a.w.settle(r.pt)
		}
	}
}

// close stops taking acknowledgements and waits up to d for the queued
// ones to be written; those still failing then are given up (their
// entries are delivered again and found handled by their claims).
func (a *acker) close(d time.Duration) {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-a.done:
	case <-t.C:
		a.w.log.Warn("journal: acknowledgements still failing at shutdown; those entries are delivered again")
	}
}
