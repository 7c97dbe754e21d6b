package memory

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

func TestFullRefusesNewKeys(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{MaxKeys: 100, SweepInterval: -1})
	for i := range 100 {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{State: "s"}, 0); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	_, err := s.CompareAndSet(ctx, key(100), 0, backend.Record{State: "s"}, 0)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("101st key: %v, want ErrFull", err)
	}
	// Existing keys stay writable; a deleted key makes room.
	if _, err := s.CompareAndSet(ctx, key(5), 1, backend.Record{State: "t"}, 0); err != nil {
		t.Fatalf("rewrite of an existing key when full: %v", err)
	}
	if err := s.Delete(ctx, key(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompareAndSet(ctx, key(100), 0, backend.Record{State: "s"}, 0); err != nil {
		t.Fatalf("after a Delete: %v", err)
	}
	if got := s.Stats().Records; got != 100 {
		t.Fatalf("Stats().Records = %d, want 100", got)
	}
}

func TestFullReclaimsExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{MaxKeys: 64, SweepInterval: -1})
		// Fill the store with expiring keys, then let them expire: new keys
		// must fit again although nothing swept in the background.
		for i := range 64 {
			if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{}, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Minute)
		for i := 64; i < 128; i++ {
			if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{}, 0); err != nil {
				t.Fatalf("key %d after the others expired: %v", i, err)
			}
		}
		if got := s.Stats().Records; got != 64 {
			t.Fatalf("Stats().Records = %d, want 64", got)
		}
	})
}

// A full store takes a new entry as soon as an older one has expired,
// even right after a refused write swept every shard.
func TestFullReclaimsRightAfterARefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{MaxKeys: 2, MaxMarks: 1, SweepInterval: -1})
		if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{}, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSet(ctx, key(2), 0, backend.Record{}, 0); err != nil {
			t.Fatal(err)
		}
		markDone(t, s, "a", time.Second)
		time.Sleep(500 * time.Millisecond)
		if _, err := s.CompareAndSet(ctx, key(3), 0, backend.Record{}, 0); !errors.Is(err, ErrFull) {
			t.Fatalf("third key = %v, want ErrFull", err)
		}
		if _, err := s.Claim(ctx, "b", "o", time.Second); !errors.Is(err, ErrFull) {
			t.Fatalf("second claim = %v, want ErrFull", err)
		}
		time.Sleep(500 * time.Millisecond) // key 1 and the done mark of a expire now
		if _, err := s.CompareAndSet(ctx, key(3), 0, backend.Record{}, 0); err != nil {
			t.Errorf("third key after key 1 expired: %v", err)
		}
		if st, err := s.Claim(ctx, "b", "o", time.Second); st != backend.Claimed || err != nil {
			t.Errorf("second claim after the first expired: %v, %v", st, err)
		}
		// A flood of refused writes while nothing expires stays refused.
		for i := range 100 {
			if _, err := s.CompareAndSet(ctx, key(10+i), 0, backend.Record{}, 0); !errors.Is(err, ErrFull) {
				t.Fatalf("key %d = %v, want ErrFull", 10+i, err)
			}
		}
	})
}

// TestClaimsBounded: pending claims and done marks count together toward
// Options.MaxMarks; a full store still answers for the names it holds,
// reclaims a lapsed claim to make room, and Release gives room back.
func TestClaimsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := newTestStore(t, Options{MaxMarks: 4, SweepInterval: -1})
		markDone(t, s, "done", time.Hour)
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
		if st, err := s.Claim(ctx, "done", "p", time.Minute); st != backend.Done || err != nil {
			t.Fatalf("Claim of a done name when full = %v, %v; want done", st, err)
		}
		if err := s.Release(ctx, "1", "o"); err != nil {
			t.Fatal(err)
		}
		if st, err := s.Claim(ctx, "one more", "o", time.Minute); st != backend.Claimed || err != nil {
			t.Fatalf("Claim after Release made room = %v, %v", st, err)
		}
		time.Sleep(2 * time.Minute) // every pending claim lapses
		if st, err := s.Claim(ctx, "and another", "o", time.Minute); st != backend.Claimed || err != nil {
			t.Fatalf("Claim when full of lapsed claims = %v, %v", st, err)
		}
		if got := s.Stats().Marks; got > 4 {
			t.Fatalf("Stats().Marks = %d, above MaxMarks", got)
		}
	})
}
