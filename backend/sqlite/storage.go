package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
)

var _ backend.State = (*Store)(nil)

// Get returns the record of key, or a zero Record when there is none or it
// has expired. Data is returned as stored, even when it is not valid JSON
// (the fsm layer reports that as backend.ErrCorrupt).
func (s *Store) Get(ctx context.Context, key backend.Key) (backend.Record, error) {
	var (
		rec     backend.Record
		hasData bool
	)
	err := s.stmts.get.QueryRowContext(ctx, key.String(), s.nowNanos()).
		Scan(&rec.State, &rec.Data, &hasData, &rec.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return backend.Record{}, nil
	}
	if err != nil {
		return backend.Record{}, fmt.Errorf("sqlite: get %s: %w", key, err)
	}
	if hasData && rec.Data == nil {
		rec.Data = []byte{} // the driver reads an empty BLOB as nil
	}
	return rec, nil
}

// CompareAndSet stores rec for key if its version is expect (0: absent or
// expired) and returns the new version. It is one statement: an UPDATE
// guarded by the version, or an INSERT that only overwrites an expired row;
// no row changed means backend.ErrConflict.
func (s *Store) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	if expect < 0 {
		return 0, fmt.Errorf("sqlite: compare-and-set %s: negative version %d", key, expect)
	}
	if ttl < 0 {
		return 0, fmt.Errorf("sqlite: compare-and-set %s: negative ttl %v", key, ttl)
	}
	now := s.nowNanos()
	exp := s.expiresAt(now, ttl)
	data := blob(rec.Data)
	var (
		n   int64
		err error
	)
	if expect == 0 {
		n, err = rowsAffected(s.stmts.insert.ExecContext(ctx, key.String(), rec.State, data, exp, now))
	} else {
		n, err = rowsAffected(s.stmts.update.ExecContext(ctx, key.String(), rec.State, data, exp, expect, now))
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: compare-and-set %s: %w", key, err)
	}
	if n == 0 {
		return 0, backend.ErrConflict
	}
	return expect + 1, nil
}

// Delete removes the record of key, whatever its version.
func (s *Store) Delete(ctx context.Context, key backend.Key) error {
	if _, err := s.stmts.delete.ExecContext(ctx, key.String()); err != nil {
		return fmt.Errorf("sqlite: delete %s: %w", key, err)
	}
	return nil
}

// rowsAffected returns the rows changed by a statement run with Exec, or
// its error.
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// blob maps nil data to SQL NULL and keeps empty data an empty BLOB, so
// that the difference survives a round trip.
func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
