package memory

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// A negative TTL is a mistake (a deadline already passed), refused as the
// Redis and SQLite backends refuse it, not a record or mark kept for ever.
func TestNegativeTTLRefused(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{SweepInterval: -1})
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, -time.Second); err == nil {
		t.Error("CompareAndSet with a negative ttl succeeded")
	}
	if rec, _ := s.Get(ctx, key(1)); rec.Version != 0 {
		t.Errorf("record stored: %+v", rec)
	}
	if _, err := s.Mark(ctx, "m", -time.Second); err == nil {
		t.Error("Mark with a negative ttl succeeded")
	}
	if ok, _ := s.Marked(ctx, "m"); ok {
		t.Error("mark stored")
	}
	if st := s.Stats(); st.Records != 0 || st.Marks != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

// A TTL too long to add to the clock (time.Duration(math.MaxInt64) as
// "practically for ever") keeps the entry; it does not wrap around into
// the past.
func TestHugeTTL(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{SweepInterval: -1, Now: clock.Now})
	clock.Advance(time.Hour) // store time is no longer 0
	forever := time.Duration(math.MaxInt64)
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, forever); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Mark(ctx, "m", forever); !ok || err != nil {
		t.Fatalf("Mark = %v, %v", ok, err)
	}
	clock.Advance(24 * time.Hour)
	if rec, _ := s.Get(ctx, key(1)); rec.Version != 1 {
		t.Errorf("record with a huge ttl is gone: %+v", rec)
	}
	if ok, _ := s.Marked(ctx, "m"); !ok {
		t.Error("mark with a huge ttl is gone")
	}
	if ok, _ := s.Mark(ctx, "m", forever); ok {
		t.Error("a mark with a huge ttl could be taken again")
	}
}

// TTL boundaries: an entry lives until exactly now+ttl, and the smallest
// TTL (1ns) is an expiry, not "no expiry".
func TestTTLBoundaries(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{SweepInterval: -1, Now: clock.Now})
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompareAndSet(ctx, key(2), 0, backend.Record{State: "s"}, time.Nanosecond); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Mark(ctx, "m", time.Second); !ok {
		t.Fatal("Mark failed")
	}
	clock.Advance(time.Second - time.Nanosecond)
	if rec, _ := s.Get(ctx, key(1)); rec.Version != 1 {
		t.Error("record gone before its ttl")
	}
	if rec, _ := s.Get(ctx, key(2)); rec.Version != 0 {
		t.Error("record with a 1ns ttl still there")
	}
	if ok, _ := s.Marked(ctx, "m"); !ok {
		t.Error("mark gone before its ttl")
	}
	clock.Advance(time.Nanosecond)
	if rec, _ := s.Get(ctx, key(1)); rec.Version != 0 {
		t.Error("record still there at its ttl")
	}
	if ok, _ := s.Mark(ctx, "m", 0); !ok {
		t.Error("an expired mark could not be taken again")
	}
	// An expired record counts as absent for CompareAndSet: version 0.
	if _, err := s.CompareAndSet(ctx, key(2), 1, backend.Record{}, 0); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("CAS on an expired record's version = %v, want ErrConflict", err)
	}
	if st := s.Stats(); st.Records != 0 || st.Marks != 1 {
		t.Errorf("Stats = %+v, want no records and one mark", st)
	}
}

// A full store takes a new entry as soon as an older one has expired,
// even right after a refused write swept every shard.
func TestFullReclaimsRightAfterARefusal(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{MaxKeys: 2, MaxMarks: 1, SweepInterval: -1, Now: clock.Now})
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{}, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompareAndSet(ctx, key(2), 0, backend.Record{}, 0); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Mark(ctx, "a", time.Second); !ok || err != nil {
		t.Fatal(ok, err)
	}
	clock.Advance(500 * time.Millisecond)
	if _, err := s.CompareAndSet(ctx, key(3), 0, backend.Record{}, 0); !errors.Is(err, ErrFull) {
		t.Fatalf("third key = %v, want ErrFull", err)
	}
	if _, err := s.Mark(ctx, "b", time.Second); !errors.Is(err, ErrFull) {
		t.Fatalf("second mark = %v, want ErrFull", err)
	}
	clock.Advance(500 * time.Millisecond) // key 1 and mark a expire now
	if _, err := s.CompareAndSet(ctx, key(3), 0, backend.Record{}, 0); err != nil {
		t.Errorf("third key after key 1 expired: %v", err)
	}
	if ok, err := s.Mark(ctx, "b", time.Second); !ok || err != nil {
		t.Errorf("second mark after the first expired: %v, %v", ok, err)
	}
	// A flood of refused writes while nothing expires stays refused.
	for i := range 100 {
		if _, err := s.CompareAndSet(ctx, key(10+i), 0, backend.Record{}, 0); !errors.Is(err, ErrFull) {
			t.Fatalf("key %d = %v, want ErrFull", 10+i, err)
		}
	}
}

// Lock tokens grow across names, and a lock released by its holder cannot
// be released again by a stale copy.
func TestLockTokensAndDoubleUnlock(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{SweepInterval: -1})
	var last int64
	for _, name := range []string{"a", "b", "a", "c", "a"} {
		l, err := s.Lock(ctx, name, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if l.Token() <= last {
			t.Fatalf("token %d after %d", l.Token(), last)
		}
		last = l.Token()
		if err := l.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if err := l.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
			t.Fatalf("second Unlock = %v, want ErrLockLost", err)
		}
	}
	if st := s.Stats(); st.Locks != 0 {
		t.Errorf("Stats = %+v", st)
	}
}
