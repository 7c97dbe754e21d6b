package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

func mustTake(t *testing.T, l backend.LimitStore, r *backend.LimitRequest) backend.LimitVerdict {
	t.Helper()
	v, err := l.Take(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLimitsOnTheClock: waits are exact on the Store's clock, a refused
// Take takes nothing, and the bots of one file have buckets of their own.
func TestLimitsOnTheClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStore(t)
		chat := func(id int64) *backend.LimitRequest {
			return &backend.LimitRequest{N: 1, Chat: tg.ID(id), Buckets: []backend.LimitBucket{
				{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 10, Per: time.Second}},
				{Scope: backend.ScopeChat, Chat: tg.ID(id), Rate: backend.Rate{Count: 1, Per: time.Second, Burst: 2}},
			}}
		}
		a, b := s.Limits(1), s.Limits(2)
		if v := mustTake(t, a, chat(1)); v.Wait != 0 {
			t.Fatalf("first: %+v", v)
		}
		if v := mustTake(t, b, chat(1)); v.Wait != 0 {
			t.Fatalf("another bot, same chat: %+v, want its own buckets", v)
		}
		if v := mustTake(t, a, chat(2)); v.Wait != 100*time.Millisecond || v.Scope != backend.ScopeGlobal {
			t.Fatalf("global: %+v, want 100ms global", v)
		}
		time.Sleep(100 * time.Millisecond)
		if v := mustTake(t, a, chat(1)); v.Wait != 0 {
			t.Fatalf("second of the chat's burst: %+v", v)
		}
		time.Sleep(100 * time.Millisecond)
		if v := mustTake(t, a, chat(1)); v.Wait != 800*time.Millisecond || v.Scope != backend.ScopeChat {
			t.Fatalf("chat: %+v, want 800ms chat", v)
		}
		if v := mustTake(t, a, chat(2)); v.Wait != 0 {
			t.Fatalf("chat 2 after a refusal: %+v (the refusal took from the global bucket)", v)
		}
		if err := a.Pause(context.Background(), tg.Username("@news"), 5*time.Second); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		if v := mustTake(t, a, &backend.LimitRequest{N: 1, Chat: tg.Username("@news")}); v.Wait != 3*time.Second || v.Scope != backend.ScopeChatPause {
			t.Fatalf("paused channel: %+v, want 3s chat pause", v)
		}
	})
}

// TestLimitsSwept: Sweep deletes buckets at rest and pauses that ended,
// and keeps the others; a swept bucket is as good as the row was.
func TestLimitsSwept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		l := s.Limits(7)
		hourly := backend.Rate{Count: 1, Per: time.Hour}
		for i := range 10 {
			r := &backend.LimitRequest{N: 1, Chat: tg.ID(int64(i)), Buckets: []backend.LimitBucket{{Scope: backend.ScopeChat, Chat: tg.ID(int64(i)), Rate: hourly}}}
			if v := mustTake(t, l, r); v.Wait != 0 {
				t.Fatalf("chat %d: %+v", i, v)
			}
		}
		if err := l.Pause(ctx, tg.ChatID{}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := l.Pause(ctx, tg.ID(3), 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "limit_buckets"); n != 12 {
			t.Fatalf("%d rows, want 10 buckets and 2 pauses", n)
		}
		time.Sleep(time.Hour)
		if n, err := s.Sweep(ctx); err != nil || n != 11 {
			t.Fatalf("Sweep = %d, %v; want the 10 buckets at rest and the bot's pause", n, err)
		}
		if n := countRows(t, s, "limit_buckets"); n != 1 {
			t.Fatalf("%d rows left, want chat 3's pause", n)
		}
		r := &backend.LimitRequest{N: 1, Chat: tg.ID(3), Buckets: []backend.LimitBucket{{Scope: backend.ScopeChat, Chat: tg.ID(3), Rate: hourly}}}
		if v := mustTake(t, l, r); v.Wait != time.Hour || v.Scope != backend.ScopeChatPause {
			t.Fatalf("chat 3 after the sweep: %+v, want its pause's last hour", v)
		}
		r.Chat, r.Buckets[0].Chat = tg.ID(4), tg.ID(4)
		if v := mustTake(t, l, r); v.Wait != 0 {
			t.Fatalf("chat 4 after its bucket was swept: %+v", v)
		}
	})
}

// TestMigrateFromV3: a file of schema version 3 gets the limiter's table,
// loses the marks table, and keeps its records and claims.
func TestMigrateFromV3(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	db, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrations[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO fsm_records (key, state, data, version) VALUES (?1, 'a', NULL, 1)`, key1.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO claims (name, owner, done, expires_at) VALUES ('update:1', 'o', 1, ?1)`, time.Now().Add(time.Hour).UnixNano()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO marks (name) VALUES ('old')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := openAt(t, path, Options{SweepInterval: -1})
	if v, _, err := readVersion(ctx, s.r); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if rec := mustGet(t, s, key1); rec.State != "a" || rec.Version != 1 {
		t.Fatalf("record after the migration: %+v", rec)
	}
	wantClaim(t, s, "update:1", backend.Done)
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'marks'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("marks table: %d, %v; want dropped", n, err)
	}
	if v := mustTake(t, s.Limits(1), limitsRequest()); v.Wait != 0 {
		t.Fatalf("Take after the migration: %+v", v)
	}
}
