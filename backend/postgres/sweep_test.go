package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.schema+"."+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func exec(t *testing.T, s *Store, query string, args ...any) {
	t.Helper()
	if _, err := s.pool.Exec(t.Context(), query, args...); err != nil {
		t.Fatal(err)
	}
}

// TestSweep: a sweep deletes expired records and claims, lock rows idle
// for longer than the grace and limiter buckets at rest, and keeps the
// rest; it does nothing while another process holds the sweep lock.
func TestSweep(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	st, cl := s.State(), s.Claims()
	for i, ttl := range []time.Duration{time.Hour, time.Hour, 0} {
		if _, err := st.CompareAndSet(ctx, backend.Key{BotID: 1, ChatID: int64(i)}, 0, backend.Record{State: "s"}, ttl); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a", "b"} {
		if _, err := cl.Claim(ctx, name, "o", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"l1", "l2"} {
		lk, err := s.Locker().Lock(ctx, name, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := lk.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
	}
	lim := s.Limits(7)
	hourly := backend.Rate{Count: 1, Per: time.Hour}
	for _, chat := range []int64{1, 2} {
		if _, err := lim.Take(ctx, &backend.LimitRequest{N: 1, Chat: tg.ID(chat),
			Buckets: []backend.LimitBucket{{Scope: backend.ScopeChat, Chat: tg.ID(chat), Rate: hourly}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Let time pass for one row of each table, on the server's terms.
	exec(t, s, "UPDATE "+s.schema+".fsm_records SET expires_at = now() - interval '1 second' WHERE key = $1", backend.Key{BotID: 1}.String())
	exec(t, s, "UPDATE "+s.schema+".claims SET expires_at = now() - interval '1 second' WHERE name = 'a'")
	exec(t, s, "UPDATE "+s.schema+".locks SET expires_at = now() - interval '2 hours' WHERE name = 'l1'")
	exec(t, s, "UPDATE "+s.schema+".limit_state SET tat = tat - 7200000000 WHERE key = 'chat:1'")

	// Another process is sweeping: this one does nothing.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", sweepLock(s.Schema())); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep while another holds the sweep lock: %d rows, %v; want 0", n, err)
	}
	tx.Rollback(context.Background())

	n, err := s.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("Sweep deleted %d rows, want 4", n)
	}
	for table, want := range map[string]int{"fsm_records": 2, "claims": 1, "locks": 1, "limit_state": 1} {
		if got := count(t, s, table); got != want {
			t.Errorf("%s: %d rows after the sweep, want %d", table, got, want)
		}
	}
	// A lock whose row was swept still gets a token above the old ones.
	lk, err := s.Locker().Lock(ctx, "l1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock(ctx)
	var top int64
	if err := s.pool.QueryRow(ctx, "SELECT max(token) FROM "+s.schema+".locks WHERE name <> 'l1'").Scan(&top); err != nil {
		t.Fatal(err)
	}
	if lk.Token() <= top {
		t.Errorf("token %d after the sweep, not above the earlier %d", lk.Token(), top)
	}
}
