package backendtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// TestJournal runs the contract tests of backend.Journal as subtests, each
// on a journal returned by newJournal, which must be empty (a fresh one,
// or one under a name of its own on a shared server) and have at least
// two partitions. Pass at most one Options; the lease test waits for a
// 300 ms lease to pass on real time.
func TestJournal(t *testing.T, newJournal func(t *testing.T) backend.Journal, opts ...Options) {
	runSuite(t, newJournal, opts, []subtest[backend.Journal]{
		{"AppendReadInOrder", testJournalOrder},
		{"DedupAtInsertion", testJournalDedup},
		{"ConcurrentCopiesAddOnce", testJournalConcurrentDedup},
		{"AckRemoves", testJournalAck},
		{"ReclaimRedelivers", testJournalReclaim},
		{"DeadLetterAfterMaxDeliveries", testJournalDeadLetter},
		{"CrashLoopKeepsReadAhead", testJournalCrashLoop},
		{"BuryAndRequeue", testJournalBury},
		{"OwnExclusive", testJournalOwn},
		{"OwnLeaseLapses", testJournalOwnLapse},
		{"ReadWaitsForAppend", testJournalReadWaits},
		{"Stats", testJournalStats},
		{"Workers", testJournalWorkers},
		{"BadInput", testJournalBadInput},
	})
}

// keysIn returns n distinct keys that fall in partition p of j.
func keysIn(j backend.Journal, p, n int) []int64 {
	var keys []int64
	for k := int64(-1001000000000 - rand.Int64N(1<<20)); len(keys) < n; k-- {
		if backend.PartitionOf(k, j.Partitions()) == p {
			keys = append(keys, k)
		}
	}
	return keys
}

// updateIDs returns a base for update ids no other run uses.
func updateBase() int64 { return rand.Int64N(1<<40) + 1<<20 }

func entry(id, key int64) backend.JournalEntry {
	return backend.JournalEntry{UpdateID: id, Key: key,
		Update: []byte(fmt.Sprintf(`{"update_id":%d}`, id)),
		Meta:   map[string]string{"traceparent": "00-" + strconv.FormatInt(id, 16) + "-01"}}
}

func appendAll(t *testing.T, j backend.Journal, es ...backend.JournalEntry) int {
	t.Helper()
	n, err := j.Append(testkit.Context(t), es)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return n
}

func readAll(t *testing.T, j backend.Journal, owner string, ps []int, max int) []backend.JournalEntry {
	t.Helper()
	got, err := j.Read(testkit.Context(t), owner, ps, max, 0)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got
}

func updateIDsOf(es []backend.JournalEntry) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.UpdateID
	}
	return ids
}

func allPartitions(j backend.Journal) []int {
	ps := make([]int, j.Partitions())
	for i := range ps {
		ps[i] = i
	}
	return ps
}

func testJournalOrder(t *testing.T, j backend.Journal, _ Options) {
	if j.Partitions() < 2 {
		t.Fatalf("Partitions() = %d, the suite needs at least 2", j.Partitions())
	}
	base := updateBase()
	k0, k1 := keysIn(j, 0, 2), keysIn(j, 1, 1)
	before := time.Now().Add(-time.Minute)
	var es []backend.JournalEntry
	for i := range int64(30) {
		key := k0[i%2]
		if i%3 == 0 {
			key = k1[0]
		}
		es = append(es, entry(base+i, key))
	}
	if n := appendAll(t, j, es...); n != 30 {
		t.Fatalf("Append added %d of 30", n)
	}
	got := readAll(t, j, "w1", []int{0}, 100)
	var want []int64
	for _, e := range es {
		if backend.PartitionOf(e.Key, j.Partitions()) == 0 {
			want = append(want, e.UpdateID)
		}
	}
	if !slices.Equal(updateIDsOf(got), want) {
		t.Fatalf("partition 0 read %v, want %v in append order", updateIDsOf(got), want)
	}
	for _, e := range got {
		src := es[e.UpdateID-base]
		switch {
		case e.ID == "" || e.Partition != 0 || e.Key != src.Key:
			t.Fatalf("entry %+v: want an ID, partition 0, key %d", e, src.Key)
		case string(e.Update) != string(src.Update) || e.Meta["traceparent"] != src.Meta["traceparent"]:
			t.Fatalf("entry %d: update %q meta %v, want %q %v", e.UpdateID, e.Update, e.Meta, src.Update, src.Meta)
		case e.Deliveries != 1:
			t.Fatalf("entry %d: Deliveries = %d on first read, want 1", e.UpdateID, e.Deliveries)
		case e.Appended.Before(before) || e.Appended.After(time.Now().Add(time.Minute)):
			t.Fatalf("entry %d: Appended = %v, want about now", e.UpdateID, e.Appended)
		}
	}
	// Read in small batches from partition 1: still in order, each once.
	var p1 []int64
	for range 20 {
		batch := readAll(t, j, "w1", []int{1}, 3)
		if len(batch) > 3 {
			t.Fatalf("Read(max 3) returned %d", len(batch))
		}
		p1 = append(p1, updateIDsOf(batch)...)
	}
	want = want[:0]
	for _, e := range es {
		if backend.PartitionOf(e.Key, j.Partitions()) == 1 {
			want = append(want, e.UpdateID)
		}
	}
	if !slices.Equal(p1, want) {
		t.Fatalf("partition 1 read %v, want %v", p1, want)
	}
	if again := readAll(t, j, "w2", allPartitions(j), 100); len(again) != 0 {
		t.Fatalf("a second Read returned delivered entries %v", updateIDsOf(again))
	}
}

func testJournalDedup(t *testing.T, j backend.Journal, _ Options) {
	base := updateBase()
	key := keysIn(j, 0, 1)[0]
	if n := appendAll(t, j, entry(base, key), entry(base+1, key)); n != 2 {
		t.Fatalf("added %d, want 2", n)
	}
	// Copies, acknowledged or not, are skipped; new ids in the same batch
	// are added, and entries without an update id always are.
	got := readAll(t, j, "w", []int{0}, 10)
	if err := j.Ack(testkit.Context(t), got[0].Ref()); err != nil {
		t.Fatal(err)
	}
	if n := appendAll(t, j, entry(base, key), entry(base+1, key), entry(base+2, key), entry(0, key), entry(0, key)); n != 3 {
		t.Fatalf("Append of 2 copies, 1 new and 2 id-less entries added %d, want 3", n)
	}
	if ids := updateIDsOf(readAll(t, j, "w", []int{0}, 10)); !slices.Equal(ids, []int64{base + 2, 0, 0}) {
		t.Fatalf("read %v after the copies, want [%d 0 0]", ids, base+2)
	}
}

func testJournalConcurrentDedup(t *testing.T, j backend.Journal, _ Options) {
	base := updateBase()
	keys := keysIn(j, 1, 4)
	const copies, ids = 6, 40
	var added atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for c := range copies {
		wg.Go(func() {
			<-start
			for i := 0; i < ids; i += 8 { // batches of 8, overlapping between copies
				var es []backend.JournalEntry
				for k := i; k < i+8; k++ {
					es = append(es, entry(base+int64(k), keys[k%len(keys)]))
				}
				if c%2 == 1 {
					slices.Reverse(es[:4]) // copies need not agree on batch order
				}
				n, err := j.Append(testkit.Context(t), es)
				if err != nil {
					t.Error(err)
					return
				}
				added.Add(int64(n))
			}
		})
	}
	close(start)
	wg.Wait()
	if added.Load() != ids {
		t.Fatalf("%d copies of %d updates appended at once added %d, want %d", copies, ids, added.Load(), ids)
	}
	got := readAll(t, j, "w", []int{1}, 1000)
	seen := map[int64]bool{}
	for _, e := range got {
		if seen[e.UpdateID] {
			t.Fatalf("update %d read twice", e.UpdateID)
		}
		seen[e.UpdateID] = true
	}
	if len(seen) != ids {
		t.Fatalf("read %d distinct updates, want %d", len(seen), ids)
	}
}

func testJournalAck(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	key := keysIn(j, 0, 1)[0]
	appendAll(t, j, entry(base, key), entry(base+1, key), entry(base+2, key))
	if n, err := j.Len(ctx); err != nil || n != 3 {
		t.Fatalf("Len = %d, %v; want 3", n, err)
	}
	got := readAll(t, j, "w", []int{0}, 10)
	if len(got) != 3 {
		t.Fatalf("read %d, want 3", len(got))
	}
	if n, _ := j.Len(ctx); n != 3 {
		t.Fatalf("Len = %d after Read, want 3: delivered entries count until acknowledged", n)
	}
	if err := j.Ack(ctx, got[1].Ref(), got[0].Ref()); err != nil {
		t.Fatal(err)
	}
	if err := j.Ack(ctx, got[1].Ref()); err != nil {
		t.Fatalf("acknowledging twice: %v", err)
	}
	if n, _ := j.Len(ctx); n != 1 {
		t.Fatalf("Len = %d after two acks, want 1", n)
	}
	// Only the unacknowledged one comes back to the next owner.
	back, err := j.Reclaim(ctx, 0, "w2", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ids := updateIDsOf(back); !slices.Equal(ids, []int64{base + 2}) {
		t.Fatalf("Reclaim after acks = %v, want [%d]", ids, base+2)
	}
}

func testJournalReclaim(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	key := keysIn(j, 1, 1)[0]
	for i := range int64(6) {
		appendAll(t, j, entry(base+i, key))
	}
	first := readAll(t, j, "dead", []int{1}, 4) // 4 delivered, 2 waiting
	if len(first) != 4 {
		t.Fatalf("read %d, want 4", len(first))
	}
	if err := j.Ack(ctx, first[1].Ref()); err != nil {
		t.Fatal(err)
	}
	back, err := j.Reclaim(ctx, 1, "next", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ids := updateIDsOf(back); !slices.Equal(ids, []int64{base, base + 2, base + 3}) {
		t.Fatalf("Reclaim = %v, want the delivered, unacknowledged ones in order [%d %d %d]", ids, base, base+2, base+3)
	}
	for i, e := range back {
		// Only the key's oldest may have been running: it alone counts
		// a delivery.
		if want := map[bool]int{true: 2, false: 1}[i == 0]; e.Deliveries != want {
			t.Fatalf("reclaimed entry %d: Deliveries = %d, want %d", e.UpdateID, e.Deliveries, want)
		}
		if string(e.Update) != string(entry(e.UpdateID, key).Update) || e.Key != key || e.Partition != 1 {
			t.Fatalf("reclaimed entry %+v lost its content", e)
		}
	}
	if again, _ := j.Reclaim(ctx, 0, "next", 5); len(again) != 0 {
		t.Fatalf("Reclaim of another partition returned %v", updateIDsOf(again))
	}
	rest := readAll(t, j, "next", []int{1}, 10)
	if ids := updateIDsOf(rest); !slices.Equal(ids, []int64{base + 4, base + 5}) {
		t.Fatalf("Read after Reclaim = %v, want the never-delivered [%d %d]", ids, base+4, base+5)
	}
	// Reclaimed entries acknowledge with the refs Reclaim gave.
	for _, e := range append(back, rest...) {
		if err := j.Ack(ctx, e.Ref()); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := j.Len(ctx); n != 0 {
		t.Fatalf("Len = %d after acknowledging everything", n)
	}
}

func testJournalDeadLetter(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	key := keysIn(j, 0, 1)[0]
	appendAll(t, j, entry(base, key), entry(base+1, key))
	readAll(t, j, "w", []int{0}, 1) // base delivered once
	for round := 2; round <= 3; round++ {
		back, err := j.Reclaim(ctx, 0, fmt.Sprintf("w%d", round), 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != 1 || back[0].Deliveries != round {
			t.Fatalf("round %d: Reclaim = %+v, want update %d with %d deliveries", round, back, base, round)
		}
	}
	back, err := j.Reclaim(ctx, 0, "w4", 3)
	if err != nil || len(back) != 0 {
		t.Fatalf("fourth Reclaim with maxDeliveries 3 = %v, %v; want nothing (dead-lettered)", updateIDsOf(back), err)
	}
	dead, err := j.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Entry.UpdateID != base || dead[0].Reason == "" || dead[0].ID == "" || dead[0].Died.IsZero() {
		t.Fatalf("DeadLetters = %+v, want update %d with a reason, an id and a time", dead, base)
	}
	if string(dead[0].Entry.Update) != string(entry(base, key).Update) {
		t.Fatalf("dead letter lost its update: %q", dead[0].Entry.Update)
	}
	if n, _ := j.Len(ctx); n != 1 {
		t.Fatalf("Len = %d, want 1: a dead letter is out of the journal", n)
	}
	if next := readAll(t, j, "w4", []int{0}, 10); !slices.Equal(updateIDsOf(next), []int64{base + 1}) {
		t.Fatalf("after the dead letter Read = %v, want [%d]", updateIDsOf(next), base+1)
	}
}

func testJournalBury(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	key := keysIn(j, 1, 1)[0]
	appendAll(t, j, entry(base, key))
	got := readAll(t, j, "w", []int{1}, 1)
	if err := j.Bury(ctx, got[0].Ref(), "cannot decode"); err != nil {
		t.Fatal(err)
	}
	st, err := j.Stats(ctx)
	if err != nil || st.DeadLetters != 1 {
		t.Fatalf("Stats.DeadLetters = %d, %v; want 1", st.DeadLetters, err)
	}
	dead, _ := j.DeadLetters(ctx, 10)
	if len(dead) != 1 || dead[0].Reason != "cannot decode" {
		t.Fatalf("DeadLetters = %+v", dead)
	}
	if n, err := j.Requeue(ctx, dead[0].ID, "no-such-id"); err != nil || n != 1 {
		t.Fatalf("Requeue = %d, %v; want 1", n, err)
	}
	if dead, _ := j.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Fatalf("dead letters after Requeue: %+v", dead)
	}
	again := readAll(t, j, "w", []int{1}, 10)
	if len(again) != 1 || again[0].UpdateID != base || again[0].Deliveries != 1 || again[0].Key != key ||
		again[0].Meta["traceparent"] != entry(base, key).Meta["traceparent"] {
		t.Fatalf("after Requeue Read = %+v, want update %d delivered once with its key and meta", again, base)
	}
	if n, _ := j.Requeue(ctx, dead[0].ID); n != 0 {
		t.Fatalf("requeueing twice requeued %d", n)
	}
}

func testJournalOwn(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	ok, err := j.Own(ctx, 0, "a", time.Minute)
	if err != nil || !ok {
		t.Fatalf("Own(free) = %v, %v", ok, err)
	}
	if ok, _ := j.Own(ctx, 0, "b", time.Minute); ok {
		t.Fatal("a second owner took a held partition")
	}
	if ok, _ := j.Own(ctx, 0, "a", time.Minute); !ok {
		t.Fatal("the owner could not renew its lease")
	}
	if ok, _ := j.Own(ctx, 1, "b", time.Minute); !ok {
		t.Fatal("partitions are not independent")
	}
	if err := j.Disown(ctx, 0, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := j.Own(ctx, 0, "b", time.Minute); ok {
		t.Fatal("Disown by a non-owner freed the partition")
	}
	if err := j.Disown(ctx, 0, "a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := j.Own(ctx, 0, "b", time.Minute); !ok {
		t.Fatal("Disown did not free the partition at once")
	}
	// Of many concurrent claimants exactly one wins.
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if ok, err := j.Own(ctx, 1, fmt.Sprintf("c%d", i), time.Minute); err == nil && ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 0 {
		t.Fatalf("%d claimants took partition 1 from its live owner", wins.Load())
	}
	if err := j.Disown(ctx, 1, "b"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		wg.Go(func() {
			if ok, err := j.Own(ctx, 1, fmt.Sprintf("d%d", i), time.Minute); err == nil && ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d of 20 concurrent claimants own a free partition, want 1", wins.Load())
	}
}

func testJournalOwnLapse(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	const lease = 300 * time.Millisecond
	if ok, err := j.Own(ctx, 0, "dead", lease); err != nil || !ok {
		t.Fatalf("Own = %v, %v", ok, err)
	}
	if ok, _ := j.Own(ctx, 0, "next", lease); ok {
		t.Fatal("took a partition whose lease runs")
	}
	start := time.Now()
	for {
		time.Sleep(50 * time.Millisecond)
		ok, err := j.Own(ctx, 0, "next", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Since(start) > lease+2*time.Second {
			t.Fatalf("the partition is still held %v after its %v lease ended", time.Since(start), lease)
		}
	}
	if waited := time.Since(start); waited < lease-100*time.Millisecond {
		t.Fatalf("taken over after %v, before the %v lease ended", waited, lease)
	}
}

func testJournalReadWaits(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	start := time.Now()
	got, err := j.Read(ctx, "w", []int{0, 1}, 10, 150*time.Millisecond)
	if err != nil || len(got) != 0 {
		t.Fatalf("Read of an empty journal = %v, %v", updateIDsOf(got), err)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Fatalf("Read returned after %v, want it to wait about 150ms", waited)
	}
	base := updateBase()
	key := keysIn(j, 1, 1)[0]
	done := make(chan []backend.JournalEntry, 1)
	go func() {
		got, err := j.Read(ctx, "w", []int{0, 1}, 10, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	time.Sleep(100 * time.Millisecond)
	appended := time.Now()
	appendAll(t, j, entry(base, key))
	select {
	case got := <-done:
		if !slices.Equal(updateIDsOf(got), []int64{base}) {
			t.Fatalf("waiting Read = %v", updateIDsOf(got))
		}
		if d := time.Since(appended); d > 5*time.Second {
			t.Fatalf("a waiting Read took %v to see an append", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a waiting Read did not return after an append")
	}
	// A cancelled context ends a waiting Read.
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := j.Read(cctx, "w", []int{0}, 10, 20*time.Second); err == nil && time.Since(appended) > 15*time.Second {
		t.Fatal("a cancelled Read waited its whole wait")
	}
}

func testJournalStats(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	key := keysIn(j, 1, 1)[0]
	appendAll(t, j, entry(base, key), entry(base+1, key), entry(base+2, key))
	readAll(t, j, "w", []int{1}, 1)
	if _, err := j.Own(ctx, 1, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	st, err := j.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Partitions) != j.Partitions() {
		t.Fatalf("Stats has %d partitions, want %d", len(st.Partitions), j.Partitions())
	}
	p := st.Partitions[1]
	if p.Partition != 1 || p.Length != 3 || p.Pending != 1 || p.Owner != "w" || p.Oldest.IsZero() || time.Since(p.Oldest) > time.Minute {
		t.Fatalf("partition 1 stats = %+v, want length 3, pending 1, owner w, oldest about now", p)
	}
	if q := st.Partitions[0]; q.Length != 0 || q.Pending != 0 || q.Owner != "" || !q.Oldest.IsZero() {
		t.Fatalf("empty partition 0 stats = %+v", q)
	}
}

func testJournalBadInput(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	n := j.Partitions()
	if _, err := j.Read(ctx, "", []int{0}, 1, 0); err == nil {
		t.Error("Read with an empty owner: no error")
	}
	if _, err := j.Read(ctx, "w", []int{n}, 1, 0); err == nil {
		t.Error("Read of a partition out of range: no error")
	}
	if _, err := j.Read(ctx, "w", []int{0}, 0, 0); err == nil {
		t.Error("Read with max 0: no error")
	}
	if _, err := j.Own(ctx, -1, "w", time.Second); err == nil {
		t.Error("Own of partition -1: no error")
	}
	if _, err := j.Own(ctx, 0, "", time.Second); err == nil {
		t.Error("Own with an empty owner: no error")
	}
	if _, err := j.Own(ctx, 0, "w", 0); err == nil {
		t.Error("Own with lease 0: no error")
	}
	if _, err := j.Reclaim(ctx, n, "w", 5); err == nil {
		t.Error("Reclaim of a partition out of range: no error")
	}
	if n, err := j.Append(ctx, nil); err != nil || n != 0 {
		t.Errorf("Append(nil) = %d, %v", n, err)
	}
}

func testJournalWorkers(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	a, b := uniqueName("worker-a"), uniqueName("worker-b")
	if err := j.Announce(ctx, b, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := j.Announce(ctx, a, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	mine := func() []string {
		t.Helper()
		ws, err := j.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(ws) {
			t.Fatalf("Workers() = %v, not sorted", ws)
		}
		return slices.DeleteFunc(ws, func(w string) bool { return w != a && w != b })
	}
	if got := mine(); !slices.Equal(got, []string{a, b}) && !slices.Equal(got, []string{b, a}) {
		t.Fatalf("Workers() = %v, want both", got)
	}
	start := time.Now()
	for slices.Contains(mine(), a) {
		if time.Since(start) > 3*time.Second {
			t.Fatal("a worker is still listed 3 s after its 300 ms announcement ran out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := j.Announce(ctx, b, 0); err != nil {
		t.Fatal(err)
	}
	if got := mine(); len(got) != 0 {
		t.Fatalf("Workers() = %v after the last one left (ttl 0)", got)
	}
	if err := j.Announce(ctx, "", time.Second); err == nil {
		t.Error("Announce with an empty owner: no error")
	}
}

// testJournalCrashLoop: owners that die one after another, each having
// read a backlog it never started, count deliveries only for each key's
// oldest entry, so the read-ahead ones are never dead-lettered however
// many owners die; the oldest one is, after maxDeliveries.
func testJournalCrashLoop(t *testing.T, j backend.Journal, _ Options) {
	ctx := testkit.Context(t)
	base := updateBase()
	keys := keysIn(j, 0, 2)
	var es []backend.JournalEntry
	for i := range int64(6) {
		es = append(es, entry(base+i, keys[i%2])) // key A: base, base+2, base+4; key B: the odd ones
	}
	appendAll(t, j, es...)
	readAll(t, j, "owner-0", []int{0}, 10)
	for round := 1; round <= 4; round++ {
		back, err := j.Reclaim(ctx, 0, fmt.Sprintf("owner-%d", round), 3)
		if err != nil {
			t.Fatal(err)
		}
		if round < 3 {
			if len(back) != 6 {
				t.Fatalf("round %d: reclaimed %v, want all 6", round, updateIDsOf(back))
			}
			for _, e := range back {
				want := 1
				if e.UpdateID == base || e.UpdateID == base+1 {
					want = round + 1
				}
				if e.Deliveries != want {
					t.Fatalf("round %d: update %d has %d deliveries, want %d", round, e.UpdateID, e.Deliveries, want)
				}
			}
			continue
		}
		if round == 3 {
			// The two oldest were delivered 3 times: dead letters now;
			// their keys' next entries are not counted in the same call.
			if ids := updateIDsOf(back); !slices.Equal(ids, []int64{base + 2, base + 3, base + 4, base + 5}) {
				t.Fatalf("round 3: reclaimed %v, want the 4 read-ahead entries", ids)
			}
			for _, e := range back {
				if e.Deliveries != 1 {
					t.Fatalf("round 3: update %d has %d deliveries, want 1", e.UpdateID, e.Deliveries)
				}
			}
			continue
		}
		for _, e := range back {
			want := 1
			if e.UpdateID == base+2 || e.UpdateID == base+3 {
				want = 2
			}
			if e.Deliveries != want {
				t.Fatalf("round 4: update %d has %d deliveries, want %d", e.UpdateID, e.Deliveries, want)
			}
		}
	}
	dead, err := j.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := []int64{}; len(dead) != 2 {
		t.Fatalf("dead letters %+v, want updates %d and %d", dead, base, base+1)
	} else {
		for _, d := range dead {
			ids = append(ids, d.Entry.UpdateID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []int64{base, base + 1}) {
			t.Fatalf("dead letters are updates %v, want %d and %d", ids, base, base+1)
		}
	}
}
