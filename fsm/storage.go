package fsm

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Key identifies one conversation: whose state it is. Which fields are set
// depends on the KeyStrategy; unused ones are zero.
type Key struct {
	BotID    int64
	ChatID   int64
	UserID   int64
	ThreadID int64 // forum topic
}

// String is a stable text form, used by backends as the storage key:
// "<bot>:<chat>:<user>:<thread>".
func (k Key) String() string {
	// Called on every storage operation (backends key records by it), so
	// built without fmt: one allocation.
	var b [4*20 + 3]byte
	out := strconv.AppendInt(b[:0], k.BotID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.ChatID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.UserID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, k.ThreadID, 10)
	return string(out)
}

// Record is what a Storage keeps for a key.
type Record struct {
	State string // "" = no state
	Data  []byte // JSON of the conversation's data; nil = none
	// Version increases by one on every write of the key; 0 means the
	// record does not exist (never written, cleared or expired).
	Version int64
}

// ErrConflict is returned by CompareAndSet when the stored version is not
// the expected one: someone else wrote the key in between.
var ErrConflict = errors.New("fsm: version conflict")

// ErrCorrupt wraps errors about stored data that cannot be read back.
var ErrCorrupt = errors.New("fsm: stored state is corrupt")

// Storage persists conversation records. Implementations are safe for
// concurrent use by many goroutines and, for shared backends, many
// processes. The fsmtest package holds the contract tests every Storage
// must pass.
type Storage interface {
	// Get returns the record of key, or a Record with Version 0 when there
	// is none (never written, deleted or expired).
	Get(ctx context.Context, key Key) (Record, error)
	// CompareAndSet stores rec.State and rec.Data for key if the stored
	// version equals expect (0: the key must not exist), with the given
	// time to live (0: no expiry), and returns the new version
	// (expect+1). When the versions differ it returns ErrConflict and
	// changes nothing.
	CompareAndSet(ctx context.Context, key Key, expect int64, rec Record, ttl time.Duration) (int64, error)
	// Delete removes the record of key, whatever its version.
	Delete(ctx context.Context, key Key) error
}

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
var ErrLockLost = errors.New("fsm: lock lost")

// Marker records names once, for a time: the primitive behind update
// de-duplication (mark "update 123 seen" for 24 h) and idempotent actions
// (mark "order 42 confirmed").
type Marker interface {
	// Mark records name for ttl and reports whether this call recorded it
	// (true) or it was already recorded (false). Exactly one of many
	// concurrent callers gets true.
	Mark(ctx context.Context, name string, ttl time.Duration) (bool, error)
	// Unmark forgets name, so that it can be marked again (an action that
	// failed after claiming its mark releases it).
	Unmark(ctx context.Context, name string) error
}

// MarkedChecker is an optional extension of Marker: it tells whether a name
// is marked now without marking it. Update de-duplication uses it to look
// before handling and mark only after the handler finished; all of Herald's
// backends implement it.
type MarkedChecker interface {
	Marked(ctx context.Context, name string) (bool, error)
}
