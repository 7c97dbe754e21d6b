package sched

import "context"

// Task is the work submitted for a key. Its context is derived from
// Config.BaseContext and is cancelled by Close's hard stop.
type Task = func(ctx context.Context)

// keyQueue is the state of one active key: the tasks accepted and not
// started, in submission order, and whether a worker owns the key.
// A key has a keyQueue exactly while it has a queued or running task;
// the scheduler deletes it when the key goes idle.
//
// All fields are guarded by Scheduler.mu.
type keyQueue[K comparable] struct {
	key     K
	buf     []Task // ring buffer; len(buf) is 0 or a power of two
	head, n int
	running bool         // a worker runs (or is about to run) a task of this key
	next    *keyQueue[K] // link in readyList
}

// Queues keep their buffer across reuse up to this size; a larger one
// (left by a burst on one key) is given back to the garbage collector.
const maxKeptBuf = 16

func (q *keyQueue[K]) push(fn Task) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = fn
	q.n++
}

func (q *keyQueue[K]) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 2
	}
	buf := make([]Task, size)
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}

func (q *keyQueue[K]) pop() Task {
	fn := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return fn
}

// clear drops the queued tasks, handing each to drop when it is not nil,
// and returns how many there were.
func (q *keyQueue[K]) clear(drop func(K, Task)) int {
	n := q.n
	for q.n > 0 {
		fn := q.pop()
		if drop != nil {
			drop(q.key, fn)
		}
	}
	q.head = 0
	return n
}

// readyList is the FIFO of keys that have queued tasks and wait for a
// worker slot, linked through keyQueue.next: no allocation per key.
type readyList[K comparable] struct {
	head, tail *keyQueue[K]
}

func (l *readyList[K]) empty() bool { return l.head == nil }

func (l *readyList[K]) push(q *keyQueue[K]) {
	q.next = nil
	if l.tail == nil {
		l.head = q
	} else {
		l.tail.next = q
	}
	l.tail = q
}

func (l *readyList[K]) pop() *keyQueue[K] {
	q := l.head
	if q == nil {
		return nil
	}
	l.head = q.next
	if l.head == nil {
		l.tail = nil
	}
	q.next = nil
	return q
}

// waiter is a Submit call waiting for room. Whoever frees room decides
// the call's outcome under Scheduler.mu (enqueues the task, or sets err),
// marks it done and closes ch, so the waiting goroutine never has to
// retry and callers are served in arrival order.
type waiter[K comparable] struct {
	key        K
	fn         Task
	ch         chan struct{}
	err        error
	done       bool
	prev, next *waiter[K]
}

// waiterList is a FIFO of waiters with O(1) removal of a waiter whose
// context ended.
type waiterList[K comparable] struct {
	head, tail *waiter[K]
}

func (l *waiterList[K]) pushBack(w *waiter[K]) {
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
}

func (l *waiterList[K]) remove(w *waiter[K]) {
	if w.prev == nil {
		l.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
}

func (l *waiterList[K]) popFront() *waiter[K] {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}
