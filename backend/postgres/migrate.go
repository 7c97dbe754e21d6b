package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema migrations: migrations/NNNN_name.sql turns schema version
// NNNN-1 into NNNN. Append only: a released migration is never edited.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one step of the schema.
type migration struct {
	version int
	name    string // file name
	sql     string
}

// migrations are the embedded migrations in version order.
var migrations = mustLoadMigrations(migrationFiles)

// SchemaVersion is the schema version this package writes: the number of
// its migrations.
var SchemaVersion = len(migrations)

// ErrSchemaTooNew is returned by Open and New for a schema migrated by a
// newer version of Herald. The schema is left untouched.
var ErrSchemaTooNew = errors.New("database schema is newer than this version of Herald supports")

// mustLoadMigrations reads the migration files of fsys, which must be
// numbered 1, 2, … without gaps.
func mustLoadMigrations(fsys fs.FS) []migration {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	list := make([]migration, 0, len(names))
	for i, name := range names { // fs.Glob returns them sorted
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			panic(fmt.Sprintf("postgres: migration %s: want number %04d", base, i+1))
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		list = append(list, migration{version: v, name: base, sql: string(b)})
	}
	return list
}

// migrationLock is the key of the transaction-level advisory lock that
// serialises the migrations of one schema across processes.
func migrationLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("herald migrate\x00" + schema))
	return int64(h.Sum64())
}

// migrate brings schema to len(list). The migrations run in one
// transaction that first takes pg_advisory_xact_lock, so of several
// processes starting at once one migrates and the others, once it has
// committed, find the schema current; a failed migration leaves the
// schema as it was. The table schema_version holds one row per applied
// migration.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, list []migration) error {
	// Fast path without the lock: already current (the usual start).
	v, err := readVersion(ctx, pool, schema)
	if err != nil {
		return err
	}
	if err := checkVersion(v, len(list)); err != nil || v == len(list) {
		return err
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock(schema)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	quoted := pgx.Identifier{schema}.Sanitize()
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, "CREATE SCHEMA "+quoted); err != nil {
			return fmt.Errorf("migrate: create schema: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+quoted); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    integer     NOT NULL PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Read again under the lock: another process may have migrated.
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if err := checkVersion(v, len(list)); err != nil || v == len(list) {
		return err
	}
	for _, m := range list[v:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate to schema version %d (%s): %w", m.version, m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// readVersion returns the schema version of schema: 0 when it has no
// schema_version table (or does not exist).
func readVersion(ctx context.Context, pool *pgxpool.Pool, schema string) (int, error) {
	table := pgx.Identifier{schema, "schema_version"}.Sanitize()
	var found bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&found); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !found {
		return 0, nil
	}
	var v int
	if err := pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+table).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func checkVersion(version, current int) error {
	if version > current {
		return fmt.Errorf("%w: schema version %d, this build knows up to %d; upgrade Herald", ErrSchemaTooNew, version, current)
	}
	return nil
}
