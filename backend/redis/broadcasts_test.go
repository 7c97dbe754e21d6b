package redis

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

var bt0 = time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)

func createCampaign(t *testing.T, b *Broadcasts, chats ...int64) backend.Campaign {
	t.Helper()
	c, err := b.Create(testkit.Context(t), backend.Campaign{Name: "n", Message: backend.CampaignMessage{Text: "hi"}}, chats, bt0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The documented layout of a campaign, checked in Redis itself: the meta
// hash, one field per recipient, one sorted set per status.
func TestBroadcastKeyLayout(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	b := s.broadcasts
	c := createCampaign(t, b, 5, 3, 5, -100200)
	tag := fmt.Sprintf("herald:{%d:bc:%d}:", s.bot, c.ID)
	if c.Total != 3 {
		t.Fatalf("Total %d", c.Total)
	}
	if v := s.client.Get(ctx, s.base+"bc:ids").Val(); v != strconv.FormatInt(c.ID, 10) {
		t.Fatalf("bc:ids = %q, id %d", v, c.ID)
	}
	if ids := s.client.ZRange(ctx, s.base+"bc:list", 0, -1).Val(); len(ids) != 1 || ids[0] != strconv.FormatInt(c.ID, 10) {
		t.Fatalf("bc:list = %q", ids)
	}
	meta := s.client.HGetAll(ctx, tag+"meta").Val()
	if meta["name"] != "n" || meta["msg"] != `{"text":"hi"}` || meta["paid"] != "0" || meta["total"] != "3" ||
		meta["created"] != strconv.FormatInt(bt0.UnixNano(), 10) || len(meta) != 5 {
		t.Fatalf("meta = %v", meta)
	}

	t1 := bt0.Add(time.Second)
	if err := b.Begin(ctx, c.ID, 3, t1); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, c.ID, backend.Recipient{Chat: 5, Status: backend.RecipientFailed, Error: "Bad Request: a|b\nc", Attempts: 3, MessageID: 0}, t1); err != nil {
		t.Fatal(err)
	}
	r := s.client.HGetAll(ctx, tag+"r").Val()
	ns := strconv.FormatInt(t1.UnixNano(), 10)
	want := map[string]string{
		"5":       "1|failed|3|0|" + ns + "|Bad Request: a|b\nc",
		"3":       "2|sending|0|0|" + ns + "|",
		"-100200": "3|pending|0|0||",
	}
	if fmt.Sprint(r) != fmt.Sprint(want) {
		t.Fatalf("r = %q\nwant %q", r, want)
	}
	for st, members := range map[string][]string{"pending": {"-100200"}, "sending": {"3"}, "failed": {"5"}} {
		zs := s.client.ZRangeWithScores(ctx, tag+"s:"+st, 0, -1).Val()
		if len(zs) != len(members) || zs[0].Member != members[0] {
			t.Fatalf("s:%s = %v", st, zs)
		}
	}
	if n := s.client.Exists(ctx, tag+"s:sent", tag+"s:blocked", tag+"s:skipped").Val(); n != 0 {
		t.Fatalf("%d empty status sets exist", n)
	}
	// The error, '|' and newline included, comes back as it went in.
	failed, err := b.Recipients(ctx, c.ID, backend.RecipientFailed, 0, 10)
	if err != nil || len(failed) != 1 || failed[0].Error != "Bad Request: a|b\nc" || failed[0].Attempts != 3 || !failed[0].Updated.Equal(t1) {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
	// The lease lives in the meta hash, seconds and nanoseconds apart.
	if _, ok, err := b.Lease(ctx, c.ID, "", "runner", t1, bt0); !ok || err != nil {
		t.Fatal(ok, err)
	}
	meta = s.client.HGetAll(ctx, tag+"meta").Val()
	if meta["lo"] != "runner" || meta["ls"] != strconv.FormatInt(t1.Unix(), 10) || meta["ln"] != "6" {
		t.Fatalf("lease in meta = %v", meta)
	}
}

// Recipients pages through more than one script's worth (1000) in Seq
// order, and Create writes more than one chunk.
func TestBroadcastManyRecipients(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	chats := make([]int64, 2500)
	for i := range chats {
		chats[i] = int64(10_000 - i) // order given, not chat order
	}
	c := createCampaign(t, s.broadcasts, chats...)
	got, err := s.broadcasts.Recipients(ctx, c.ID, backend.RecipientPending, 0, 2100)
	if err != nil || len(got) != 2100 {
		t.Fatalf("%d recipients, %v", len(got), err)
	}
	for i, r := range got {
		if r.Seq != int64(i+1) || r.Chat != chats[i] {
			t.Fatalf("recipient %d = %+v", i, r)
		}
	}
	rest, err := s.broadcasts.Recipients(ctx, c.ID, backend.RecipientPending, 2000, 1000)
	if err != nil || len(rest) != 500 || rest[0].Seq != 2001 || rest[499].Seq != 2500 {
		t.Fatalf("after 2000: %d, %v", len(rest), err)
	}
	if p, err := s.broadcasts.Progress(ctx, c.ID); err != nil || p.Total != 2500 || p.Pending != 2500 {
		t.Fatalf("progress %+v, %v", p, err)
	}
	// Unknown campaigns and statuses.
	if _, err := s.broadcasts.Recipients(ctx, c.ID+1, backend.RecipientPending, 0, 10); !errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Recipients of an unknown campaign = %v", err)
	}
	if rs, err := s.broadcasts.Recipients(ctx, c.ID, "delivered", 0, 10); err != nil || len(rs) != 0 {
		t.Fatalf("Recipients of an unknown status = %v, %v", rs, err)
	}
	if err := s.broadcasts.Finish(ctx, c.ID+1, backend.Recipient{Chat: chats[0], Status: backend.RecipientSent}, bt0); !errors.Is(err, backend.ErrCampaignNotFound) {
		t.Fatalf("Finish in an unknown campaign = %v", err)
	}
}

// Two Stores of one bot on separate clients, as two processes: of 20
// runners that race for a free lease exactly one gets it, and of 20
// outcomes raced into one recipient exactly one is kept.
func TestBroadcastRacesAcrossClients(t *testing.T) {
	a := newStore(t)
	b := New(newClient(t), a.bot, Options{})
	ctx := testkit.Context(t)
	c := createCampaign(t, a.broadcasts, 1, 2)
	var won, finished atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 20 {
		s := []*Store{a, b}[i%2]
		wg.Go(func() {
			<-start
			l, ok, err := s.broadcasts.Lease(ctx, c.ID, "", "runner-"+strconv.Itoa(i), bt0.Add(time.Minute), bt0)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				won.Add(1)
			} else if l.Owner == "" || !l.Until.Equal(bt0.Add(time.Minute)) {
				t.Errorf("lost the race to %+v", l)
			}
			err = s.broadcasts.Finish(ctx, c.ID, backend.Recipient{Chat: 1, Status: backend.RecipientSent, MessageID: int64(i + 1)}, bt0)
			if err != nil {
				t.Error(err)
			}
			finished.Add(1)
		})
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 || finished.Load() != 20 {
		t.Fatalf("%d runners got the lease, %d finished", won.Load(), finished.Load())
	}
	p, err := b.broadcasts.Progress(ctx, c.ID)
	if want := (backend.CampaignProgress{Total: 2, Pending: 1, Sent: 1}); err != nil || p != want {
		t.Fatalf("progress %+v, %v; want %+v", p, err, want)
	}
}

// The lease's until is kept to the nanosecond (a Lua number is not).
func TestBroadcastLeaseNanoseconds(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	b := s.broadcasts
	c := createCampaign(t, b, 1)
	until := bt0.Add(time.Nanosecond)
	if l, ok, err := b.Lease(ctx, c.ID, "", "a", until, bt0); err != nil || !ok || !l.Until.Equal(until) {
		t.Fatalf("take: %+v %v %v", l, ok, err)
	}
	if l, ok, err := b.Lease(ctx, c.ID, "", "b", bt0.Add(time.Minute), bt0); err != nil || ok || l.Owner != "a" || !l.Until.Equal(until) {
		t.Fatalf("1 ns before the end: %+v %v %v", l, ok, err)
	}
	if l, ok, err := b.Lease(ctx, c.ID, "", "b", bt0.Add(time.Minute), until); err != nil || !ok || l.Owner != "b" {
		t.Fatalf("at the end: %+v %v %v", l, ok, err)
	}
}

// A recipient record that is not one reads as backend.ErrCorrupt.
func TestBroadcastCorruptRecipient(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	b := s.broadcasts
	c := createCampaign(t, b, 1)
	s.client.HSet(ctx, b.keys(c.ID).r, "1", "junk")
	if _, err := b.Recipients(ctx, c.ID, backend.RecipientPending, 0, 10); !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("Recipients = %v, want ErrCorrupt", err)
	}
	if err := b.Begin(ctx, c.ID, 1, bt0); !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("Begin = %v, want ErrCorrupt", err)
	}
}
