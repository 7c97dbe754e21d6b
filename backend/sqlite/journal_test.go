package sqlite

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
)

// TestJournalContract runs the journal suite on an in-memory Store (whose
// reads and writes share one connection) and on two Stores sharing a
// file, every call going to one of them in turn: a Read waiting in one
// sees an Append through the other by looking in the file.
func TestJournalContract(t *testing.T) {
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		backendtest.TestJournal(t, func(t *testing.T) backend.Journal {
			return openAt(t, ":memory:", Options{SweepInterval: -1}).Journal()
		})
	})
	t.Run("TwoProcesses", func(t *testing.T) {
		t.Parallel()
		backendtest.TestJournal(t, func(t *testing.T) backend.Journal {
			path := dbPath(t)
			return &alternate{j: [2]backend.Journal{
				openAt(t, path, Options{SweepInterval: -1}).Journal(),
				openAt(t, path, Options{SweepInterval: -1}).Journal(),
			}}
		})
	})
}

// alternate is a backend.Journal that sends each call to one of two
// journals on one file in turn, as two bot processes sharing it would.
type alternate struct {
	j [2]backend.Journal
	n atomic.Uint32
}

func (a *alternate) next() backend.Journal { return a.j[a.n.Add(1)%2] }

func (a *alternate) Partitions() int { return a.j[0].Partitions() }

func (a *alternate) Append(ctx context.Context, es []backend.JournalEntry) (int, error) {
	return a.next().Append(ctx, es)
}

func (a *alternate) Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error) {
	return a.next().Own(ctx, p, owner, lease)
}

func (a *alternate) Disown(ctx context.Context, p int, owner string) error {
	return a.next().Disown(ctx, p, owner)
}

func (a *alternate) Reclaim(ctx context.Context, p int, owner string, maxDeliveries int) ([]backend.JournalEntry, error) {
	return a.next().Reclaim(ctx, p, owner, maxDeliveries)
}

func (a *alternate) Read(ctx context.Context, owner string, ps []int, max int, wait time.Duration) ([]backend.JournalEntry, error) {
	return a.next().Read(ctx, owner, ps, max, wait)
}

func (a *alternate) Ack(ctx context.Context, refs ...backend.JournalRef) error {
	return a.next().Ack(ctx, refs...)
}

func (a *alternate) Bury(ctx context.Context, ref backend.JournalRef, reason string) error {
	return a.next().Bury(ctx, ref, reason)
}

func (a *alternate) Len(ctx context.Context) (int64, error) { return a.next().Len(ctx) }

func (a *alternate) Announce(ctx context.Context, owner string, ttl time.Duration) error {
	return a.next().Announce(ctx, owner, ttl)
}

func (a *alternate) Workers(ctx context.Context) ([]string, error) { return a.next().Workers(ctx) }

func (a *alternate) Stats(ctx context.Context) (backend.JournalStats, error) {
	return a.next().Stats(ctx)
}

func (a *alternate) DeadLetters(ctx context.Context, max int) ([]backend.DeadLetter, error) {
	return a.next().DeadLetters(ctx, max)
}

func (a *alternate) Requeue(ctx context.Context, ids ...string) (int, error) {
	return a.next().Requeue(ctx, ids...)
}

// journalEntry is an entry of the update updateID in chat key.
func journalEntry(updateID, key int64) backend.JournalEntry {
	return backend.JournalEntry{UpdateID: updateID, Key: key,
		Update: []byte(`{"update_id":` + strconv.FormatInt(updateID, 10) + `}`),
		Meta:   map[string]string{"id": strconv.FormatInt(updateID, 36)}}
}

func mustAppend(t *testing.T, j backend.Journal, want int, es ...backend.JournalEntry) {
	t.Helper()
	if n, err := j.Append(context.Background(), es); err != nil || n != want {
		t.Fatalf("Append = %d, %v; want %d", n, err, want)
	}
}

func mustRead(t *testing.T, j backend.Journal, owner string, ps []int, max int) []backend.JournalEntry {
	t.Helper()
	got, err := j.Read(context.Background(), owner, ps, max, 0)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got
}

func updateIDs(es []backend.JournalEntry) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.UpdateID
	}
	return ids
}

// TestJournalDurable: entries waiting, entries delivered and not
// acknowledged, dead letters and remembered update ids are all there after
// the file is closed and opened again.
func TestJournalDurable(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1})
	j := s.Journal()
	const key = 42
	p := backend.PartitionOf(key, j.Partitions())
	var es []backend.JournalEntry
	for id := int64(101); id <= 105; id++ {
		es = append(es, journalEntry(id, key))
	}
	mustAppend(t, j, 5, es...)
	got := mustRead(t, j, "w1", []int{p}, 2)
	if err := j.Bury(ctx, got[1].Ref(), "cannot decode"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	j = openAt(t, path, Options{SweepInterval: -1}).Journal()
	if n, err := j.Len(ctx); err != nil || n != 4 {
		t.Fatalf("Len after reopening = %d, %v; want 4", n, err)
	}
	st, err := j.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ps := st.Partitions[p]; ps.Length != 4 || ps.Pending != 1 || st.DeadLetters != 1 {
		t.Fatalf("Stats after reopening: partition %+v, %d dead letters; want length 4, pending 1, 1 dead", ps, st.DeadLetters)
	}
	mustAppend(t, j, 0, es...) // the ids are still remembered
	back, err := j.Reclaim(ctx, p, "w2", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].UpdateID != 101 || back[0].Deliveries != 2 || back[0].ID != got[0].ID ||
		string(back[0].Update) != string(es[0].Update) || back[0].Meta["id"] != es[0].Meta["id"] {
		t.Fatalf("Reclaim after reopening = %+v, want update 101 (%s) delivered twice, with its content", back, got[0].ID)
	}
	if ids := updateIDs(mustRead(t, j, "w2", []int{p}, 10)); !slices.Equal(ids, []int64{103, 104, 105}) {
		t.Fatalf("Read after reopening = %v, want [103 104 105]", ids)
	}
	dead, err := j.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].Entry.UpdateID != 102 || dead[0].Reason != "cannot decode" ||
		dead[0].Entry.Meta["id"] != es[1].Meta["id"] {
		t.Fatalf("DeadLetters after reopening = %+v, %v; want update 102, buried", dead, err)
	}
}

// TestJournalPartitions: the first Open records the partition count;
// opening the file with another count fails with backend.ErrPartitions,
// leaving it unset adopts the recorded one.
func TestJournalPartitions(t *testing.T) {
	ctx := context.Background()
	if n := newStore(t).Journal().Partitions(); n != backend.DefaultPartitions {
		t.Fatalf("a new file without JournalPartitions has %d partitions, want %d", n, backend.DefaultPartitions)
	}
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1, JournalPartitions: 4})
	if n := s.Journal().Partitions(); n != 4 {
		t.Fatalf("Partitions = %d, want 4", n)
	}
	if s.Journal() != s.Journal() {
		t.Fatal("Journal returned two journals")
	}
	s.Close()
	if s, err := Open(ctx, path, Options{SweepInterval: -1, JournalPartitions: 8}); !errors.Is(err, backend.ErrPartitions) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("Open with 8 partitions of a file with 4: %v, want ErrPartitions", err)
	}
	if n := openAt(t, path, Options{SweepInterval: -1}).Journal().Partitions(); n != 4 {
		t.Fatalf("Open without JournalPartitions: %d partitions, want the recorded 4", n)
	}
	if n := openAt(t, path, Options{SweepInterval: -1, JournalPartitions: 4}).Journal().Partitions(); n != 4 {
		t.Fatalf("Open with the recorded count: %d partitions", n)
	}
	if s, err := Open(ctx, dbPath(t), Options{JournalPartitions: -1}); err == nil {
		s.Close()
		t.Fatal("Open with -1 partitions succeeded")
	}
}

// TestJournalSeenSweep: a remembered update id whose time ran out lets a
// copy in, and the sweeper deletes its row.
func TestJournalSeenSweep(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	j := s.Journal()
	mustAppend(t, j, 2, journalEntry(7, 1), journalEntry(8, 1))
	got := mustRead(t, j, "w", []int{backend.PartitionOf(1, j.Partitions())}, 10)
	if err := j.Ack(ctx, got[0].Ref(), got[1].Ref()); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, j, 0, journalEntry(7, 1), journalEntry(8, 1))
	if _, err := s.w.Exec(`UPDATE journal_seen SET expires_at = 1 WHERE update_id = 7`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want the row of update 7", n, err)
	}
	if n := countRows(t, s, "journal_seen"); n != 1 {
		t.Fatalf("%d rows in journal_seen after the sweep, want 1", n)
	}
	mustAppend(t, j, 1, journalEntry(7, 1), journalEntry(8, 1))
}

// TestJournalWorkers: announcements are shared by the Stores on a file,
// run out after their ttl and end at once with a ttl of zero.
func TestJournalWorkers(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	a := openAt(t, path, Options{SweepInterval: -1}).journal
	b := openAt(t, path, Options{SweepInterval: -1}).journal
	for _, w := range []string{"w2", "w1"} {
		if err := a.Announce(ctx, w, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Announce(ctx, "w3", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if got, err := b.Workers(ctx); err != nil || !slices.Equal(got, []string{"w1", "w2"}) {
		t.Fatalf("Workers = %v, %v; want [w1 w2]: w3's announcement ran out", got, err)
	}
	if err := b.Announce(ctx, "w2", 0); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Workers(ctx); err != nil || !slices.Equal(got, []string{"w1"}) {
		t.Fatalf("Workers after w2 left = %v, %v; want [w1]", got, err)
	}
	if err := a.Announce(ctx, "", time.Minute); err == nil {
		t.Fatal("Announce with an empty owner: no error")
	}
	if n, err := a.s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want w3's row", n, err)
	}
}
