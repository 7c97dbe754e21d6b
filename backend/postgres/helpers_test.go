package postgres

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/pgtest"
)

// testDSN returns the URL of a fresh schema on the test server (skipping
// the test when there is none, failing it when CI=true) and the schema's
// name.
func testDSN(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = pgtest.Schema(t, "herald_pg")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return dsn, u.Query().Get("search_path")
}

// openAt opens a Store on schema of the test server, closed when t ends.
// Unless opts says otherwise, it does not sweep.
func openAt(t testing.TB, dsn, schema string, opts Options) *Store {
	t.Helper()
	opts.Schema = schema
	if opts.SweepInterval == 0 {
		opts.SweepInterval = -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore opens a Store on a fresh schema.
func newStore(t testing.TB) *Store {
	t.Helper()
	dsn, schema := testDSN(t)
	return openAt(t, dsn, schema, Options{})
}
