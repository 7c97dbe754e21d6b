package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/broadcast/broadcasttest"
)

func TestBroadcastContract(t *testing.T) {
	broadcasttest.TestStore(t, func(t *testing.T) broadcast.Store { return newStore(t).Broadcasts() })
}

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
	c, err := b.Create(ctx, broadcast.Campaign{Message: broadcast.Message{Text: "hi"}}, []int64{1, 2, 3}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Begin(ctx, c.ID, 1, now); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, c.ID, broadcast.Recipient{Chat: 2, Status: broadcast.Sent, MessageID: 9}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b = openAt(t, path, Options{SweepInterval: -1}).Broadcasts()
	p, err := b.Progress(ctx, c.ID)
	if want := (broadcast.Progress{Total: 3, Pending: 1, Sending: 1, Sent: 1}); err != nil || p != want {
		t.Fatalf("after reopening: %+v %v, want %+v", p, err, want)
	}
}
