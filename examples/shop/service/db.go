package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Engine names a database engine.
type Engine string

// The engines Open supports.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the shop's database: a *sql.DB and the dialect of its engine.
type DB struct {
	db     *sql.DB
	engine Engine
	dsn    string
}

// Open connects to dsn and prepares the schema: a "postgres://" or
// "postgresql://" URL opens PostgreSQL, anything else is an SQLite file
// path (":memory:" is not supported: the shop needs one shared database).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("service: empty database address")
	}
	var d *DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
		db.SetMaxOpenConns(20)
		d = &DB{db: db, engine: Postgres}
	} else {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(5000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Set("_txlock", "immediate") // writers queue for the lock at BEGIN, not mid-transaction
		db, err := sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
		// One connection: SQLite has one writer anyway, and queueing in Go
		// is cheaper and fairer than SQLite's busy handler.
		db.SetMaxOpenConns(1)
		d = &DB{db: db, engine: SQLite}
	}
	d.dsn = dsn
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.db.PingContext(pctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("service: connecting to %s: %w", d.engine, err)
	}
	if err := d.migrate(pctx); err != nil {
		d.db.Close()
		return nil, err
	}
	return d, nil
}

// Engine returns the database engine.
func (d *DB) Engine() Engine { return d.engine }

// SQL returns the database's pool, for code that shares it (the shop's
// jobs live in the same SQLite file, to be written in the same
// transactions).
func (d *DB) SQL() *sql.DB { return d.db }

// DSN returns the address Open was given: the SQLite path or the
// PostgreSQL URL.
func (d *DB) DSN() string { return d.dsn }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// q rewrites a query written with '?' placeholders for the engine:
// PostgreSQL numbers them ($1, $2, …). Queries here never contain a
// literal '?'.
func (d *DB) q(query string) string {
	if d.engine != Postgres || !strings.Contains(query, "?") {
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

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
