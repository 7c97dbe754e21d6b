// Package pgtest gives tests a fresh schema in the test PostgreSQL
// (127.0.0.1:5432, trust auth, database test), dropped when the test ends.
// It is imported only by tests.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/heraldbot/herald/internal/testkit"
)

// Addr is the test database.
const Addr = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var seq atomic.Int64

// Schema creates a schema named after prefix for the test (dropped at
// cleanup) and returns a URL whose search_path is that schema. When
// PostgreSQL is unreachable it ends the test as testkit.Missing does.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	admin, err := sql.Open("pgx", Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		testkit.Missing(t, "start PostgreSQL with trust auth and a database test", "PostgreSQL at 127.0.0.1:5432 (database test) is unreachable: %v", err)
	}
	schema := fmt.Sprintf("%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano(), seq.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	return Addr + "&search_path=" + schema
}
