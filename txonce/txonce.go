package txonce

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Table is the table holding the marks.
const Table = "herald_once"

// Migrate creates the marks table if it does not exist.
func Migrate(ctx context.Context, db *sql.DB) error {
	if db == nil {
		return errors.New("txonce: Migrate: nil *sql.DB")
	}
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+Table+` (
	name TEXT PRIMARY KEY,
	done_at BIGINT NOT NULL
)`)
	if err != nil {
		return fmt.Errorf("txonce: creating %s: %w", Table, err)
	}
	return nil
}

// Do runs fn in tx unless name was marked by a transaction that committed
// before, and marks name in tx. It reports whether fn ran. When fn fails
// its error is returned and the caller must roll tx back (the mark goes
// with it, so a later call runs fn again); when it succeeds the caller
// commits tx, and the mark with it.
//
// Two transactions doing the same name at once do not both run fn: on
// PostgreSQL the second waits on the first's row until it commits (then
// Do returns false) or rolls back (then the second runs fn); SQLite has
// one writer at a time.
func Do(ctx context.Context, tx *sql.Tx, name string, fn func(tx *sql.Tx) error) (ran bool, err error) {
	if tx == nil {
		return false, errors.New("txonce: Do: nil *sql.Tx")
	}
	if name == "" {
		return false, errors.New("txonce: Do: empty name")
	}
	if fn == nil {
		return false, errors.New("txonce: Do: nil function")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO `+Table+` (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		name, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("txonce: marking %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("txonce: marking %q: %w", name, err)
	}
	if n == 0 {
		return false, nil
	}
	if err := fn(tx); err != nil {
		return true, err
	}
	return true, nil
}

// Forget deletes the marks written before the cutoff, so that the table
// does not grow forever. It returns how many it deleted. Names whose mark
// is forgotten can run again: keep marks longer than any re-delivery
// (Telegram keeps updates for 24 hours).
func Forget(ctx context.Context, db *sql.DB, before time.Time) (int64, error) {
	if db == nil {
		return 0, errors.New("txonce: Forget: nil *sql.DB")
	}
	res, err := db.ExecContext(ctx, `DELETE FROM `+Table+` WHERE done_at < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("txonce: forgetting marks: %w", err)
	}
	return res.RowsAffected()
}
