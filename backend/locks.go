package backend

import (
	"context"
	"errors"
	"time"
)

// Locker hands out per-name mutual exclusion, across processes for shared
// backends. The runtime takes a chat's lock before loading its state when
// several instances share a backend.
type Locker interface {
	// Lock blocks until the lock on name is held or ctx is done. The lease
	// lasts ttl and is renewed automatically while held, so a crashed
	// holder frees the lock after at most ttl.
	Lock(ctx context.Context, name string, ttl time.Duration) (Lock, error)
}

// Lock is a held lock.
type Lock interface {
	// Token is the fencing token: it increases with every acquisition of
	// the same name, so a store can reject writes from a stale holder.
	Token() int64
	// Unlock releases the lock if this holder still owns it (a lock whose
	// lease expired and was taken by someone else is left alone and
	// ErrLockLost is returned).
	Unlock(ctx context.Context) error
}

// ErrLockLost is returned by Unlock when the lease had expired and the lock
// belongs to someone else now.
var ErrLockLost = errors.New("backend: lock lost")
