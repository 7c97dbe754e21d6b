package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/fsm"
)

var _ fsm.Marker = (*Store)(nil)

// Mark records name for ttl (0: until Unmark) and reports whether this call
// recorded it. It is one INSERT that only overwrites an expired mark, so
// exactly one of many concurrent callers, in any process, gets true.
func (s *Store) Mark(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	if ttl < 0 {
		return false, fmt.Errorf("sqlite: mark %q: negative ttl %v", name, ttl)
	}
	now := s.nowNanos()
	n, err := rowsAffected(s.stmts.mark.ExecContext(ctx, name, s.expiresAt(now, ttl), now))
	if err != nil {
		return false, fmt.Errorf("sqlite: mark %q: %w", name, err)
	}
	return n == 1, nil
}

// Unmark forgets name, so that it can be marked again.
func (s *Store) Unmark(ctx context.Context, name string) error {
	if _, err := s.stmts.unmark.ExecContext(ctx, name); err != nil {
		return fmt.Errorf("sqlite: unmark %q: %w", name, err)
	}
	return nil
}

// Marked reports whether name is marked now, without marking it.
func (s *Store) Marked(ctx context.Context, name string) (bool, error) {
	var one int
	err := s.stmts.marked.QueryRowContext(ctx, name, s.nowNanos()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: marked %q: %w", name, err)
	}
	return true, nil
}
