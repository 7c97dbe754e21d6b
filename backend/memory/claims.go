package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

var _ backend.Claims = (*Store)(nil)

// claim is a name's entry in its shard's claims map: pending for owner
// until expires, or done until expires.
type claim struct {
	owner   string
	done    bool
	expires int64 // store time in ns; always set (leases and ttls are positive)
}

// Claim takes name for owner for lease if it is free (never claimed,
// released, its lease passed or its done mark expired) and reports
// backend.Claimed; otherwise it reports backend.Pending or backend.Done and changes
// nothing. Claims count as marks toward Options.MaxMarks: a Claim of a new
// name returns ErrFull when the store holds that many.
func (s *Store) Claim(_ context.Context, name, owner string, lease time.Duration) (backend.ClaimStatus, error) {
	if err := checkClaim("claim", name, owner, lease); err != nil {
		return 0, err
	}
	sh := s.nameShard(name)
	now := s.now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.claims[name]
	if ok && !expired(old.expires, now) {
		if old.done {
			return backend.Done, nil
		}
		return backend.Pending, nil
	}
	if !ok {
		if !s.reserve(&s.marks, s.maxMarks, sh, now) {
			return 0, fmt.Errorf("memory: cannot claim %q: %w (Options.MaxMarks = %d marks and claims)", name, ErrFull, s.maxMarks)
		}
		sh.peakClaims = max(sh.peakClaims, len(sh.claims)+1)
	}
	c := claim{owner: owner, expires: expiry(now, lease)}
	sh.claims[name] = c
	sh.noteExpiry(c.expires)
	return backend.Claimed, nil
}

// Extend renews owner's pending claim of name for lease from now, or
// returns an error wrapping backend.ErrClaimLost.
func (s *Store) Extend(_ context.Context, name, owner string, lease time.Duration) error {
	if err := checkClaim("extend claim", name, owner, lease); err != nil {
		return err
	}
	return s.updateClaim("extend claim", name, owner, claim{owner: owner}, lease)
}

// Finish turns owner's pending claim of name into a done mark kept for
// ttl, or returns an error wrapping backend.ErrClaimLost.
func (s *Store) Finish(_ context.Context, name, owner string, ttl time.Duration) error {
	if err := checkClaim("finish claim", name, owner, ttl); err != nil {
		return err
	}
	return s.updateClaim("finish claim", name, owner, claim{owner: owner, done: true}, ttl)
}

// updateClaim replaces owner's live pending claim of name with c, expiring
// d from now.
func (s *Store) updateClaim(op, name, owner string, c claim, d time.Duration) error {
	sh := s.nameShard(name)
	now := s.now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, ok := sh.claims[name]
	if !ok || old.done || old.owner != owner || expired(old.expires, now) {
		return fmt.Errorf("memory: %s %q: %w", op, name, backend.ErrClaimLost)
	}
	c.expires = expiry(now, d)
	sh.claims[name] = c
	sh.noteExpiry(c.expires)
	return nil
}

// Release frees owner's pending claim of name so that it can be claimed
// again at once. It does nothing if name is not pending for owner.
func (s *Store) Release(_ context.Context, name, owner string) error {
	if err := checkClaim("release claim", name, owner, time.Nanosecond); err != nil {
		return err
	}
	sh := s.nameShard(name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.claims[name]; ok && !old.done && old.owner == owner {
		delete(sh.claims, name)
		s.marks.Add(-1)
	}
	return nil
}

// checkClaim rejects an empty name or owner and a non-positive duration
// (backend.CheckClaim).
func checkClaim(op, name, owner string, d time.Duration) error {
	if err := backend.CheckClaim(name, owner, d); err != nil {
		return fmt.Errorf("memory: %s %q: %w", op, name, err)
	}
	return nil
}
