package memory

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

// TestSweepRecords: the sweep removes expired records, keeps those without
// a TTL, and rebuilds a records map that shrank.
func TestSweepRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{SweepInterval: -1})
		const n = 100_000 // over 1024 per shard, so that the maps are rebuilt
		for i := range n {
			if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{Data: []byte(`{}`)}, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CompareAndSet(ctx, key(-1), 0, backend.Record{}, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		if got := s.sweepAll(); got != n {
			t.Fatalf("sweep removed %d entries, want %d", got, n)
		}
		if st := s.Stats(); st.Records != 1 || st.Marks != 0 {
			t.Fatalf("after the sweep: %+v", st)
		}
		for i := range s.shards {
			if sh := &s.shards[i]; sh.peakRecords > 1 {
				t.Fatalf("shard %d was not rebuilt: peak %d", i, sh.peakRecords)
			}
		}
		if rec, _ := s.Get(ctx, key(-1)); rec.Version != 1 {
			t.Fatalf("the key without TTL was swept: %+v", rec)
		}
	})
}

// TestSweepClaims: the sweep removes lapsed pending claims and expired
// done marks, keeps live ones, and rebuilds a claims map that shrank.
func TestSweepClaims(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{SweepInterval: -1})
		const n = 100_000 // over 1024 per shard, so that the maps are rebuilt
		for i := range n {
			name := fmt.Sprint(i)
			if _, err := s.Claim(ctx, name, "o", time.Minute); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if err := s.Finish(ctx, name, "o", time.Minute); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.Claim(ctx, "live", "o", 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		if got := s.sweepAll(); got != n {
			t.Fatalf("sweep removed %d entries, want %d", got, n)
		}
		if st := s.Stats(); st.Marks != 1 {
			t.Fatalf("after the sweep: %+v, want one claim left", st)
		}
		for i := range s.shards {
			if sh := &s.shards[i]; sh.peakClaims > 1 {
				t.Fatalf("shard %d's claims were not rebuilt: peak %d", i, sh.peakClaims)
			}
		}
		if err := s.Extend(ctx, "live", "o", time.Hour); err != nil {
			t.Fatalf("the live claim was swept: %v", err)
		}
	})
}

// TestBackgroundSweep: the background sweep reclaims expired records and
// lapsed claims on its own (in a synctest bubble: no real waiting).
func TestBackgroundSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Options{SweepInterval: 10 * time.Millisecond})
		defer s.Close()
		for i := range 100 {
			if _, err := s.CompareAndSet(t.Context(), key(i), 0, backend.Record{}, 20*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Claim(t.Context(), fmt.Sprint(i), "o", 20*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(35 * time.Millisecond)
		synctest.Wait()
		if st := s.Stats(); st.Records != 0 || st.Marks != 0 {
			t.Fatalf("expired entries not swept: %+v", st)
		}
	})
}

func TestCloseIsIdempotentAndStoreStaysUsable(t *testing.T) {
	s := New(Options{SweepInterval: time.Millisecond})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CompareAndSet(t.Context(), key(1), 0, backend.Record{}, 0); v != 1 || err != nil {
		t.Fatalf("CompareAndSet after Close = %d, %v", v, err)
	}
	New(Options{SweepInterval: -1}).Close() // no goroutine to stop
}
