package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// rawExec runs statements on path with a plain driver connection, as
// another program (or an older Herald) would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestSchemaVersionConst(t *testing.T) {
	if SchemaVersion != len(migrations) {
		t.Fatalf("SchemaVersion = %d, len(migrations) = %d", SchemaVersion, len(migrations))
	}
}

// TestRestart: state written before Close is there after re-opening the
// file, and versions continue.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCAS(t, s, key1, 0, backend.Record{State: "form:age", Data: []byte(`{"name":"Ann"}`)}, time.Hour)
	markDone(t, s, "update:7", time.Hour)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s = openAt(t, path, Options{})
	rec := mustGet(t, s, key1)
	if rec.State != "form:age" || string(rec.Data) != `{"name":"Ann"}` || rec.Version != 1 {
		t.Fatalf("after restart Get = %+v", rec)
	}
	wantClaim(t, s, "update:7", backend.Done)
	mustCAS(t, s, key1, 1, backend.Record{State: "done"}, 0)
	var mode string
	if err := s.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
}

func TestOpenMemory(t *testing.T) {
	s := openAt(t, ":memory:", Options{SweepInterval: -1})
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
	if rec := mustGet(t, s, key1); rec.State != "a" {
		t.Fatalf("Get = %+v", rec)
	}
}

func TestOpenBadPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, p := range []string{"", filepath.Join(dir, "a?b.db"), filepath.Join(dir, "missing", "x.db"), dir} {
		if s, err := Open(ctx, p, Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// TestMigrateFromV0: an empty (version 0) file is migrated to the current
// schema; a current file is opened as is.
func TestMigrateFromV0(t *testing.T) {
	path := dbPath(t)
	rawExec(t, path, "PRAGMA user_version") // creates an empty database file
	s := openAt(t, path, Options{SweepInterval: -1})
	v, app, err := readVersion(context.Background(), s.r)
	if err != nil || v != SchemaVersion || app != applicationID {
		t.Fatalf("after Open: version %d, app %#x, %v", v, app, err)
	}
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
	s.Close()

	s = openAt(t, path, Options{SweepInterval: -1}) // current: no migration
	if rec := mustGet(t, s, key1); rec.State != "a" {
		t.Fatalf("Get = %+v", rec)
	}
}

// TestOpenNewerSchema: a file from a newer Herald is refused with a clear
// error and left byte for byte as it was.
func TestOpenNewerSchema(t *testing.T) {
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
	s.Close()
	rawExec(t, path, "PRAGMA journal_mode=DELETE", "PRAGMA user_version = 99")
	before := fileSum(t, path)

	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("Open of a newer file: %v, want ErrSchemaTooNew naming version 99", err)
	}
	if fileSum(t, path) != before {
		t.Fatal("refused file was modified")
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("refused file got a WAL: %v", err)
	}
}

// TestOpenForeignDatabase: another program's database is refused, not
// extended with Herald's tables.
func TestOpenForeignDatabase(t *testing.T) {
	ctx := context.Background()
	cases := map[string][]string{
		"tables":         {"CREATE TABLE users (id INTEGER PRIMARY KEY)"},
		"user_version":   {"PRAGMA user_version = 3"},
		"application_id": {"PRAGMA application_id = 1234"},
	}
	for name, stmts := range cases {
		t.Run(name, func(t *testing.T) {
			path := dbPath(t)
			rawExec(t, path, stmts...)
			before := fileSum(t, path)
			if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrNotHerald) {
				t.Fatalf("Open: %v, want ErrNotHerald", err)
			}
			if fileSum(t, path) != before {
				t.Fatal("refused file was modified")
			}
		})
	}
}

// TestMigrateSteps: migrations run in order from the file's version, each
// upgrade keeps the data, and a failing migration leaves the file at its
// old version with nothing half-applied.
func TestMigrateSteps(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	db, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v1 := []string{`CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);`}
	if err := migrate(ctx, db, v1); err != nil {
		t.Fatal(err)
	}
	broken := append(v1[:1:1], `CREATE TABLE u (b); INSERT INTO t VALUES (2); SELECT no_such_function();`)
	if err := migrate(ctx, db, broken); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("broken migration: %v", err)
	}
	var n int
	db.QueryRow("SELECT count(*) FROM t").Scan(&n)
	if v, _, _ := readVersion(ctx, db); v != 1 || n != 1 {
		t.Fatalf("after a failed migration: version %d, %d rows; want 1, 1", v, n)
	}
	if err := db.QueryRow("SELECT count(*) FROM u").Scan(&n); err == nil {
		t.Fatal("table of the failed migration exists")
	}
	v2 := append(v1[:1:1], `ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'`)
	if err := migrate(ctx, db, v2); err != nil {
		t.Fatal(err)
	}
	var b string
	if err := db.QueryRow("SELECT a, b FROM t").Scan(&n, &b); err != nil || n != 1 || b != "x" {
		t.Fatalf("after v2: %d %q %v", n, b, err)
	}
	if v, _, _ := readVersion(ctx, db); v != 2 {
		t.Fatalf("version %d, want 2", v)
	}
	if err := migrate(ctx, db, v1); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("older code on a newer file: %v", err)
	}
}

// TestOpenGarbage: a file that is not a database, or a database whose
// pages are damaged, gives an error at Open, not a panic.
func TestOpenGarbage(t *testing.T) {
	ctx := context.Background()
	t.Run("random", func(t *testing.T) {
		path := dbPath(t)
		garbage := bytes.Repeat([]byte("this is not an sqlite database\x00\xff"), 512)
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, path, Options{})
		if err == nil || !strings.Contains(err.Error(), "not a database") || !strings.Contains(err.Error(), path) {
			t.Fatalf("Open of garbage: %v", err)
		}
	})
	t.Run("damaged schema page", func(t *testing.T) {
		path := dbPath(t)
		s := openAt(t, path, Options{SweepInterval: -1})
		mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
		s.Close()
		rawExec(t, path, "PRAGMA journal_mode=DELETE")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 100; i < 4096 && i < len(b); i++ { // page 1 after the header
			b[i] = 0xA5
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, path, Options{}); err == nil {
			t.Fatal("Open of a damaged file succeeded")
		} else {
			t.Log(err)
		}
	})
}

// TestOpenConcurrentFreshFile: processes that open a new file at the same
// time all succeed, and the schema is created once.
func TestOpenConcurrentFreshFile(t *testing.T) {
	path := dbPath(t)
	const n = 4
	var wg sync.WaitGroup
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = Open(context.Background(), path, Options{SweepInterval: -1, Logger: slog.New(slog.DiscardHandler)})
		})
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer s.Close()
	}
	if t.Failed() {
		return
	}
	mustCAS(t, stores[0], key1, 0, backend.Record{State: "a"}, 0)
	if rec := mustGet(t, stores[n-1], key1); rec.State != "a" {
		t.Fatalf("another store reads %+v", rec)
	}
	if v, _, err := readVersion(context.Background(), stores[1].r); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if stores[0].Path() != path {
		t.Fatalf("Path() = %q, want %q", stores[0].Path(), path)
	}
}

// TestBusyTimeout: while another process holds the file's write lock, a
// write waits up to BusyTimeout and then fails (it neither hangs nor
// succeeds), and works again once the lock is released.
func TestBusyTimeout(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1, BusyTimeout: 150 * time.Millisecond})
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.CompareAndSet(ctx, key1, 0, backend.Record{State: "a"}, 0)
	took := time.Since(start)
	if err == nil || errors.Is(err, backend.ErrConflict) {
		t.Fatalf("write while another process holds the lock: %v", err)
	}
	if took < 100*time.Millisecond || took > 5*time.Second {
		t.Fatalf("write failed after %v, want about the busy timeout (150ms)", took)
	}
	if _, err := s.Lock(ctx, "l", time.Minute); err == nil {
		t.Fatal("Lock succeeded while another process holds the write lock")
	}
	// Reads go on meanwhile (WAL).
	if _, err := s.Get(ctx, key1); err != nil {
		t.Fatalf("read while another process writes: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
}

// TestClosedStore: calls on a closed store fail with an error instead of
// panicking.
func TestClosedStore(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, dbPath(t), Options{SweepInterval: -1})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, key1); err == nil {
		t.Error("Delete on a closed store succeeded")
	}
	if _, err := s.Claim(ctx, "u", "o", time.Minute); err == nil {
		t.Error("Claim on a closed store succeeded")
	}
	if err := s.Release(ctx, "u", "o"); err == nil {
		t.Error("Release on a closed store succeeded")
	}
	if _, err := s.Sweep(ctx); err == nil {
		t.Error("Sweep on a closed store succeeded")
	}
	if _, err := s.Broadcasts().Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "x"}}, []int64{1}, time.Now()); err == nil {
		t.Error("Create on a closed store succeeded")
	}
	if _, err := s.Limits(1).Take(ctx, &backend.LimitRequest{N: 1}); err == nil {
		t.Error("Take on a closed store succeeded")
	}
	if err := s.Limits(1).Pause(ctx, tg.ChatID{}, time.Second); err == nil {
		t.Error("Pause on a closed store succeeded")
	}
}
