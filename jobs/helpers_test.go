package jobs_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"

	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/jobs"
)

// engines runs test once on SQLite and once on PostgreSQL (skipped when
// PostgreSQL is unreachable and CI is not "true"), each with a fresh
// database and cfg completed by it.
func engines(t *testing.T, test func(t *testing.T, cfg jobs.Config)) {
	t.Run("sqlite", func(t *testing.T) {
		cfg := jobs.Config{SQLite: openSQLite(t, filepath.Join(t.TempDir(), "jobs.db"))}
		test(t, cfg)
	})
	t.Run("postgres", func(t *testing.T) {
		cfg := jobs.Config{Postgres: openPostgres(t)}
		test(t, cfg)
	})
}

// openSQLite opens an SQLite file as the project does: WAL, a busy
// timeout, one connection.
func openSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres returns a pool on a fresh schema of the test PostgreSQL.
func openPostgres(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := pgtest.Schema(t, "jobs_test")
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// startClient makes a client of cfg with quick polls, lets register add
// workers, starts it and stops it at cleanup.
func startClient(t *testing.T, cfg jobs.Config, register func(c *jobs.Client)) *jobs.Client {
	t.Helper()
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	ctx := testkit.Context(t)
	c, err := jobs.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if register != nil {
		register(c)
	}
	if err := c.Start(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return c
}

// until polls cond every 20 ms for at most d.
func until(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
