package txonce_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/heraldbot/herald/internal/pgtest"
	"github.com/heraldbot/herald/txonce"
)

// engines open a fresh database of each engine; PostgreSQL skips (fails
// under CI=true) when it is unreachable.
var engines = map[string]func(t *testing.T) *sql.DB{
	"sqlite": func(t *testing.T) *sql.DB {
		path := filepath.Join(t.TempDir(), "once.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
	"postgres": func(t *testing.T) *sql.DB {
		db, err := sql.Open("pgx", pgtest.Schema(t, "txonce"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
}

func onEngines(t *testing.T, test func(t *testing.T, db *sql.DB)) {
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			if err := txonce.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := txonce.Migrate(ctx, db); err != nil { // idempotent
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `CREATE TABLE effects (name TEXT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			test(t, db)
		})
	}
}

// payOnce writes one effect row for name inside txonce.Do, then commits
// unless fail says otherwise.
func payOnce(ctx context.Context, db *sql.DB, name string, fail error) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	ran, err := txonce.Do(ctx, tx, name, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO effects (name) VALUES ($1)`, name); err != nil {
			return err
		}
		return fail
	})
	if err != nil {
		return ran, err
	}
	return ran, tx.Commit()
}

func effects(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM effects WHERE name = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDoOnce: the first committed Do runs, later ones do not; a failed or
// rolled-back Do leaves no mark, so the next one runs.
func TestDoOnce(t *testing.T) {
	onEngines(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		if ran, err := payOnce(ctx, db, "a", boom); !ran || !errors.Is(err, boom) {
			t.Fatalf("failing Do = %v, %v", ran, err)
		}
		if n := effects(t, db, "a"); n != 0 {
			t.Fatalf("a rolled-back effect left %d rows", n)
		}
		for i, want := range []bool{true, false, false} {
			ran, err := payOnce(ctx, db, "a", nil)
			if err != nil || ran != want {
				t.Fatalf("Do #%d = %v, %v; want %v", i, ran, err, want)
			}
		}
		if n := effects(t, db, "a"); n != 1 {
			t.Fatalf("%d effects, want 1", n)
		}
		if ran, err := payOnce(ctx, db, "b", nil); !ran || err != nil {
			t.Fatalf("another name = %v, %v", ran, err)
		}
		// Forget drops old marks only.
		if n, err := txonce.Forget(ctx, db, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("Forget(an hour ago) = %d, %v", n, err)
		}
		if n, err := txonce.Forget(ctx, db, time.Now().Add(time.Minute)); err != nil || n != 2 {
			t.Fatalf("Forget(now) = %d, %v", n, err)
		}
	})
}

// TestDoConcurrent: overlapping transactions with one name, released at
// once, write the effect exactly once.
func TestDoConcurrent(t *testing.T) {
	onEngines(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		db.SetMaxOpenConns(10)
		const n = 8
		var wg sync.WaitGroup
		var ran atomic.Int64
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				r, err := payOnce(ctx, db, "c", nil)
				if err != nil {
					t.Error(err)
				}
				if r {
					ran.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if ran.Load() != 1 || effects(t, db, "c") != 1 {
			t.Fatalf("%d ran, %d effects; want 1 and 1", ran.Load(), effects(t, db, "c"))
		}
	})
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := txonce.Do(ctx, nil, "x", func(*sql.Tx) error { return nil }); err == nil {
		t.Error("nil tx accepted")
	}
	if err := txonce.Migrate(ctx, nil); err == nil {
		t.Error("nil db accepted")
	}
	onEngines(t, func(t *testing.T, db *sql.DB) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := txonce.Do(ctx, tx, "", func(*sql.Tx) error { return nil }); err == nil {
			t.Error("empty name accepted")
		}
		if _, err := txonce.Do(ctx, tx, "x", nil); err == nil {
			t.Error("nil fn accepted")
		}
	})
}
