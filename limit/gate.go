package limit

import (
	"container/heap"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// gate orders the callers of one Limiter that compete for one global
// budget. One caller at a time holds the turn and asks the Store; the
// others wait in a priority queue (Interactive first, then by arrival).
// When the Store says the global budget (or the pause) needs a wait, the
// gate sleeps until then and gives the next turn to the best waiter at
// that moment, so an Interactive caller that arrives meanwhile goes
// first. A caller whose own chat needs a wait leaves the gate and sleeps
// on its own, holding no global capacity and blocking nobody.
type gate struct {
	waiting *atomic.Int64 // callers blocked in this Limiter, for Stats

	mu    sync.Mutex
	busy  bool // a caller holds the turn, or the gate sleeps
	queue waiters
}

// waiter is one caller in the gate. seq is its arrival order, kept when it
// comes back after a chat wait so that it does not lose its place to
// newer callers of its priority.
type waiter struct {
	prio  Priority
	seq   uint64
	turn  chan struct{} // buffered; receives the turn; made when first queued
	index int           // in queue, or -1
}

// enter returns when w holds the turn, or with ctx's error. sleep > 0
// means the caller held the turn and must give it up for that long: the
// gate sleeps and then hands the turn to its best waiter.
func (g *gate) enter(ctx context.Context, w *waiter, sleep time.Duration) error {
	g.mu.Lock()
	if sleep > 0 {
		time.AfterFunc(sleep, g.leave) // ends the gate's sleep
	} else if !g.busy && g.queue.Len() == 0 {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	if w.turn == nil {
		w.turn = make(chan struct{}, 1) // a caller that never queues needs none
	}
	heap.Push(&g.queue, w)
	g.waiting.Add(1)
	g.dispatchLocked()
	g.mu.Unlock()

	select {
	case <-w.turn:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	if w.index >= 0 {
		heap.Remove(&g.queue, w.index)
		g.waiting.Add(-1)
		g.mu.Unlock()
		return ctx.Err()
	}
	g.mu.Unlock()
	<-w.turn // handed the turn as ctx ended: pass it on
	g.leave()
	return ctx.Err()
}

// leave gives up the turn.
func (g *gate) leave() {
	g.mu.Lock()
	g.busy = false
	g.dispatchLocked()
	g.mu.Unlock()
}

// dispatchLocked hands the turn to the best waiter if nobody holds it.
func (g *gate) dispatchLocked() {
	if g.busy || g.queue.Len() == 0 {
		return
	}
	w := heap.Pop(&g.queue).(*waiter)
	g.busy = true
	g.waiting.Add(-1)
	w.turn <- struct{}{}
}

// waiters is a heap of waiters: Interactive before Bulk, then by seq.
type waiters []*waiter

func (q waiters) Len() int { return len(q) }
func (q waiters) Less(i, j int) bool {
	if q[i].prio != q[j].prio {
		return q[i].prio < q[j].prio
	}
	return q[i].seq < q[j].seq
}
func (q waiters) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *waiters) Push(x any) {
	w := x.(*waiter)
	w.index = len(*q)
	*q = append(*q, w)
}
func (q *waiters) Pop() any {
	old := *q
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	w.index = -1
	return w
}

// sleep waits d, or until ctx ends, counting the caller in waiting (if
// not nil) meanwhile.
func sleep(ctx context.Context, waiting *atomic.Int64, d time.Duration) error {
	if waiting == nil {
		waiting = new(atomic.Int64)
	}
	done := make(chan struct{})
	waiting.Add(1)
	t := time.AfterFunc(d, func() {
		waiting.Add(-1)
		close(done)
	})
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		if t.Stop() {
			waiting.Add(-1)
		}
		return ctx.Err()
	}
}
