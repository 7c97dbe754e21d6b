package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldbot/herald/backend"
)

// state is the Store seen as a backend.State (table fsm_records).
type state Store

var _ backend.State = (*state)(nil)

// Get returns the record of key, or a zero Record when there is none or
// it has expired on the server's clock.
func (s *state) Get(ctx context.Context, key backend.Key) (backend.Record, error) {
	var rec backend.Record
	err := s.pool.QueryRow(ctx, s.sql.get, key.String()).Scan(&rec.State, &rec.Data, &rec.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return backend.Record{}, nil
	}
	if err != nil {
		return backend.Record{}, fmt.Errorf("postgres: get %s: %w", key, err)
	}
	return rec, nil
}

// CompareAndSet stores rec for key if its version is expect (0: absent or
// expired) and returns the new version, in one statement: an INSERT that
// overwrites only an expired row (version 1 again), or an UPDATE guarded
// by the version. No row changed means backend.ErrConflict.
func (s *state) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	if expect < 0 {
		return 0, fmt.Errorf("postgres: compare-and-set %s: negative version %d", key, expect)
	}
	if ttl < 0 {
		return 0, fmt.Errorf("postgres: compare-and-set %s: negative ttl %v", key, ttl)
	}
	// nil Data is stored as NULL and empty Data as empty: both read back
	// as they were written.
	q, args := s.sql.update, []any{key.String(), rec.State, rec.Data, micros(ttl), expect}
	if expect == 0 {
		q, args = s.sql.create, args[:4]
	}
	tag, err := s.pool.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("postgres: compare-and-set %s: %w", key, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, backend.ErrConflict
	}
	return expect + 1, nil
}

// Delete removes the record of key, whatever its version.
func (s *state) Delete(ctx context.Context, key backend.Key) error {
	if _, err := s.pool.Exec(ctx, s.sql.delete, key.String()); err != nil {
		return fmt.Errorf("postgres: delete %s: %w", key, err)
	}
	return nil
}
