package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// keysOf returns n distinct chat keys of partition p of j.
func keysOf(j *Journal, p, n int) []int64 {
	var keys []int64
	for k := int64(-1000); len(keys) < n; k-- {
		if backend.PartitionOf(k, j.n) == p {
			keys = append(keys, k)
		}
	}
	return keys
}

// batch returns entries for update ids from..to-1, on key.
func batch(from, to, key int64) []backend.JournalEntry {
	var es []backend.JournalEntry
	for id := from; id < to; id++ {
		es = append(es, backend.JournalEntry{UpdateID: id, Key: key, Update: fmt.Appendf(nil, `{"update_id":%d}`, id)})
	}
	return es
}

func mustAppend(t *testing.T, j backend.Journal, es []backend.JournalEntry) {
	t.Helper()
	if _, err := j.Append(testkit.Context(t), es); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func ids(es []backend.JournalEntry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.UpdateID
	}
	return out
}

// TestJournalTwoStores: a second Store on another client, as another
// process would have, sees the first one's entries, leases and pending
// deliveries, and takes the pending ones over.
func TestJournalTwoStores(t *testing.T) {
	ctx := testkit.Context(t)
	a := newStore(t)
	b := New(newClient(t), a.bot, a.opts)
	ja, jb := a.journal, b.journal
	key := keysOf(ja, 2, 1)[0]
	mustAppend(t, ja, batch(1, 6, key))
	if n, err := jb.Len(ctx); err != nil || n != 5 {
		t.Fatalf("second Store: Len = %d, %v; want 5", n, err)
	}
	if ok, err := ja.Own(ctx, 2, "a", time.Minute); err != nil || !ok {
		t.Fatalf("Own = %v, %v", ok, err)
	}
	if ok, _ := jb.Own(ctx, 2, "b", time.Minute); ok {
		t.Fatal("the second Store took a partition the first one owns")
	}
	got, err := ja.Read(ctx, "a", []int{2}, 3, 0)
	if err != nil || !slices.Equal(ids(got), []int64{1, 2, 3}) {
		t.Fatalf("Read = %v, %v", ids(got), err)
	}
	st, err := jb.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Partitions[2]; p.Length != 5 || p.Pending != 3 || p.Owner != "a" {
		t.Fatalf("second Store: partition 2 stats = %+v, want length 5, pending 3, owner a", p)
	}
	if err := ja.Disown(ctx, 2, "a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := jb.Own(ctx, 2, "b", time.Minute); !ok {
		t.Fatal("the second Store could not take a disowned partition")
	}
	back, err := jb.Reclaim(ctx, 2, "b", 5)
	if err != nil || !slices.Equal(ids(back), []int64{1, 2, 3}) {
		t.Fatalf("second Store: Reclaim = %v, %v", ids(back), err)
	}
	rest, err := jb.Read(ctx, "b", []int{2}, 10, 0)
	if err != nil || !slices.Equal(ids(rest), []int64{4, 5}) {
		t.Fatalf("second Store: Read = %v, %v", ids(rest), err)
	}
	if err := ja.Ack(ctx, append(back, rest...)[0].Ref()); err != nil {
		t.Fatal(err)
	}
	if n, _ := jb.Len(ctx); n != 4 {
		t.Fatalf("Len = %d after the first Store acknowledged one of the second's, want 4", n)
	}
}

// TestJournalPartitionCount: a Store with another partition count fails
// with backend.ErrPartitions; one with the same count works.
func TestJournalPartitionCount(t *testing.T) {
	ctx := testkit.Context(t)
	a := newStore(t)
	a4 := New(a.client, a.bot, Options{JournalPartitions: 4})
	mustAppend(t, a4.Journal(), batch(1, 3, 7))
	other := New(newClient(t), a.bot, Options{JournalPartitions: 8}).Journal()
	if _, err := other.Append(ctx, batch(3, 4, 7)); !errors.Is(err, backend.ErrPartitions) {
		t.Fatalf("Append with 8 partitions on a journal of 4: %v, want ErrPartitions", err)
	}
	if _, err := other.Read(ctx, "w", []int{0}, 1, 0); !errors.Is(err, backend.ErrPartitions) {
		t.Fatalf("Read with 8 partitions on a journal of 4: %v, want ErrPartitions", err)
	}
	same := New(newClient(t), a.bot, Options{JournalPartitions: 4}).Journal()
	if n, err := same.Len(ctx); err != nil || n != 2 {
		t.Fatalf("Len with the same count = %d, %v; want 2", n, err)
	}
	if a.Journal().Partitions() != backend.DefaultPartitions {
		t.Fatalf("default Partitions() = %d", a.Journal().Partitions())
	}
}

// TestJournalGroupLost: when the consumer group is destroyed, or the
// stream deleted, while entries are in it (a flush, a Redis restarted
// without its data), the next Append and Read work: the group is created
// again from the start of the stream, so what is left is delivered again.
func TestJournalGroupLost(t *testing.T) {
	ctx := testkit.Context(t)
	s := newStore(t)
	j := s.journal
	key := keysOf(j, 0, 1)[0]
	mustAppend(t, j, batch(1, 5, key))
	if got, err := j.Read(ctx, "w", []int{0}, 2, 0); err != nil || len(got) != 2 {
		t.Fatalf("Read = %v, %v", ids(got), err)
	}
	if err := s.client.XGroupDestroy(ctx, j.streams[0], journalGroup).Err(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, j, batch(5, 6, key))
	got, err := j.Read(ctx, "w", []int{0, 1}, 10, 0)
	if err != nil || !slices.Equal(ids(got), []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("Read after XGROUP DESTROY = %v, %v; want every entry left", ids(got), err)
	}
	if err := s.client.XGroupDestroy(ctx, j.streams[0], journalGroup).Err(); err != nil {
		t.Fatal(err)
	}
	if back, err := j.Reclaim(ctx, 0, "w", 5); err != nil || len(back) != 0 {
		t.Fatalf("Reclaim after XGROUP DESTROY = %v, %v; want nothing pending", ids(back), err)
	}
	if err := s.client.Del(ctx, j.streams[0]).Err(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, j, batch(6, 8, key))
	got, err = j.Read(ctx, "w", []int{0}, 10, 0)
	if err != nil || !slices.Equal(ids(got), []int64{6, 7}) {
		t.Fatalf("Read after DEL of the stream = %v, %v", ids(got), err)
	}
	// A waiting Read on a deleted stream wakes for the next Append.
	if err := s.client.Del(ctx, j.streams[0]).Err(); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		j.Append(ctx, batch(8, 9, key))
	}()
	got, err = j.Read(ctx, "w", []int{0}, 10, 10*time.Second)
	if err != nil || !slices.Equal(ids(got), []int64{8}) {
		t.Fatalf("waiting Read on a deleted stream = %v, %v", ids(got), err)
	}
}

// TestJournalReclaimMany: Reclaim takes over more pending entries than
// one XAUTOCLAIM batch, in order, cleans up entries deleted while
// pending, drops the past owner's consumer, counts a delivery only for
// each key's oldest entry (across batches), and dead-letters those once
// they were delivered too often, leaving the read-ahead ones alone.
func TestJournalReclaimMany(t *testing.T) {
	ctx := testkit.Context(t)
	s := newStore(t)
	j := s.journal
	keys := keysOf(j, 1, 3)
	const n = 2*reclaimBatch + 50
	var es []backend.JournalEntry
	for i := range int64(n) {
		es = append(es, batch(i+1, i+2, keys[i%3])...)
	}
	mustAppend(t, j, es)
	got, err := j.Read(ctx, "old", []int{1}, n, 0)
	if err != nil || len(got) != n {
		t.Fatalf("Read = %d entries, %v", len(got), err)
	}
	gone := []string{got[10].ID, got[reclaimBatch+5].ID}
	if err := s.client.XDel(ctx, j.streams[1], gone...).Err(); err != nil {
		t.Fatal(err)
	}
	back, err := j.Reclaim(ctx, 1, "new", 2)
	if err != nil || len(back) != n-2 {
		t.Fatalf("Reclaim = %d entries, %v; want %d", len(back), err, n-2)
	}
	for i, e := range back {
		want := 1
		if e.UpdateID <= 3 { // the oldest of each of the 3 keys
			want = 2
		}
		if i > 0 && e.UpdateID <= back[i-1].UpdateID || e.Deliveries != want {
			t.Fatalf("reclaimed entry %d: %+v, want in order with %d deliveries", i, e, want)
		}
	}
	pending, err := s.client.XPending(ctx, j.streams[1], journalGroup).Result()
	if err != nil || pending.Count != n-2 || pending.Consumers["new"] != n-2 || len(pending.Consumers) != 1 {
		t.Fatalf("XPENDING = %+v, %v; want %d, all new's", pending, err, n-2)
	}
	consumers, _ := s.client.XInfoConsumers(ctx, j.streams[1], journalGroup).Result()
	if len(consumers) != 1 || consumers[0].Name != "new" {
		t.Fatalf("consumers after Reclaim: %+v, want only new", consumers)
	}
	back, err = j.Reclaim(ctx, 1, "newer", 2)
	if err != nil || len(back) != n-5 {
		t.Fatalf("Reclaim past maxDeliveries = %d entries, %v; want %d (the 3 oldest dead-lettered)", len(back), err, n-5)
	}
	for _, e := range back {
		if e.Deliveries != 1 {
			t.Fatalf("a read-ahead entry counted a delivery: %+v", e)
		}
	}
	if st, _ := j.Stats(ctx); st.DeadLetters != 3 || st.Partitions[1].Length != n-5 {
		t.Fatalf("stats after dead-lettering: %d dead, partition 1 %+v", st.DeadLetters, st.Partitions[1])
	}
	dead, err := j.DeadLetters(ctx, 3)
	if err != nil || len(dead) != 3 || dead[0].Entry.UpdateID != 1 || dead[0].Entry.Deliveries != 2 || dead[0].Entry.ID != got[0].ID {
		t.Fatalf("DeadLetters = %+v, %v", dead, err)
	}
}

// TestJournalReadMax: a Read of many partitions returns at most max
// entries, and every partition gets its turn.
func TestJournalReadMax(t *testing.T) {
	ctx := testkit.Context(t)
	j := newStore(t).journal
	var es []backend.JournalEntry
	for p := range 4 {
		es = append(es, batch(int64(100*p+1), int64(100*p+11), keysOf(j, p, 1)[0])...)
	}
	mustAppend(t, j, es)
	seen := map[int]bool{}
	for range 8 {
		got, err := j.Read(ctx, "w", []int{0, 1, 2, 3}, 3, 0)
		if err != nil || len(got) != 3 {
			t.Fatalf("Read(max 3) = %d entries, %v", len(got), err)
		}
		for _, e := range got {
			seen[e.Partition] = true
		}
	}
	if len(seen) != 4 {
		t.Fatalf("8 reads of 3 served partitions %v, want all 4", seen)
	}
}

// TestJournalReadLongWait: a Read waits longer than the client's read
// timeout without error, and returns soon after ctx is cancelled.
func TestJournalReadLongWait(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: testkit.NeedRedis(t), ReadTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	s := New(c, randomBot(), Options{})
	cleanupBot(t, c, s.opts.Prefix, s.bot)
	j := s.journal
	ctx := testkit.Context(t)
	go func() {
		time.Sleep(700 * time.Millisecond)
		j.Append(ctx, batch(1, 2, keysOf(j, 3, 1)[0]))
	}()
	got, err := j.Read(ctx, "w", []int{3}, 1, 5*time.Second)
	if err != nil || !slices.Equal(ids(got), []int64{1}) {
		t.Fatalf("Read past the read timeout = %v, %v", ids(got), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if _, err := j.Read(cctx, "w", []int{3}, 1, 10*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Read: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("a cancelled Read returned after %v", d)
	}
}

// TestJournalWorkers: announcements, made through either of two Stores
// of a bot, are listed by both, sorted; one runs out after its ttl and
// one with a ttl of zero ends at once. The set expires with the longest.
func TestJournalWorkers(t *testing.T) {
	ctx := testkit.Context(t)
	s := newStore(t)
	stores := [2]*Journal{s.journal, New(newClient(t), s.bot, s.opts).journal}
	steps := []struct {
		via   int
		owner string
		ttl   time.Duration
		want  []string // listed through the other Store after the step
	}{
		{0, "w2", time.Minute, []string{"w2"}},
		{1, "w1", 30 * time.Second, []string{"w1", "w2"}},
		{0, "w3", time.Millisecond, []string{"w1", "w2"}}, // run out by the time it is listed
		{1, "w2", 0, []string{"w1"}},
		{0, "w2", -time.Second, []string{"w1"}},
	}
	for i, st := range steps {
		if err := stores[st.via].Announce(ctx, st.owner, st.ttl); err != nil {
			t.Fatalf("step %d: Announce: %v", i, err)
		}
		time.Sleep(3 * time.Millisecond)
		got, err := stores[1-st.via].Workers(ctx)
		if err != nil || !slices.Equal(got, st.want) {
			t.Fatalf("step %d (%s for %v): Workers = %v, %v; want %v", i, st.owner, st.ttl, got, err, st.want)
		}
	}
	if err := stores[0].Announce(ctx, "", time.Minute); err == nil {
		t.Fatal("Announce with an empty owner: no error")
	}
	if ttl := s.client.PTTL(ctx, s.journal.workers).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("the workers set's PTTL = %v, want at most the longest announcement", ttl)
	}
}
