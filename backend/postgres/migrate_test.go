package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// schemaVersions returns the versions recorded in schema_version.
func schemaVersions(t *testing.T, s *Store) []int {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "SELECT version FROM "+s.schema+".schema_version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantVersions(t *testing.T, s *Store) {
	t.Helper()
	vs := schemaVersions(t, s)
	if len(vs) != SchemaVersion {
		t.Fatalf("schema_version holds %v, want each of 1..%d once", vs, SchemaVersion)
	}
	for i, v := range vs {
		if v != i+1 {
			t.Fatalf("schema_version holds %v, want each of 1..%d once", vs, SchemaVersion)
		}
	}
}

// TestMigrateConcurrentOpens: several Stores opened at once on a new
// schema, each with a pool of its own as separate processes would, all
// succeed, and the migrations ran once.
func TestMigrateConcurrentOpens(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	const n = 6
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		stores [n]*Store
		errs   [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			stores[i], errs[i] = Open(ctx, dsn, Options{Schema: schema, SweepInterval: -1})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	wantVersions(t, stores[0])
}

// TestMigrateUpgrade: a schema at an older version is brought to the
// current one, running only the missing migrations.
func TestMigrateUpgrade(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	old := openAt(t, dsn, schema, Options{})
	if _, err := old.pool.Exec(t.Context(), "DROP SCHEMA "+old.schema+" CASCADE"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), old.pool, schema, migrations[:1]); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	if vs := schemaVersions(t, old); len(vs) != 1 {
		t.Fatalf("after the first migration: versions %v", vs)
	}
	s := openAt(t, dsn, schema, Options{})
	wantVersions(t, s)
	if _, err := s.Limits(1).Take(t.Context(), &backend.LimitRequest{N: 1}); err != nil {
		t.Fatalf("Take on the upgraded schema: %v", err)
	}
}

// TestMigrateRefusesNewer: a schema migrated by a newer Herald is refused
// with ErrSchemaTooNew, and left as it is.
func TestMigrateRefusesNewer(t *testing.T) {
	t.Parallel()
	dsn, schema := testDSN(t)
	s := openAt(t, dsn, schema, Options{})
	if _, err := s.pool.Exec(t.Context(), "INSERT INTO "+s.schema+".schema_version (version, name) VALUES ($1, 'from the future')",
		SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), dsn, Options{Schema: schema, SweepInterval: -1})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema: %v; want ErrSchemaTooNew", err)
	}
	t.Logf("the error: %v", err)
	if !strings.Contains(err.Error(), schema) {
		t.Errorf("the error does not name the schema %s: %v", schema, err)
	}
	if vs := schemaVersions(t, s); len(vs) != SchemaVersion+1 {
		t.Fatalf("versions after the refusal: %v", vs)
	}
}

// TestOpenUnreachable: a server that does not answer gives an error that
// names where it looked, without the DSN's password.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://bot:s3cr3t-pw@127.0.0.1:1/db?connect_timeout=2", Options{})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("the error does not say where: %v", err)
	}
	t.Logf("the error: %v", err)
}
