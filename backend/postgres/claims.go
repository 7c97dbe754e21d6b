package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

// claims is the Store seen as backend.Claims (table claims). Leases and
// done marks run on the server's clock.
type claims Store

var _ backend.Claims = (*claims)(nil)

// Claim takes name for owner for lease if it is free and reports
// backend.Claimed; otherwise backend.Pending or backend.Done, changing
// nothing. It is one call of the schema's claim function: an INSERT that
// overwrites only a row whose time has run out (so exactly one of many
// concurrent callers, in any process, wins), then, if it lost, a read of
// the winner's row.
func (c *claims) Claim(ctx context.Context, name, owner string, lease time.Duration) (backend.ClaimStatus, error) {
	if err := checkClaim("claim", name, owner, lease); err != nil {
		return 0, err
	}
	var st int
	if err := c.pool.QueryRow(ctx, c.sql.claim, name, owner, micros(lease)).Scan(&st); err != nil {
		return 0, fmt.Errorf("postgres: claim %q: %w", name, err)
	}
	switch s := backend.ClaimStatus(st); s {
	case backend.Claimed, backend.Pending, backend.Done:
		return s, nil
	}
	return 0, fmt.Errorf("postgres: claim %q: unexpected status %d", name, st)
}

// Extend renews owner's pending claim of name for lease from now, or
// returns an error wrapping backend.ErrClaimLost.
func (c *claims) Extend(ctx context.Context, name, owner string, lease time.Duration) error {
	return c.update(ctx, "extend claim", c.sql.claimExtend, name, owner, lease)
}

// Finish turns owner's pending claim of name into a done mark kept for
// ttl, or returns an error wrapping backend.ErrClaimLost.
func (c *claims) Finish(ctx context.Context, name, owner string, ttl time.Duration) error {
	return c.update(ctx, "finish claim", c.sql.claimFinish, name, owner, ttl)
}

// update runs query, the UPDATE of owner's live pending claim of name,
// and maps "no row changed" to backend.ErrClaimLost.
func (c *claims) update(ctx context.Context, op, query, name, owner string, d time.Duration) error {
	if err := checkClaim(op, name, owner, d); err != nil {
		return err
	}
	tag, err := c.pool.Exec(ctx, query, name, owner, micros(d))
	if err != nil {
		return fmt.Errorf("postgres: %s %q: %w", op, name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s %q: %w", op, name, backend.ErrClaimLost)
	}
	return nil
}

// Release frees owner's pending claim of name so that it can be claimed
// again at once. It does nothing if name is not pending for owner.
func (c *claims) Release(ctx context.Context, name, owner string) error {
	if err := checkClaim("release claim", name, owner, time.Nanosecond); err != nil {
		return err
	}
	if _, err := c.pool.Exec(ctx, c.sql.claimRelease, name, owner); err != nil {
		return fmt.Errorf("postgres: release claim %q: %w", name, err)
	}
	return nil
}

// checkClaim rejects an empty name or owner and a non-positive duration
// (backend.CheckClaim).
func checkClaim(op, name, owner string, d time.Duration) error {
	if err := backend.CheckClaim(name, owner, d); err != nil {
		return fmt.Errorf("postgres: %s %q: %w", op, name, err)
	}
	return nil
}
