package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

var _ backend.Claims = (*Store)(nil)

// Claim takes name for owner for lease if it is free (never claimed,
// released, its lease passed or its done mark expired) and reports
// backend.Claimed; otherwise it reports backend.Pending or backend.Done and changes
// nothing. Taking the name is one INSERT that only overwrites a row whose
// time has run out, so exactly one of many concurrent callers, in any
// process sharing the file, gets backend.Claimed. A caller that did not take
// the name reads which of Pending and Done it is (from the read pool); if
// the claim was released or lapsed in between, it tries again.
func (s *Store) Claim(ctx context.Context, name, owner string, lease time.Duration) (backend.ClaimStatus, error) {
	if err := checkClaim("claim", name, owner, lease); err != nil {
		return 0, err
	}
	for {
		now := s.nowNanos()
		var one int
		err := s.stmts.claim.QueryRowContext(ctx, name, owner, now+int64(lease), now).Scan(&one)
		if err == nil {
			return backend.Claimed, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("sqlite: claim %q: %w", name, err)
		}
		var done bool
		err = s.stmts.claimStatus.QueryRowContext(ctx, name, now).Scan(&done)
		switch {
		case err == nil && done:
			return backend.Done, nil
		case err == nil:
			return backend.Pending, nil
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("sqlite: claim %q: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("sqlite: claim %q: %w", name, err)
		}
	}
}

// Extend renews owner's pending claim of name for lease from now, or
// returns an error wrapping backend.ErrClaimLost.
func (s *Store) Extend(ctx context.Context, name, owner string, lease time.Duration) error {
	if err := checkClaim("extend claim", name, owner, lease); err != nil {
		return err
	}
	now := s.nowNanos()
	return claimUpdated(ctx, s.stmts.extend, "extend claim", name, owner, now+int64(lease), now)
}

// Finish turns owner's pending claim of name into a done mark kept for
// ttl, or returns an error wrapping backend.ErrClaimLost.
func (s *Store) Finish(ctx context.Context, name, owner string, ttl time.Duration) error {
	if err := checkClaim("finish claim", name, owner, ttl); err != nil {
		return err
	}
	now := s.nowNanos()
	return claimUpdated(ctx, s.stmts.finish, "finish claim", name, owner, now+int64(ttl), now)
}

// claimUpdated runs st, the UPDATE of owner's live pending claim of name
// (expires_at = until where it is still in force at now), and maps "no row
// changed" to backend.ErrClaimLost.
func claimUpdated(ctx context.Context, st *sql.Stmt, op, name, owner string, until, now int64) error {
	n, err := rowsAffected(st.ExecContext(ctx, name, owner, until, now))
	if err != nil {
		return fmt.Errorf("sqlite: %s %q: %w", op, name, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s %q: %w", op, name, backend.ErrClaimLost)
	}
	return nil
}

// Release frees owner's pending claim of name so that it can be claimed
// again at once. It does nothing if name is not pending for owner.
func (s *Store) Release(ctx context.Context, name, owner string) error {
	if err := checkClaim("release claim", name, owner, time.Nanosecond); err != nil {
		return err
	}
	if _, err := s.stmts.release.ExecContext(ctx, name, owner); err != nil {
		return fmt.Errorf("sqlite: release claim %q: %w", name, err)
	}
	return nil
}

// checkClaim rejects an empty name or owner and a non-positive duration
// (backend.CheckClaim).
func checkClaim(op, name, owner string, d time.Duration) error {
	if err := backend.CheckClaim(name, owner, d); err != nil {
		return fmt.Errorf("sqlite: %s %q: %w", op, name, err)
	}
	return nil
}
