package sched

import (
	"context"
	"maps"
	"runtime/debug"
	"sync"
)

// Scheduler runs tasks by key: the tasks of one key one at a time in
// submission order, different keys in parallel up to Config.Workers.
// See the package documentation for the full contract.
//
// A Scheduler must be created with [New]. All methods are safe for
// concurrent use.
type Scheduler[K comparable] struct {
	workers   int
	maxQueued int
	maxPerKey int
	onPanic   func(K, any, []byte)
	onDrop    func(K, Task)
	ctx       context.Context // passed to every task
	cancel    context.CancelFunc
	done      chan struct{} // closed when closed and drained

	mu       sync.Mutex
	keys     map[K]*keyQueue[K] // active keys only
	peakKeys int                // largest len(keys) since the map was (re)made
	ready    readyList[K]       // keys with queued tasks waiting for a slot
	waiters  waiterList[K]      // Submit calls waiting for room
	free     sync.Pool          // of *keyQueue[K], so keys that come and go do not allocate
	pending  int                // tasks accepted and not finished (queued + running)
	running  int                // worker goroutines = keys running a task
	closed   bool
	stopped  bool // hard stop done
	drained  bool // done is closed

	stats counters
}

// The key map is rebuilt only from this size on: see maybeShrinkLocked.
// It is small so that the rebuilds cascade down after a burst (a map
// rebuilt at 1/8 of a 50,000-key peak still holds room for 12,500 keys,
// about half a MiB, until it is rebuilt again), while a rebuild copies at
// most an eighth of the keys the map once held: amortised O(1) per key.
const minShrinkPeak = 1 << 10

// New returns a running Scheduler configured by cfg (zero fields take
// their defaults). It starts no goroutine until a task is submitted.
// New panics if a field of cfg is negative.
func New[K comparable](cfg Config[K]) *Scheduler[K] {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(cfg.BaseContext)
	return &Scheduler[K]{
		workers:   cfg.Workers,
		maxQueued: cfg.MaxQueued,
		maxPerKey: cfg.MaxPerKey,
		onPanic:   cfg.OnPanic,
		onDrop:    cfg.OnDrop,
		ctx:       ctx,
		cancel:    cancel,
		done:      make(chan struct{}),
		keys:      make(map[K]*keyQueue[K]),
	}
}

// Submit accepts fn to run after every task submitted before it for the
// same key. It returns nil once the task is accepted; fn runs later, on
// another goroutine.
//
// When MaxQueued tasks are accepted but not finished, Submit waits until
// a task finishes (callers are served in arrival order) or ctx is done,
// and then returns ctx.Err() without accepting fn; if room came at the
// same moment, the task is accepted and Submit returns nil, so a nil
// error always means accepted. If ctx is already done Submit returns
// ctx.Err() at once. The ctx only bounds the wait: it is not the task's
// context. Submit returns ErrKeyFull at once when
// the key has MaxPerKey unfinished tasks, and ErrClosed after Close.
//
// A task must not call Submit on its own scheduler with a context that
// never ends: if the queue is full it would wait for itself. Use
// TrySubmit there.
func (s *Scheduler[K]) Submit(ctx context.Context, key K, fn Task) error {
	if fn == nil {
		panic("sched: Submit with a nil task")
	}
	if done := ctx.Done(); done != nil {
		select {
		case <-done:
			s.stats.rejected.Add(1)
			return ctx.Err()
		default:
		}
	}
	s.mu.Lock()
	if err := s.admitLocked(key); err != nil {
		if err != ErrFull {
			s.stats.rejected.Add(1)
			s.mu.Unlock()
			return err
		}
		return s.wait(ctx, key, fn) // unlocks
	}
	s.enqueueLocked(key, fn)
	s.mu.Unlock()
	return nil
}

// TrySubmit is Submit without waiting: it returns ErrFull when MaxQueued
// tasks are unfinished, ErrKeyFull when the key has MaxPerKey unfinished
// tasks, and ErrClosed after Close.
func (s *Scheduler[K]) TrySubmit(key K, fn Task) error {
	if fn == nil {
		panic("sched: TrySubmit with a nil task")
	}
	s.mu.Lock()
	err := s.admitLocked(key)
	if err == nil {
		s.enqueueLocked(key, fn)
	} else {
		s.stats.rejected.Add(1)
	}
	s.mu.Unlock()
	return err
}

// admitLocked reports whether a task for key may be accepted now.
// ErrFull is returned also when others wait, so no one jumps the line.
func (s *Scheduler[K]) admitLocked(key K) error {
	switch {
	case s.closed:
		return ErrClosed
	case s.maxPerKey > 0 && s.keyLoadLocked(key) >= s.maxPerKey:
		return ErrKeyFull
	case s.pending >= s.maxQueued || s.waiters.head != nil:
		return ErrFull
	}
	return nil
}

// keyLoadLocked returns the key's unfinished tasks (queued + running).
func (s *Scheduler[K]) keyLoadLocked(key K) int {
	q := s.keys[key]
	if q == nil {
		return 0
	}
	if q.running {
		return q.n + 1
	}
	return q.n
}

// wait parks a Submit call until room is handed to it, Close is called
// or ctx is done. It is called with s.mu held and unlocks it.
func (s *Scheduler[K]) wait(ctx context.Context, key K, fn Task) error {
	w := &waiter[K]{key: key, fn: fn, ch: make(chan struct{})}
	s.waiters.pushBack(w)
	s.stats.waiting.Add(1)
	s.mu.Unlock()

	select {
	case <-w.ch:
		return w.err
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.done { // decided while we were waking up: report that outcome
		return w.err
	}
	s.waiters.remove(w)
	s.stats.waiting.Add(-1)
	s.stats.rejected.Add(1)
	return ctx.Err()
}

// enqueueLocked accepts fn for key. A key that was idle gets a worker
// at once if a slot is free, or joins the back of the ready list.
func (s *Scheduler[K]) enqueueLocked(key K, fn Task) {
	s.pending++
	s.stats.submitted.Add(1)
	if q := s.keys[key]; q != nil { // running or already waiting for a slot
		q.push(fn)
		s.stats.queued.Add(1)
		return
	}
	q := s.newQueueLocked(key)
	if s.running < s.workers { // ready is empty whenever a slot is free
		s.running++
		s.stats.running.Add(1)
		q.running = true
		go s.work(q, fn)
		return
	}
	q.push(fn)
	s.stats.queued.Add(1)
	s.ready.push(q)
}

// work runs tasks until no key waits for a slot. The goroutine starts
// with the key q and its first task fn, and moves on to other keys:
// after each task it takes the key at the front of the ready list, and
// its own key goes to the back if it has more tasks, so a busy key
// cannot starve the keys that wait for a slot.
func (s *Scheduler[K]) work(q *keyQueue[K], fn Task) {
	goexit := true
	defer func() {
		// Panics are recovered in call, so only runtime.Goexit in a task
		// (t.FailNow in a test, for instance) gets here: finish the task's
		// bookkeeping and hand the rest of the work to a new goroutine.
		if goexit {
			s.mu.Lock()
			q, fn = s.finishLocked(q)
			s.mu.Unlock()
			if q != nil {
				go s.work(q, fn)
			}
		}
	}()
	for q != nil {
		s.call(q.key, fn)
		s.mu.Lock()
		q, fn = s.finishLocked(q)
		s.mu.Unlock()
	}
	goexit = false
}

// call runs one task, turning a panic into a call of OnPanic.
func (s *Scheduler[K]) call(key K, fn Task) {
	defer func() {
		if v := recover(); v != nil {
			s.stats.panicked.Add(1)
			s.onPanic(key, v, debug.Stack())
		}
	}()
	fn(s.ctx)
}

// finishLocked records the end of the running task of q and returns the
// next key and task for this worker, or nil when the worker should exit.
func (s *Scheduler[K]) finishLocked(q *keyQueue[K]) (*keyQueue[K], Task) {
	s.pending--
	s.stats.completed.Add(1)
	s.admitWaitersLocked()

	q.running = false
	if q.n > 0 {
		if s.ready.empty() {
			return s.startLocked(q)
		}
		s.ready.push(q) // others wait for a slot: take turns
	} else {
		s.deleteKeyLocked(q)
	}
	if next := s.ready.pop(); next != nil {
		return s.startLocked(next)
	}
	s.running--
	s.stats.running.Add(-1)
	s.checkDrainedLocked()
	return nil, nil
}

func (s *Scheduler[K]) startLocked(q *keyQueue[K]) (*keyQueue[K], Task) {
	q.running = true
	s.stats.queued.Add(-1)
	return q, q.pop()
}

// admitWaitersLocked hands the room freed by finished tasks to the
// waiting Submit calls, in arrival order.
func (s *Scheduler[K]) admitWaitersLocked() {
	for s.pending < s.maxQueued && s.waiters.head != nil {
		w := s.waiters.popFront()
		s.stats.waiting.Add(-1)
		if s.maxPerKey > 0 && s.keyLoadLocked(w.key) >= s.maxPerKey {
			// Other waiters of the same key were admitted first.
			w.err = ErrKeyFull
			s.stats.rejected.Add(1)
		} else {
			s.enqueueLocked(w.key, w.fn)
		}
		w.done = true
		close(w.ch)
	}
}

func (s *Scheduler[K]) newQueueLocked(key K) *keyQueue[K] {
	q, _ := s.free.Get().(*keyQueue[K])
	if q == nil {
		q = new(keyQueue[K])
	}
	q.key = key
	s.keys[key] = q
	if len(s.keys) > s.peakKeys {
		s.peakKeys = len(s.keys)
	}
	s.stats.keys.Add(1)
	return q
}

// deleteKeyLocked frees an idle key. Go maps never shrink, so after a
// burst of many distinct keys the map is rebuilt once it holds less
// than an eighth of its peak: the copy costs less than the deletes that
// made it necessary, and idle keys really give their memory back.
func (s *Scheduler[K]) deleteKeyLocked(q *keyQueue[K]) {
	delete(s.keys, q.key)
	s.stats.keys.Add(-1)
	s.releaseLocked(q)
	s.maybeShrinkLocked()
}

func (s *Scheduler[K]) maybeShrinkLocked() {
	if s.peakKeys >= minShrinkPeak && len(s.keys) <= s.peakKeys/8 {
		m := make(map[K]*keyQueue[K], 2*len(s.keys))
		maps.Copy(m, s.keys)
		s.keys, s.peakKeys = m, len(m)
	}
}

// releaseLocked recycles an idle key's queue through a sync.Pool: keys
// that come and go do not allocate, and the garbage collector still
// frees the pool when the burst is over.
func (s *Scheduler[K]) releaseLocked(q *keyQueue[K]) {
	var zero K
	q.key = zero // do not keep the key's memory alive
	if len(q.buf) > maxKeptBuf {
		q.buf = nil
	}
	q.head, q.n, q.running, q.next = 0, 0, false, nil
	s.free.Put(q)
}

// Close stops the scheduler. It returns at once if the scheduler was idle.
//
// Close first stops accepting tasks: Submit and TrySubmit return
// ErrClosed from then on, and Submit calls waiting for room return
// ErrClosed. Then it waits until every accepted task has finished
// (graceful drain) and returns nil.
//
// If ctx is done before the drain ends, Close makes a hard stop: it
// cancels the context of the running tasks, discards the tasks not yet
// started (counted in Stats.Dropped) and returns ctx.Err() without
// waiting for the running tasks to return; [Scheduler.Done] is closed
// when they have.
//
// Close may be called more than once and from several goroutines; each
// call waits as described.
func (s *Scheduler[K]) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for w := s.waiters.popFront(); w != nil; w = s.waiters.popFront() {
			s.stats.waiting.Add(-1)
			s.stats.rejected.Add(1)
			w.err, w.done = ErrClosed, true
			close(w.ch)
		}
		s.checkDrainedLocked()
	}
	s.mu.Unlock()

	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-s.done: // drained at the same time: not a failure
		return nil
	default:
	}
	s.stop()
	return ctx.Err()
}

// stop is the hard stop of Close; OnDrop gets the discarded tasks once
// the lock is released.
func (s *Scheduler[K]) stop() {
	type dropped struct {
		key  K
		task Task
	}
	var drops []dropped
	var collect func(K, Task)
	if s.onDrop != nil {
		collect = func(k K, t Task) { drops = append(drops, dropped{k, t}) }
	}
	s.stopLocked(collect)
	for _, d := range drops {
		s.onDrop(d.key, d.task)
	}
}

// stopLocked cancels the tasks' context and discards the queued tasks,
// handing them to collect when it is not nil.
func (s *Scheduler[K]) stopLocked(collect func(K, Task)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	for k, q := range s.keys {
		n := q.clear(collect)
		s.pending -= n
		s.stats.queued.Add(-int64(n))
		s.stats.dropped.Add(uint64(n))
		if !q.running { // was waiting in the ready list
			delete(s.keys, k)
			s.stats.keys.Add(-1)
			s.releaseLocked(q)
		}
	}
	s.ready = readyList[K]{}
	s.maybeShrinkLocked()
	s.checkDrainedLocked()
}

// checkDrainedLocked closes done once Close was called and no task is
// queued or running.
func (s *Scheduler[K]) checkDrainedLocked() {
	if s.closed && s.pending == 0 && !s.drained {
		s.drained = true
		s.cancel() // nothing uses the context any more: release it
		close(s.done)
	}
}

// Done returns a channel that is closed once Close has been called and
// every task has finished or been discarded, i.e. when no task of this
// scheduler runs any more.
func (s *Scheduler[K]) Done() <-chan struct{} {
	return s.done
}
