package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Own takes, or renews, owner's lease on partition p for lease: one
// statement that writes the journal_owners row only when it is free, its
// lease has run out (on this machine's clock) or it is owner's.
func (j *Journal) Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error) {
	if err := j.check(p, owner); err != nil {
		return false, j.errorf("own", err)
	}
	if lease <= 0 {
		return false, j.errorf("own", fmt.Errorf("lease must be positive, got %v", lease))
	}
	now := j.s.nowNanos()
	var one int
	err := j.s.stmts.journalOwn.QueryRowContext(ctx, p, owner, now+int64(lease), now).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, j.errorIf("own", err)
}

// Disown ends owner's lease on p at once; it does nothing if owner does
// not hold p.
func (j *Journal) Disown(ctx context.Context, p int, owner string) error {
	if err := j.check(p, owner); err != nil {
		return j.errorf("disown", err)
	}
	_, err := j.s.stmts.journalDisown.ExecContext(ctx, p, owner)
	return j.errorIf("disown", err)
}

// Announce records that worker owner is alive for ttl from now (a row of
// journal_workers); a ttl of zero or less removes it at once.
func (j *Journal) Announce(ctx context.Context, owner string, ttl time.Duration) error {
	if owner == "" {
		return j.errorf("announce", errors.New("empty owner"))
	}
	var err error
	if ttl <= 0 {
		_, err = j.s.w.ExecContext(ctx, `DELETE FROM journal_workers WHERE owner = ?1`, owner)
	} else {
		_, err = j.s.w.ExecContext(ctx, `INSERT INTO journal_workers (owner, expires_at) VALUES (?1, ?2)
			ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at`, owner, j.s.nowNanos()+int64(ttl))
	}
	return j.errorIf("announce", err)
}

// Workers lists the workers whose announcement has not run out, sorted.
func (j *Journal) Workers(ctx context.Context) ([]string, error) {
	out, err := scanColumn[string](j.s.r.QueryContext(ctx, `SELECT owner FROM journal_workers
		WHERE expires_at > ?1 ORDER BY owner`, j.s.nowNanos()))
	return out, j.errorIf("workers", err)
}
