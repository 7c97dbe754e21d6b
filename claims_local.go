package herald

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
)

// localDone is how many finished update ids a bot without a shared claim
// store remembers (about 2 MB): enough for the re-deliveries of one
// process's recent past, such as a webhook whose answer timed out.
const localDone = 1 << 15

// localClaims is the in-process backend.Claims a bot uses when no shared one
// is configured: it removes duplicates that reach this process while the
// first copy runs or soon after it finished. Memory stays bounded: finished
// names are forgotten oldest first beyond localDone, and the done ttl is
// ignored. Leases are not needed in one process (its claims die with it).
type localClaims struct {
	mu    sync.Mutex
	names map[string]localClaim
	ring  []string // finished names, oldest first from next
	next  int
}

type localClaim struct {
	owner string
	done  bool
}

func newLocalClaims() *localClaims {
	return &localClaims{names: map[string]localClaim{}, ring: make([]string, 0, 1024)}
}

func (l *localClaims) Claim(_ context.Context, name, owner string, _ time.Duration) (backend.ClaimStatus, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.names[name]; ok {
		if c.done {
			return backend.Done, nil
		}
		return backend.Pending, nil
	}
	l.names[name] = localClaim{owner: owner}
	return backend.Claimed, nil
}

func (l *localClaims) Extend(_ context.Context, name, owner string, _ time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.heldLocked(name, owner) {
		return backend.ErrClaimLost
	}
	return nil
}

func (l *localClaims) Finish(_ context.Context, name, owner string, _ time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.heldLocked(name, owner) {
		return backend.ErrClaimLost
	}
	l.names[name] = localClaim{done: true}
	if len(l.ring) < localDone {
		l.ring = append(l.ring, name)
		return nil
	}
	delete(l.names, l.ring[l.next])
	l.ring[l.next] = name
	l.next = (l.next + 1) % localDone
	return nil
}

func (l *localClaims) Release(_ context.Context, name, owner string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.heldLocked(name, owner) {
		delete(l.names, name)
	}
	return nil
}

// heldLocked reports whether name is pending for owner.
func (l *localClaims) heldLocked(name, owner string) bool {
	c, ok := l.names[name]
	return ok && !c.done && c.owner == owner
}

// noClaims claims everything at once and remembers nothing: the store of
// updates without an id (update_id 0 or less: Telegram's are positive),
// such as those built by hand in tests, which cannot be told apart.
type noClaims struct{}

func (noClaims) Claim(context.Context, string, string, time.Duration) (backend.ClaimStatus, error) {
	return backend.Claimed, nil
}
func (noClaims) Extend(context.Context, string, string, time.Duration) error { return nil }
func (noClaims) Finish(context.Context, string, string, time.Duration) error { return nil }
func (noClaims) Release(context.Context, string, string) error               { return nil }
