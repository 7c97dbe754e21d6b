package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// TestClaimsSwept: Sweep deletes claims whose lease or done mark ran out
// and keeps live ones.
func TestClaimsSwept(t *testing.T) {
	ctx := context.Background()
	s, clock := newClockStore(t)
	for i := range 10 {
		name := fmt.Sprint(i)
		if st, err := s.Claim(ctx, name, "o", time.Minute); st != backend.Claimed || err != nil {
			t.Fatalf("Claim = %v, %v", st, err)
		}
		if i%2 == 0 {
			if err := s.Finish(ctx, name, "o", time.Minute); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Claim(ctx, "live", "o", time.Hour); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	var before int
	if err := s.r.QueryRow(`SELECT count(*) FROM claims`).Scan(&before); err != nil || before != 11 {
		t.Fatalf("claims rows before the sweep: %d, %v; want 11 (expired rows stay until swept)", before, err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.r.QueryRow(`SELECT count(*) FROM claims`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("claims rows after the sweep: %d, %v; want 1", left, err)
	}
	if err := s.Extend(ctx, "live", "o", time.Hour); err != nil {
		t.Fatalf("the live claim was swept: %v", err)
	}
}
