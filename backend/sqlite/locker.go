package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/internal/lease"
	"github.com/heraldbot/herald/internal/backoff"
)

var _ backend.Locker = (*Store)(nil)

// lockPoll is the back-off between attempts while a lock is held by
// someone else: 1 ms doubling up to 100 ms, each wait drawn from its upper
// half. Waiters in the same process are woken at once by Unlock; waiters
// in other processes notice within 100 ms.
var lockPoll = backoff.Policy{Min: time.Millisecond, Max: 100 * time.Millisecond, Jitter: backoff.Equal}

// Lock blocks until the lock on name is held or ctx is done. The lease
// lasts ttl and is renewed every ttl/3 while held; a holder that crashed
// frees the lock after at most ttl. Every acquisition gets a fencing token
// greater than any handed out before by this file, for any name.
//
// Waiting is by polling with exponential back-off (1 ms up to 100 ms) plus
// an immediate wake-up when a lock is released in the same process.
func (s *Store) Lock(ctx context.Context, name string, ttl time.Duration) (backend.Lock, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("sqlite: lock %q: ttl must be positive, got %v", name, ttl)
	}
	wait := backoff.Counter{Policy: lockPoll}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.mu.Lock()
		wake := s.unlocked
		s.mu.Unlock()

		token, ok, err := s.tryLock(ctx, name, ttl)
		if err != nil {
			return nil, fmt.Errorf("sqlite: lock %q: %w", name, err)
		}
		if ok {
			l, err := s.startLease(name, token, ttl)
			if err != nil {
				return nil, fmt.Errorf("sqlite: lock %q: %w", name, err)
			}
			return l, nil
		}

		d := wait.Next()
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sqlite: lock %q: %w", name, ctx.Err())
		case <-s.ctx.Done():
			return nil, fmt.Errorf("sqlite: lock %q: %w", name, errClosed)
		case <-wake:
			timer.Stop() // Go 1.23+: no stale tick is left to drain
		case <-timer.C:
		}
	}
}

// tryLock takes name if it is free or its lease has ended.
func (s *Store) tryLock(ctx context.Context, name string, ttl time.Duration) (int64, bool, error) {
	// Cheap check on the read pool first, so that waiters do not queue on
	// the write connection while the lock is plainly held.
	if held, err := lockHeld(ctx, s.r, name, s.nowNanos()); held || err != nil {
		return 0, false, err
	}

	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	now := s.nowNanos()
	if held, err := lockHeld(ctx, tx, name, now); held || err != nil {
		return 0, false, err
	}
	var token int64
	if err := tx.QueryRowContext(ctx,
		`UPDATE lock_tokens SET last = last + 1 WHERE id = 1 RETURNING last`).Scan(&token); err != nil {
		return 0, false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO locks (name, token, expires_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at`,
		name, token, now+int64(ttl)); err != nil {
		return 0, false, err
	}
	if err := tx.Commit(); err != nil {
		return 0, false, err
	}
	return token, true, nil
}

// lockHeld reports whether name's lease is in force at now, read through q
// (the read pool, or the write transaction).
func lockHeld(ctx context.Context, q queryer, name string, now int64) (bool, error) {
	var exp int64
	err := q.QueryRowContext(ctx, `SELECT expires_at FROM locks WHERE name = ?1`, name).Scan(&exp)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && exp > now, err
}

// Lock is a lock held on a Store. It implements backend.Lock.
type Lock struct {
	s     *Store
	name  string
	token int64
	ttl   time.Duration

	stop context.CancelFunc // ends the renewal
	done chan struct{}      // closed when the renewal goroutine has exited
	lost chan struct{}      // closed when a renewal found the lease gone
}

var _ backend.Lock = (*Lock)(nil)

// errClosed is returned by operations that start work on a closed Store.
var errClosed = errors.New("store closed")

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

// Lost is closed when the lease was found expired or taken over while the
// lock was still held (the holder was paused for longer than ttl, or the
// database could not be written for that long). Work under the lock should
// then stop.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// renew extends the lease every ttl/3 until ctx ends (Unlock or Close) or
// a renewal finds the lease gone. A failed renewal is tried again at the
// next tick: the lease may still be valid then.
func (l *Lock) renew(ctx context.Context) {
	defer l.s.wg.Done()
	defer close(l.done)
	lease.Keep(ctx, l.ttl, func() bool {
		now := l.s.nowNanos()
		n, err := rowsAffected(l.s.stmts.renew.ExecContext(l.s.ctx, l.name, l.token, now+int64(l.ttl), now))
		if err != nil {
			if l.s.ctx.Err() == nil {
				l.s.log.Warn("herald sqlite: lock renewal failed", "lock", l.name, "err", err)
			}
			return true
		}
		if n == 0 {
			l.s.log.Warn("herald sqlite: lock lost", "lock", l.name, "token", l.token)
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

// Unlock stops the renewal and releases the lock if this holder still owns
// it; otherwise it returns backend.ErrLockLost.
func (l *Lock) Unlock(ctx context.Context) error {
	l.stopRenewal()
	n, err := rowsAffected(l.s.stmts.unlock.ExecContext(ctx, l.name, l.token))
	if err != nil {
		return fmt.Errorf("sqlite: unlock %q: %w", l.name, err)
	}
	if n == 0 {
		return backend.ErrLockLost
	}
	l.s.mu.Lock()
	close(l.s.unlocked)
	l.s.unlocked = make(chan struct{})
	l.s.mu.Unlock()
	return nil
}
