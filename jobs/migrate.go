package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLock is the PostgreSQL advisory lock New holds while migrating.
const migrateLock = 14_727_274

// migrate brings River's tables up to date: in one transaction on
// SQLite, under an advisory lock on PostgreSQL.
func migrate(ctx context.Context, cfg Config) error {
	mcfg := &rivermigrate.Config{Logger: cfg.Logger, Schema: cfg.Schema}
	if cfg.SQLite != nil {
		mcfg.Schema = ""
		m, err := rivermigrate.New(riversqlite.New(cfg.SQLite), mcfg)
		if err != nil {
			return fmt.Errorf("jobs: migrations: %w", err)
		}
		tx, err := cfg.SQLite.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("jobs: migrations: %w", err)
		}
		defer func() { _ = tx.Rollback() }()
		if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrating River's tables: %w", err)
		}
		return tx.Commit()
	}
	m, err := rivermigrate.New(riverpgxv5.New(cfg.Postgres), mcfg)
	if err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	// Migrations that add enum values cannot share one transaction, so
	// River applies each in its own; a session advisory lock on one
	// connection keeps instances starting together from racing.
	conn, err := cfg.Postgres.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("jobs: migrations: taking the lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock) }()
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrating River's tables: %w", err)
	}
	return nil
}
