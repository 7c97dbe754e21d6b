package redis

import (
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// TestClaimKeys: a claim is one key under the bot's prefix holding
// "p:<owner>" with the lease as its expiry, then "d" with the done mark's.
func TestClaimKeys(t *testing.T) {
	s := newStore(t)
	ctx := testkit.Context(t)
	k := s.base + "claim:update:7"
	if st, err := s.Claim(ctx, "update:7", "o1", 30*time.Second); st != backend.Claimed || err != nil {
		t.Fatalf("Claim = %v, %v", st, err)
	}
	check := func(want string, max time.Duration) {
		t.Helper()
		v, err := s.client.Get(ctx, k).Result()
		if err != nil || v != want {
			t.Fatalf("GET %s = %q, %v; want %q", k, v, err, want)
		}
		if d := s.client.PTTL(ctx, k).Val(); d <= max-5*time.Second || d > max {
			t.Fatalf("PTTL %s = %v, want just under %v", k, d, max)
		}
	}
	check("p:o1", 30*time.Second)
	if err := s.Extend(ctx, "update:7", "o1", time.Minute); err != nil {
		t.Fatal(err)
	}
	check("p:o1", time.Minute)
	if err := s.Finish(ctx, "update:7", "o1", time.Hour); err != nil {
		t.Fatal(err)
	}
	check("d", time.Hour)
}
