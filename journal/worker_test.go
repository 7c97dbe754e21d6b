package journal_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/journal"
	"github.com/heraldbot/herald/sched"
)

// record notes, per key, the update ids a handler saw, in order.
type record struct {
	mu   sync.Mutex
	seen map[int64][]int64
	all  int
}

func (r *record) add(e *backend.JournalEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[int64][]int64{}
	}
	r.seen[e.Key] = append(r.seen[e.Key], e.UpdateID)
	r.all++
}

func (r *record) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all
}

// fill appends n entries per key for keys 1..k, update ids interleaved.
func fill(t *testing.T, j backend.Journal, k, n int) {
	t.Helper()
	var es []backend.JournalEntry
	id := int64(1)
	for range n {
		for key := range int64(k) {
			es = append(es, backend.JournalEntry{UpdateID: id, Key: key + 1, Update: []byte(`{}`)})
			id++
		}
	}
	if _, err := j.Append(context.Background(), es); err != nil {
		t.Fatal(err)
	}
}

// checkOrder fails unless every key saw its ids in increasing order, each
// once, and n ids in all.
func checkOrder(t *testing.T, r *record, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	for key, ids := range r.seen {
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Fatalf("key %d saw %v: not in order, or twice", key, ids)
		}
		total += len(ids)
	}
	if total != n {
		t.Fatalf("handled %d entries, want %d", total, n)
	}
}

// runWorker runs a worker with its own scheduler until the returned stop
// is called; stop drains the scheduler as the bot does.
func runWorker(t *testing.T, j backend.Journal, cfg journal.WorkerConfig, h journal.Handler) (w *journal.Worker, stop func()) {
	t.Helper()
	w = journal.NewWorker(j, cfg)
	s := sched.New(sched.Config[int64]{Workers: 8})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, s, h) }()
	return w, func() {
		cancel()
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		_ = s.Close(dctx)
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestWorkerHandlesInOrderAndAcks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := memory.NewJournal(4)
		fill(t, j, 10, 20)
		var r record
		_, stop := runWorker(t, j, journal.WorkerConfig{Logger: quiet()}, func(ctx context.Context, e *backend.JournalEntry) error {
			time.Sleep(time.Millisecond)
			r.add(e)
			return nil
		})
		waitFor(t, func() bool { n, _ := j.Len(context.Background()); return n == 0 })
		stop()
		checkOrder(t, &r, 200)
	})
}

// TestWorkersShareAndHandOver: two workers split the partitions by
// membership; when one stops gracefully the other takes its partitions,
// and the entries left unacknowledged come to it, in order.
func TestWorkersShareAndHandOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := memory.NewJournal(8)
		var r record
		gate := make(chan struct{})
		h := func(ctx context.Context, e *backend.JournalEntry) error {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
			r.add(e)
			return nil
		}
		a, stopA := runWorker(t, j, journal.WorkerConfig{Owner: "a", Logger: quiet(), DrainTimeout: time.Second}, h)
		b, stopB := runWorker(t, j, journal.WorkerConfig{Owner: "b", Logger: quiet()}, h)
		waitFor(t, func() bool { return len(a.Owned()) == 4 && len(b.Owned()) == 4 })
		if o := append(a.Owned(), b.Owned()...); len(slices.Compact(slices.Sorted(slices.Values(o)))) != 8 {
			t.Fatalf("partitions owned: a %v, b %v", a.Owned(), b.Owned())
		}
		fill(t, j, 16, 5)
		time.Sleep(time.Second) // both workers have read their share; nothing is handled yet
		stopA()                 // a's handlers are cancelled at its drain deadline: its entries stay
		waitFor(t, func() bool { return len(b.Owned()) == 8 })
		close(gate)
		waitFor(t, func() bool { n, _ := j.Len(context.Background()); return n == 0 })
		stopB()
		checkOrder(t, &r, 80)
	})
}

// TestWorkerTakesOverFromTheDead: a worker that died (it read entries and
// stopped renewing) leaves its partition; the next worker takes it once
// the lease ran out and handles the dead one's entries first, in order.
func TestWorkerTakesOverFromTheDead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := memory.NewJournal(1)
		fill(t, j, 3, 4)
		if ok, _ := j.Own(ctx, 0, "dead", 5*time.Second); !ok {
			t.Fatal("could not own")
		}
		_ = j.Announce(ctx, "dead", 5*time.Second)
		got, _ := j.Read(ctx, "dead", []int{0}, 5, 0) // 5 delivered, never acknowledged
		if len(got) != 5 {
			t.Fatalf("read %d", len(got))
		}
		var r record
		start := time.Now()
		var took time.Duration
		var first sync.Once // the chats' handlers run at once
		w, stop := runWorker(t, j, journal.WorkerConfig{Owner: "next", Logger: quiet()}, func(ctx context.Context, e *backend.JournalEntry) error {
			first.Do(func() { took = time.Since(start) })
			r.add(e)
			return nil
		})
		waitFor(t, func() bool { n, _ := j.Len(ctx); return n == 0 })
		if len(w.Owned()) != 1 {
			t.Fatalf("owned %v", w.Owned())
		}
		stop()
		checkOrder(t, &r, 12)
		if took < 5*time.Second || took > 9*time.Second {
			t.Fatalf("first entry handled %v after start, want after the dead owner's 5 s lease and within a few seconds of it", took)
		}
	})
}

func TestWorkerBuriesAndLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := memory.NewJournal(2)
		fill(t, j, 2, 3) // ids 1..6
		var r record
		_, stop := runWorker(t, j, journal.WorkerConfig{Logger: quiet()}, func(ctx context.Context, e *backend.JournalEntry) error {
			switch e.UpdateID {
			case 3:
				return fmt.Errorf("%w: test", journal.ErrBury)
			case 4:
				return fmt.Errorf("store down")
			}
			r.add(e)
			return nil
		})
		waitFor(t, func() bool { n, _ := j.Len(ctx); return n == 1 })
		stop()
		dead, _ := j.DeadLetters(ctx, 10)
		if len(dead) != 1 || dead[0].Entry.UpdateID != 3 {
			t.Fatalf("dead letters %+v, want update 3", dead)
		}
		// Update 4 was not handled: it stays, delivered, for the next owner.
		back, _ := j.Reclaim(ctx, 1, "next", 5)
		back2, _ := j.Reclaim(ctx, 0, "next", 5)
		if ids := append(back, back2...); len(ids) != 1 || ids[0].UpdateID != 4 {
			t.Fatalf("left for the next owner: %+v, want update 4", ids)
		}
		if r.count() != 4 {
			t.Fatalf("handled %d, want 4", r.count())
		}
	})
}

// waitFor polls cond (in a bubble, on fake time) for up to a minute.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 600 {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("condition not met within a minute")
}
