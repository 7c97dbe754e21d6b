package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Tx is a transaction on the jobs' database, given by InTx: write your
// business rows with Exec and QueryRow and enqueue with Client.InsertTx,
// and they commit together. SQL() and Pgx() give the engine's own
// transaction for code that wants it.
type Tx struct {
	sql *sql.Tx
	pgx pgx.Tx
}

// SQL returns the *sql.Tx of an SQLite client (nil on PostgreSQL).
func (t *Tx) SQL() *sql.Tx { return t.sql }

// Pgx returns the pgx.Tx of a PostgreSQL client (nil on SQLite).
func (t *Tx) Pgx() pgx.Tx { return t.pgx }

// Exec runs a statement written with '?' placeholders (numbered $1, $2,
// … for PostgreSQL; the query must hold no other '?') and returns the
// number of rows it changed.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if t.sql != nil {
		res, err := t.sql.ExecContext(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	tag, err := t.pgx.Exec(ctx, dollars(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// Scanner is one row of QueryRow.
type Scanner interface {
	// Scan copies the row's columns into dest; no row is
	// sql.ErrNoRows on SQLite and pgx.ErrNoRows on PostgreSQL (test
	// both with IsNoRows).
	Scan(dest ...any) error
}

// QueryRow runs a query written with '?' placeholders, as Exec, for one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) Scanner {
	if t.sql != nil {
		return t.sql.QueryRowContext(ctx, query, args...)
	}
	return t.pgx.QueryRow(ctx, dollars(query), args...)
}

// IsNoRows reports whether err is "no rows" of either engine.
func IsNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

// InTx runs fn in a transaction on the jobs' database and commits when
// fn returns nil (else rolls back and returns fn's error). With SQLite's
// one connection, fn must use only tx, never the pool.
func (c *Client) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if c.cfg.SQLite != nil {
		stx, err := c.cfg.SQLite.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("jobs: beginning a transaction: %w", err)
		}
		if err := fn(&Tx{sql: stx}); err != nil {
			_ = stx.Rollback()
			return err
		}
		if err := stx.Commit(); err != nil {
			return fmt.Errorf("jobs: committing: %w", err)
		}
		return nil
	}
	ptx, err := c.cfg.Postgres.Begin(ctx)
	if err != nil {
		return fmt.Errorf("jobs: beginning a transaction: %w", err)
	}
	if err := fn(&Tx{pgx: ptx}); err != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("jobs: committing: %w", err)
	}
	return nil
}

// dollars numbers '?' placeholders for PostgreSQL.
func dollars(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
