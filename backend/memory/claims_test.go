package memory

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

// TestClaimsBounded: claims and marks share Options.MaxMarks; a full store
// reclaims a lapsed claim to make room, and Release gives room back.
func TestClaimsBounded(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{MaxMarks: 4, SweepInterval: -1, Now: clock.Now})
	if ok, err := s.Mark(ctx, "mark", time.Hour); !ok || err != nil {
		t.Fatalf("Mark = %v, %v", ok, err)
	}
	for i := range 3 {
		if st, err := s.Claim(ctx, fmt.Sprint(i), "o", time.Minute); st != backend.Claimed || err != nil {
			t.Fatalf("Claim %d = %v, %v", i, st, err)
		}
	}
	if _, err := s.Claim(ctx, "one more", "o", time.Minute); !errors.Is(err, ErrFull) {
		t.Fatalf("claim beyond MaxMarks: %v, want ErrFull", err)
	}
	if st, err := s.Claim(ctx, "1", "p", time.Minute); st != backend.Pending || err != nil {
		t.Fatalf("Claim of a pending name when full = %v, %v; want pending", st, err)
	}
	if err := s.Release(ctx, "1", "o"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Claim(ctx, "one more", "o", time.Minute); st != backend.Claimed || err != nil {
		t.Fatalf("Claim after Release made room = %v, %v", st, err)
	}
	clock.Advance(2 * time.Minute) // every claim lapses
	if st, err := s.Claim(ctx, "and another", "o", time.Minute); st != backend.Claimed || err != nil {
		t.Fatalf("Claim when full of lapsed claims = %v, %v", st, err)
	}
	if got := s.Stats().Marks; got > 4 {
		t.Fatalf("Stats().Marks = %d, above MaxMarks", got)
	}
}

// TestClaimsSwept: the sweep removes lapsed pending claims and expired done
// marks, keeps live ones, and rebuilds a claims map that shrank.
func TestClaimsSwept(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{SweepInterval: -1, Now: clock.Now})
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
	clock.Advance(time.Hour)
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
}

// TestClaimsBackgroundSweep: the background sweep reclaims lapsed claims
// on its own (in a synctest bubble: no real waiting).
func TestClaimsBackgroundSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Options{SweepInterval: 10 * time.Millisecond})
		defer s.Close()
		for i := range 100 {
			if _, err := s.Claim(t.Context(), fmt.Sprint(i), "o", 20*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(35 * time.Millisecond)
		synctest.Wait()
		if st := s.Stats(); st.Marks != 0 {
			t.Fatalf("lapsed claims not swept: %+v", st)
		}
	})
}
