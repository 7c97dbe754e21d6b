package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Lock blocks until it holds the lock on name or ctx is done (an error
// wrapping the context's error). Locks are held until Unlock: in one
// process a holder cannot vanish without the store, so the lease never
// needs to expire (ttl must still be positive).
// Waiters are woken when the lock is released; which one gets it is not
// specified.
func (s *Store) Lock(ctx context.Context, name string, ttl time.Duration) (backend.Lock, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("memory: lock %q: ttl must be positive, got %v", name, ttl)
	}
	sh := s.nameShard(name)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("memory: lock %q: %w", name, context.Cause(ctx))
		}
		sh.mu.Lock()
		cur := sh.locks[name]
		if cur == nil {
			l := &lock{store: s, name: name, token: s.tokens.Add(1), released: make(chan struct{})}
			sh.locks[name] = l
			sh.mu.Unlock()
			return l, nil
		}
		sh.mu.Unlock()
		select {
		case <-cur.released:
		case <-ctx.Done():
			return nil, fmt.Errorf("memory: lock %q: %w", name, context.Cause(ctx))
		}
	}
}

// lock is a held lock of a Store.
type lock struct {
	store    *Store
	name     string
	token    int64
	released chan struct{} // closed when the lock is released or lost
}

// Token returns the fencing token: larger than every token handed out
// before by the same Store.
func (l *lock) Token() int64 { return l.token }

// Unlock releases the lock. It returns backend.ErrLockLost if the lock is no
// longer this holder's (released before, or taken over).
func (l *lock) Unlock(context.Context) error {
	if !l.release() {
		return fmt.Errorf("memory: unlock %q (token %d): %w", l.name, l.token, backend.ErrLockLost)
	}
	return nil
}

// release frees the lock if it is still held by l and wakes the waiters.
func (l *lock) release() bool {
	sh := l.store.nameShard(l.name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.locks[l.name] != l {
		return false
	}
	delete(sh.locks, l.name)
	close(l.released)
	return true
}
