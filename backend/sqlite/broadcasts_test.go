package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// A campaign and its recipients' states survive closing and reopening
// the file.
func TestBroadcastDurable(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(ctx, path, Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	b := s.Broadcasts()
	c, err := b.Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1, 2, 3}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Begin(ctx, c.ID, 1, now); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, c.ID, backend.Recipient{Chat: 2, Status: backend.RecipientSent, MessageID: 9}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b = openAt(t, path, Options{SweepInterval: -1}).Broadcasts()
	p, err := b.Progress(ctx, c.ID)
	if want := (backend.CampaignProgress{Total: 3, Pending: 1, Sending: 1, Sent: 1}); err != nil || p != want {
		t.Fatalf("after reopening: %+v %v, want %+v", p, err, want)
	}
}

// TestBroadcastBadData: a Finish with an unknown status is refused, a
// campaign whose stored message is not valid JSON is an error (not a
// zero message), and an unknown recipient is ErrNotFound.
func TestBroadcastBadData(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	b := s.Broadcasts()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := b.Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1, 2}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, c.ID, backend.Recipient{Chat: 1, Status: "delivered"}, now); err == nil || !strings.Contains(err.Error(), "invalid status") {
		t.Fatalf("Finish with an unknown status: %v", err)
	}
	if err := b.Finish(ctx, c.ID, backend.Recipient{Chat: 99, Status: backend.RecipientSent}, now); !errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Finish of an unknown chat: %v", err)
	}
	if err := b.Finish(ctx, c.ID+1, backend.Recipient{Chat: 1, Status: backend.RecipientSent}, now); !errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Finish in an unknown campaign: %v", err)
	}
	if p, err := b.Progress(ctx, c.ID); err != nil || p != (backend.CampaignProgress{Total: 2, Pending: 2}) {
		t.Fatalf("progress after refused writes: %+v, %v", p, err)
	}
	if _, err := s.w.Exec(`UPDATE broadcast_campaigns SET message = '{"text": 5' WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Campaign(ctx, c.ID); err == nil || errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Campaign with a corrupt message: %v", err)
	}
	if _, err := b.Campaigns(ctx); err == nil {
		t.Fatal("Campaigns with a corrupt message succeeded")
	}
	if _, err := b.Progress(ctx, c.ID); err == nil {
		t.Fatal("Progress of a campaign with a corrupt message succeeded")
	}
	if _, err := b.Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "x", Buttons: [][]backend.CampaignButton{{{Text: "b"}}}}}, []int64{1}, now); err == nil {
		t.Fatal("a campaign with a button without url or callback data was stored")
	}
}

// TestBroadcastEmptyAndLeaseRelease: a campaign without recipients has
// an empty progress; a lease released by its holder is free with a zero
// Until, and a release by someone else is refused.
func TestBroadcastEmptyAndLeaseRelease(t *testing.T) {
	ctx := context.Background()
	b := newStore(t).Broadcasts()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := b.Create(ctx, backend.Campaign{Name: "none", Message: backend.CampaignMessage{PhotoFileID: "AgAD"}}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 0 {
		t.Fatalf("Total %d", c.Total)
	}
	if p, err := b.Progress(ctx, c.ID); err != nil || p != (backend.CampaignProgress{}) {
		t.Fatalf("progress of an empty campaign: %+v, %v", p, err)
	}
	if _, ok, err := b.Lease(ctx, c.ID, "", "a", now.Add(time.Minute), now); !ok || err != nil {
		t.Fatalf("take: %v %v", ok, err)
	}
	if l, ok, err := b.Lease(ctx, c.ID, "b", "", time.Time{}, now); ok || err != nil || l.Owner != "a" {
		t.Fatalf("release by a non-holder: %+v %v %v", l, ok, err)
	}
	l, ok, err := b.Lease(ctx, c.ID, "a", "", now.Add(time.Hour), now)
	if !ok || err != nil || l != (backend.CampaignLease{}) || !l.Free(now) {
		t.Fatalf("release by the holder: %+v %v %v", l, ok, err)
	}
}
