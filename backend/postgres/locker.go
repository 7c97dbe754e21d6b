package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/internal/lease"
	"github.com/heraldbot/herald/internal/backoff"
)

// locker is the Store seen as a backend.Locker (table locks).
type locker Store

var _ backend.Locker = (*locker)(nil)

// Lock blocks until the lock on name is held or ctx is done. The lease
// lasts ttl on the server's clock and is renewed every ttl/3 while held,
// so a holder that died frees the lock after at most ttl. Each
// acquisition gets a fencing token from the schema's sequence, drawn
// under the lock row's lock, so a name's tokens increase.
//
// A waiter tries again when the lock is released, in this process or in
// another (NOTIFY on the schema's channel, heard by one listening
// connection per Store), and otherwise polls with jittered exponential
// back-off from 1 ms up to Options.LockPollMax, never sleeping past the
// holder's lease.
//
// If ctx ends while the statement that takes the lock is on its way, the
// lock may have been taken without anyone knowing its token: it is then
// not renewed and frees itself after ttl.
func (l *locker) Lock(ctx context.Context, name string, ttl time.Duration) (backend.Lock, error) {
	s := (*Store)(l)
	if ttl <= 0 {
		return nil, fmt.Errorf("postgres: lock %q: ttl must be positive, got %v", name, ttl)
	}
	ttlUS := micros(ttl)
	wait := backoff.Counter{Policy: s.lockPoll}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// Watch before trying: a release after the attempt wakes us.
		wake, unwatch := s.waiters.watch(name)
		var n int64
		err := s.pool.QueryRow(ctx, s.sql.lockAcquire, name, ttlUS).Scan(&n)
		if err != nil {
			unwatch()
			switch {
			case ctx.Err() != nil:
				err = ctx.Err()
			case s.ctx.Err() != nil:
				err = errClosed // Close closed the pool under the query
			}
			return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
		}
		if n > 0 {
			unwatch()
			lk, err := s.startLease(name, n, ttl)
			if err != nil {
				return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
			}
			return lk, nil
		}
		s.startListener()
		d := wait.Next()
		if left := time.Duration(-n) * time.Microsecond; left > 0 && left < d {
			d = left
		}
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			unwatch()
			return nil, fmt.Errorf("postgres: lock %q: %w", name, ctx.Err())
		case <-s.ctx.Done():
			unwatch()
			return nil, fmt.Errorf("postgres: lock %q: %w", name, errClosed)
		case <-wake:
		case <-timer.C:
		}
		unwatch()
	}
}

// Lock is a lock held on a Store: a lease in the locks table, renewed by a
// goroutine until Unlock. It implements backend.Lock.
type Lock struct {
	s     *Store
	name  string
	token int64
	ttl   time.Duration

	stop   context.CancelFunc // ends the renewal
	done   chan struct{}      // closed when the renewal has stopped
	lost   chan struct{}      // closed when a renewal found the lease gone
	mu     sync.Mutex
	answer bool  // Unlock got an answer from the server
	result error // and this was it
}

var _ backend.Lock = (*Lock)(nil)

func (s *Store) startLease(name string, token int64, ttl time.Duration) (*Lock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed // the lease runs out by itself
	}
	ctx, stop := context.WithCancel(s.ctx)
	l := &Lock{
		s: s, name: name, token: token, ttl: ttl,
		stop: stop,
		done: make(chan struct{}),
		lost: make(chan struct{}),
	}
	s.wg.Add(1)
	go l.renew(ctx)
	return l, nil
}

// Token is the fencing token of this acquisition.
func (l *Lock) Token() int64 { return l.token }

// Lost is closed when a renewal found the lease taken over (the holder
// could not renew it for longer than its ttl). Work under the lock should
// then stop.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// renew extends the lease every ttl/3 while it is this holder's. A failed
// renewal (the server unreachable) is tried again at the next tick; if
// the lease was taken over meanwhile the renewal stops.
func (l *Lock) renew(ctx context.Context) {
	defer l.s.wg.Done()
	defer close(l.done)
	every := lease.Period(l.ttl)
	ttlUS := micros(l.ttl)
	lease.Keep(ctx, l.ttl, func() bool {
		rctx, cancel := context.WithTimeout(ctx, every)
		tag, err := l.s.pool.Exec(rctx, l.s.sql.lockRenew, l.name, l.token, ttlUS)
		cancel()
		switch {
		case ctx.Err() != nil:
			return false
		case err != nil:
			l.s.log.Warn("herald postgres: lock renewal failed", "lock", l.name, "err", err)
		case tag.RowsAffected() == 0:
			l.s.log.Warn("herald postgres: lock lost", "lock", l.name, "token", l.token)
			close(l.lost)
			return false
		}
		return true
	})
}

// stopRenewal ends the renewal goroutine and waits for it.
func (l *Lock) stopRenewal() {
	l.stop()
	<-l.done
}

// Unlock stops the renewal and releases the lock if this holder still
// owns it, waking the waiters of every process; otherwise it returns an
// error wrapping backend.ErrLockLost. After an answer from the server
// further calls return the same result; after an error reaching it, the
// lock is no longer renewed and Unlock may be called again.
func (l *Lock) Unlock(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.answer {
		return l.result
	}
	l.stopRenewal()
	tag, err := l.s.pool.Exec(ctx, l.s.sql.lockUnlock, l.name, l.token, l.s.channel)
	if err != nil {
		return fmt.Errorf("postgres: unlock %q: %w", l.name, err)
	}
	l.answer = true
	if tag.RowsAffected() == 0 {
		l.result = fmt.Errorf("postgres: unlock %q (token %d): %w", l.name, l.token, backend.ErrLockLost)
		return l.result
	}
	l.s.waiters.wake(l.name) // this process's waiters need not wait for the NOTIFY
	return nil
}

// waiters are the names Lock calls of this process wait for, each with a
// channel closed when the name may have been released.
type waiters struct {
	mu sync.Mutex
	m  map[string]*waitEntry

	listenOnce sync.Once
}

type waitEntry struct {
	ch chan struct{}
	n  int // watchers
}

func (w *waiters) init() { w.m = make(map[string]*waitEntry) }

// watch returns a channel closed at the next wake of name, and the
// function to call when done with it.
func (w *waiters) watch(name string) (<-chan struct{}, func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e := w.m[name]
	if e == nil {
		e = &waitEntry{ch: make(chan struct{})}
		w.m[name] = e
	}
	e.n++
	return e.ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if e.n--; e.n == 0 && w.m[name] == e {
			delete(w.m, name)
		}
	}
}

// wake wakes the waiters of name.
func (w *waiters) wake(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e := w.m[name]; e != nil {
		close(e.ch)
		delete(w.m, name)
	}
}

// wakeAll wakes every waiter: a notification may have been missed.
func (w *waiters) wakeAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, e := range w.m {
		close(e.ch)
		delete(w.m, name)
	}
}

// startListener starts, once, the goroutine that LISTENs for the unlocks
// of the schema.
func (s *Store) startListener() {
	s.waiters.listenOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return
		}
		s.wg.Add(1)
		go s.listen()
	})
}

// listen keeps a connection of its own (with the pool's settings)
// listening on the schema's channel, and wakes the waiters of every name
// it hears of. While it is disconnected the waiters poll; it reconnects
// with back-off.
func (s *Store) listen() {
	defer s.wg.Done()
	retry := backoff.Counter{Policy: listenRetry}
	for {
		err := s.listenOnce()
		if s.ctx.Err() != nil {
			return
		}
		d := retry.Next()
		s.log.Warn("herald postgres: unlock listener disconnected; lock waiters poll meanwhile", "err", err, "retry", d)
		s.waiters.wakeAll()
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(d):
		}
	}
}

// listenRetry spaces the listener's reconnections: 100 ms doubling up to
// 5 s.
var listenRetry = backoff.Policy{Min: 100 * time.Millisecond, Max: 5 * time.Second}

func (s *Store) listenOnce() error {
	conn, err := pgx.ConnectConfig(s.ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(s.ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return err
	}
	s.waiters.wakeAll() // releases before LISTEN took effect were not heard
	s.listenOK.Do(func() { close(s.listening) })
	for {
		n, err := conn.WaitForNotification(s.ctx)
		if err != nil {
			return err
		}
		s.waiters.wake(n.Payload)
	}
}
