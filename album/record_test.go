package album

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/tg"
)

func msg(id int64, group string) *tg.Message {
	return &tg.Message{MessageID: id, MediaGroupID: group, Chat: tg.Chat{ID: 7}}
}

func ids(ms []*tg.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.MessageID
	}
	return out
}

func TestRecordAddRemove(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var r chatRecord
	steps := []struct {
		m              *tg.Message
		at             time.Duration
		added, started bool
	}{
		{msg(3, "a"), 0, true, true},
		{msg(1, "a"), 10 * time.Millisecond, true, false},
		{msg(3, "a"), 20 * time.Millisecond, false, false}, // a copy
		{msg(9, "b"), 30 * time.Millisecond, true, true},
		{msg(2, "a"), 5 * time.Millisecond, true, false}, // handled late, from a clock behind
	}
	for i, s := range steps {
		added, started := r.add(kindMessage, s.m, t0.Add(s.at))
		if added != s.added || started != s.started {
			t.Fatalf("step %d: add = %v, %v; want %v, %v", i, added, started, s.added, s.started)
		}
	}
	a := r.find("a", 1)
	if len(r.Batches) != 2 || a == nil || !slices.Equal(ids(a.sorted()), []int64{1, 2, 3}) || a.first() != 1 ||
		a.Last != t0.Add(10*time.Millisecond).UnixNano() || r.find("a", 3) != nil {
		t.Fatalf("record = %+v", r)
	}
	// Part 4 came while 1–3 were handed over: it stays, as a batch of its own.
	r.add(kindMessage, msg(4, "a"), t0.Add(time.Second))
	if !r.remove("a", []int64{1, 2, 3}) || len(r.Batches) != 2 || r.find("a", 4) == nil || len(r.find("a", 4).Parts) != 1 {
		t.Fatalf("after remove: %+v", r)
	}
	if r.remove("a", []int64{1, 2, 3}) {
		t.Fatal("a second remove changed something")
	}
	if !r.remove("b", []int64{9}) || !r.remove("a", []int64{4}) || len(r.Batches) != 0 {
		t.Fatalf("after removing all: %+v", r)
	}
}

func TestRecordDue(t *testing.T) {
	t0 := time.Unix(1000, 0)
	const quiet = time.Second
	var r chatRecord
	if _, ok := r.next(t0, quiet); ok || len(r.due(t0, quiet)) != 0 {
		t.Fatal("an empty record has work")
	}
	r.add(kindMessage, msg(1, "a"), t0)
	r.add(kindMessage, msg(5, "b"), t0.Add(300*time.Millisecond))
	for _, tt := range []struct {
		at   time.Duration
		due  []string
		next time.Duration // 0: none
	}{
		{0, nil, time.Second},
		{999 * time.Millisecond, nil, time.Second},
		{time.Second, []string{"a"}, 1300 * time.Millisecond},
		{1300 * time.Millisecond, []string{"a", "b"}, 0},
	} {
		now := t0.Add(tt.at)
		var due []string
		for _, b := range r.due(now, quiet) {
			due = append(due, b.Group)
		}
		next, ok := r.next(now, quiet)
		if !slices.Equal(due, tt.due) || ok != (tt.next != 0) || (ok && !next.Equal(t0.Add(tt.next))) {
			t.Errorf("at +%v: due %v, next %v %v; want %v, +%v", tt.at, due, next, ok, tt.due, tt.next)
		}
	}
}

func TestBatchUpdateKeepsKind(t *testing.T) {
	for kind, get := range map[string]func(*tg.Update) *tg.Message{
		kindMessage:         func(u *tg.Update) *tg.Message { return u.Message },
		kindChannelPost:     func(u *tg.Update) *tg.Message { return u.ChannelPost },
		kindBusinessMessage: func(u *tg.Update) *tg.Message { return u.BusinessMessage },
	} {
		b := &batch{Group: "g", Kind: kind, Parts: []*tg.Message{msg(8, "g"), msg(6, "g")}}
		u := b.update()
		if m := get(u); m == nil || m.MessageID != 6 || u.UpdateID != 0 {
			t.Errorf("%s: update = %+v", kind, u)
		}
	}
}

func TestIndex(t *testing.T) {
	var x index
	if !x.put(5) || x.put(5) || !x.put(-3) || !slices.Equal(x.Chats, []int64{5, -3}) {
		t.Fatalf("index = %v", x.Chats)
	}
	if !x.drop(5) || x.drop(5) || !slices.Equal(x.Chats, []int64{-3}) {
		t.Fatalf("index = %v", x.Chats)
	}
}

// conflicting fails the first n compare-and-sets of its State as if
// another writer came first.
type conflicting struct {
	backend.State
	n int
}

func (c *conflicting) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	if c.n > 0 {
		c.n--
		return 0, backend.ErrConflict
	}
	return c.State.CompareAndSet(ctx, key, expect, rec, ttl)
}

func TestModifyRetriesAndRefusesForeignRecords(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { _ = mem.Close() })
	ctx := t.Context()
	ttl := func(*index) time.Duration { return time.Minute }
	st := &conflicting{State: mem, n: 3}
	calls := 0
	if _, err := modify(ctx, st, indexKey(1), ttl, func(x *index) bool { calls++; return x.put(7) }); err != nil || calls != 4 {
		t.Fatalf("modify: %v after %d calls, want success after 4", err, calls)
	}
	x, v, err := load[index](ctx, mem, indexKey(1))
	if err != nil || v != 1 || !slices.Equal(x.Chats, []int64{7}) {
		t.Fatalf("load = %+v, %d, %v", x, v, err)
	}
	st.n = casAttempts
	if _, err := modify(ctx, st, indexKey(1), ttl, func(x *index) bool { return x.put(8) }); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("modify with endless conflicts: %v", err)
	}
	// A conversation's record where the collector expects its own.
	if _, err := mem.CompareAndSet(ctx, chatKey(1, 2), 0, backend.Record{State: "order:address"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := load[chatRecord](ctx, mem, chatKey(1, 2)); !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("load of a foreign record: %v, want ErrCorrupt", err)
	}
}
