package backendtest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/broadcast"
)

// TestStore runs the contract tests, each on a fresh store from newStore.
func TestBroadcastStore(t *testing.T, newStore func(t *testing.T) backend.BroadcastStore) {
	t.Run("CreateAndRead", func(t *testing.T) { testCreate(t, newStore(t)) })
	t.Run("Transitions", func(t *testing.T) { testTransitions(t, newStore(t)) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, newStore(t)) })
	t.Run("Lease", func(t *testing.T) { testLease(t, newStore(t)) })
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func create(t *testing.T, s backend.BroadcastStore, recipients ...int64) broadcast.Campaign {
	t.Helper()
	c, err := s.Create(context.Background(), broadcast.Campaign{Message: broadcast.Message{Text: "hi"}}, recipients, t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func progress(t *testing.T, s backend.BroadcastStore, id int64) broadcast.Progress {
	t.Helper()
	p, err := s.Progress(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testCreate(t *testing.T, s backend.BroadcastStore) {
	ctx := context.Background()
	in := broadcast.Campaign{
		Name: "spring sale",
		Message: broadcast.Message{
			Text: "<b>Sale</b>", ParseMode: "HTML", PhotoFileID: "AgAD42",
			Buttons:             [][]broadcast.Button{{{Text: "Shop", URL: "https://example.com/shop"}}, {{Text: "Stop", CallbackData: "unsub"}}},
			DisableNotification: true, ProtectContent: true,
		},
		Paid: true,
	}
	c1, err := s.Create(ctx, in, []int64{5, 3, 5, -100200, 3, 9}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c1.ID == 0 || c1.Total != 4 || !c1.Created.Equal(t0) {
		t.Fatalf("created %+v; want an id, 4 distinct recipients, Created %v", c1, t0)
	}
	got, err := s.Campaign(ctx, c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(t0) {
		t.Fatalf("Created = %v, want %v", got.Created, t0)
	}
	got.Created = c1.Created
	if !reflect.DeepEqual(got, c1) || got.Name != in.Name || !reflect.DeepEqual(got.Message, in.Message) || !got.Paid {
		t.Fatalf("Campaign = %+v\nwant %+v", got, c1)
	}
	rs, err := s.Recipients(ctx, c1.ID, broadcast.Pending, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var chats []int64
	for i, r := range rs {
		if r.Seq != int64(i+1) || r.Status != broadcast.Pending {
			t.Fatalf("recipient %d = %+v", i, r)
		}
		chats = append(chats, r.Chat)
	}
	if !reflect.DeepEqual(chats, []int64{5, 3, -100200, 9}) {
		t.Fatalf("recipients %v, want [5 3 -100200 9] (order kept, duplicates dropped)", chats)
	}

	c2 := create(t, s, 1)
	if c2.ID <= c1.ID {
		t.Fatalf("second id %d not above first %d", c2.ID, c1.ID)
	}
	all, err := s.Campaigns(ctx)
	if err != nil || len(all) != 2 || all[0].ID != c2.ID || all[1].ID != c1.ID {
		t.Fatalf("Campaigns = %+v, %v; want newest first", all, err)
	}
	if _, err := s.Campaign(ctx, c2.ID+100); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("unknown campaign: %v, want ErrNotFound", err)
	}
	if _, err := s.Progress(ctx, c2.ID+100); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("progress of unknown campaign: %v, want ErrNotFound", err)
	}
	if _, err := s.Create(ctx, broadcast.Campaign{}, []int64{1}, t0); err == nil {
		t.Fatal("a campaign without text was stored")
	}
}

func testTransitions(t *testing.T, s backend.BroadcastStore) {
	ctx := context.Background()
	c := create(t, s, 1, 2, 3, 4, 5)
	t1 := t0.Add(time.Second)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Begin(ctx, c.ID, 1, t1))
	must(s.Begin(ctx, c.ID, 2, t1))
	must(s.Begin(ctx, c.ID, 2, t1)) // again: still Sending
	must(s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 1, Status: broadcast.Sent, MessageID: 77, Attempts: 1}, t1))
	must(s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 3, Status: broadcast.Blocked, Error: "Forbidden: bot was blocked by the user", Attempts: 1}, t1))
	must(s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 4, Status: broadcast.Pending, Error: "tg: sendMessage: 502", Attempts: 1}, t1))
	if err := s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 5, Status: "delivered"}, t1); err == nil {
		t.Fatal("Finish accepted an invalid status")
	}
	want := broadcast.Progress{Total: 5, Pending: 2, Sending: 1, Sent: 1, Blocked: 1}
	if p := progress(t, s, c.ID); p != want {
		t.Fatalf("progress %+v, want %+v", p, want)
	}
	// Final states never change.
	must(s.Begin(ctx, c.ID, 1, t1))
	must(s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 3, Status: broadcast.Sent, MessageID: 1}, t1))
	if p := progress(t, s, c.ID); p != want {
		t.Fatalf("after changing final states: %+v, want %+v", p, want)
	}
	sent, _ := s.Recipients(ctx, c.ID, broadcast.Sent, 0, 10)
	if len(sent) != 1 || sent[0].Chat != 1 || sent[0].MessageID != 77 || sent[0].Attempts != 1 || !sent[0].Updated.Equal(t1) {
		t.Fatalf("sent = %+v", sent)
	}
	retry, _ := s.Recipients(ctx, c.ID, broadcast.Pending, 0, 10)
	if len(retry) != 2 || retry[0].Chat != 4 || retry[0].Attempts != 1 || retry[0].Error == "" || retry[1].Chat != 5 {
		t.Fatalf("pending = %+v", retry)
	}
	inDoubt, _ := s.Recipients(ctx, c.ID, broadcast.Sending, 0, 10)
	if len(inDoubt) != 1 || inDoubt[0].Chat != 2 {
		t.Fatalf("sending = %+v", inDoubt)
	}
	if err := s.Begin(ctx, c.ID, 99, t1); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("Begin of a stranger: %v, want ErrNotFound", err)
	}
}

func testPaging(t *testing.T, s backend.BroadcastStore) {
	ctx := context.Background()
	var chats []int64
	for i := range int64(1000) {
		chats = append(chats, 1000+i)
	}
	c := create(t, s, chats...)
	for i := int64(0); i < 1000; i += 3 {
		if err := s.Finish(ctx, c.ID, broadcast.Recipient{Chat: 1000 + i, Status: broadcast.Failed}, t0); err != nil {
			t.Fatal(err)
		}
	}
	seen, after := 0, int64(0)
	for range 100 {
		page, err := s.Recipients(ctx, c.ID, broadcast.Pending, after, 64)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.Seq <= after || (r.Chat-1000)%3 == 0 {
				t.Fatalf("page after %d holds %+v", after, r)
			}
			after = r.Seq
			seen++
		}
	}
	if seen != 666 {
		t.Fatalf("paged through %d pending recipients, want 666", seen)
	}
}

func testLease(t *testing.T, s backend.BroadcastStore) {
	ctx := context.Background()
	c := create(t, s, 1)
	ttl := 30 * time.Second
	lease := func(expect, owner string, now time.Time) (broadcast.Lease, bool) {
		t.Helper()
		l, ok, err := s.Lease(ctx, c.ID, expect, owner, now.Add(ttl), now)
		if err != nil {
			t.Fatal(err)
		}
		return l, ok
	}
	if l, ok := lease("", "a", t0); !ok || l.Owner != "a" || !l.Until.Equal(t0.Add(ttl)) {
		t.Fatalf("take a free lease: %+v %v", l, ok)
	}
	if l, ok := lease("", "b", t0.Add(time.Second)); ok || l.Owner != "a" {
		t.Fatalf("b took a's live lease: %+v %v", l, ok)
	}
	if _, ok := lease("a", "a", t0.Add(20*time.Second)); !ok {
		t.Fatal("a could not renew")
	}
	if _, ok := lease("", "b", t0.Add(40*time.Second)); ok {
		t.Fatal("b took a's renewed lease")
	}
	if l, ok := lease("", "b", t0.Add(50*time.Second)); !ok || l.Owner != "b" {
		t.Fatalf("b could not take the expired lease: %+v", l)
	}
	if _, ok := lease("a", "a", t0.Add(51*time.Second)); ok {
		t.Fatal("a renewed a lease b holds")
	}
	l, ok, err := s.Lease(ctx, c.ID, "b", "", time.Time{}, t0.Add(52*time.Second))
	if err != nil || !ok || l.Owner != "" {
		t.Fatalf("release: %+v %v %v", l, ok, err)
	}
	if _, ok := lease("", "c", t0.Add(53*time.Second)); !ok {
		t.Fatal("c could not take a released lease")
	}
	if _, _, err := s.Lease(ctx, c.ID+1, "", "x", t0, t0); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("lease of an unknown campaign: %v", err)
	}
}
