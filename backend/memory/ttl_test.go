package memory

import (
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

// A negative TTL is a mistake (a deadline already passed), refused as the
// Redis and SQLite backends refuse it, not a record or claim kept for
// ever.
func TestNegativeTTLRefused(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{SweepInterval: -1})
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, -time.Second); err == nil {
		t.Error("CompareAndSet with a negative ttl succeeded")
	}
	if rec, _ := s.Get(ctx, key(1)); rec.Version != 0 {
		t.Errorf("record stored: %+v", rec)
	}
	if _, err := s.Claim(ctx, "m", "o", -time.Second); err == nil {
		t.Error("Claim with a negative lease succeeded")
	}
	if st := s.Stats(); st.Records != 0 || st.Marks != 0 {
		t.Errorf("Stats = %+v", st)
	}
	if st, _ := s.Claim(ctx, "m", "o", time.Minute); st != backend.Claimed {
		t.Fatalf("Claim = %v", st)
	}
	if err := s.Finish(ctx, "m", "o", -time.Second); err == nil || errors.Is(err, backend.ErrClaimLost) {
		t.Errorf("Finish with a negative ttl: %v, want an argument error", err)
	}
	if st := status(t, s, "m"); st != backend.Pending {
		t.Errorf("after a refused Finish the claim is %v, want still pending", st)
	}
}

// A TTL too long to add to the clock (time.Duration(math.MaxInt64) as
// "practically for ever") keeps the entry; it does not wrap around into
// the past.
func TestHugeTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{SweepInterval: -1})
		time.Sleep(time.Hour) // store time is no longer 0
		forever := time.Duration(math.MaxInt64)
		if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, forever); err != nil {
			t.Fatal(err)
		}
		markDone(t, s, "m", forever)
		if st, err := s.Claim(ctx, "pending", "o", forever); st != backend.Claimed || err != nil {
			t.Fatalf("Claim with a huge lease = %v, %v", st, err)
		}
		time.Sleep(24 * time.Hour)
		if rec, _ := s.Get(ctx, key(1)); rec.Version != 1 {
			t.Errorf("record with a huge ttl is gone: %+v", rec)
		}
		if st := status(t, s, "m"); st != backend.Done {
			t.Errorf("done mark with a huge ttl: %v, want done", st)
		}
		if st := status(t, s, "pending"); st != backend.Pending {
			t.Errorf("claim with a huge lease: %v, want pending", st)
		}
	})
}

// TTL boundaries: an entry lives until exactly now+ttl, and the smallest
// TTL (1ns) is an expiry, not "no expiry".
func TestTTLBoundaries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{SweepInterval: -1})
		if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{State: "s"}, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSet(ctx, key(2), 0, backend.Record{State: "s"}, time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		markDone(t, s, "m", time.Second)
		markDone(t, s, "short", time.Nanosecond)
		time.Sleep(time.Second - time.Nanosecond)
		if rec, _ := s.Get(ctx, key(1)); rec.Version != 1 {
			t.Error("record gone before its ttl")
		}
		if rec, _ := s.Get(ctx, key(2)); rec.Version != 0 {
			t.Error("record with a 1ns ttl still there")
		}
		if st := status(t, s, "m"); st != backend.Done {
			t.Errorf("done mark before its ttl: %v, want done", st)
		}
		if st := status(t, s, "short"); st != backend.Claimed {
			t.Errorf("done mark with a 1ns ttl: %v, want it gone (claimed anew)", st)
		}
		time.Sleep(time.Nanosecond)
		if rec, _ := s.Get(ctx, key(1)); rec.Version != 0 {
			t.Error("record still there at its ttl")
		}
		if st := status(t, s, "m"); st != backend.Claimed {
			t.Errorf("an expired done mark: %v, want claimed anew", st)
		}
		// An expired record counts as absent for CompareAndSet: version 0.
		if _, err := s.CompareAndSet(ctx, key(2), 1, backend.Record{}, 0); !errors.Is(err, backend.ErrConflict) {
			t.Errorf("CAS on an expired record's version = %v, want ErrConflict", err)
		}
		if st := s.Stats(); st.Records != 0 || st.Marks != 2 {
			t.Errorf("Stats = %+v, want no records and two claims", st)
		}
	})
}
