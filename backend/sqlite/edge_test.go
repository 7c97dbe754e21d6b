package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/broadcast"
)

// TestOpenConcurrentFreshFile: processes that open a new file at the same
// time all succeed, and the schema is created once.
func TestOpenConcurrentFreshFile(t *testing.T) {
	path := dbPath(t)
	const n = 4
	var wg sync.WaitGroup
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = Open(context.Background(), path, Options{SweepInterval: -1, Logger: slog.New(slog.DiscardHandler)})
		})
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer s.Close()
	}
	if t.Failed() {
		return
	}
	mustCAS(t, stores[0], key1, 0, backend.Record{State: "a"}, 0)
	if rec := mustGet(t, stores[n-1], key1); rec.State != "a" {
		t.Fatalf("another store reads %+v", rec)
	}
	if v, _, err := readVersion(context.Background(), stores[1].r); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if stores[0].Path() != path {
		t.Fatalf("Path() = %q, want %q", stores[0].Path(), path)
	}
}

// TestBusyTimeout: while another process holds the file's write lock, a
// write waits up to BusyTimeout and then fails (it neither hangs nor
// succeeds), and works again once the lock is released.
func TestBusyTimeout(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := openAt(t, path, Options{SweepInterval: -1, BusyTimeout: 150 * time.Millisecond})
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.CompareAndSet(ctx, key1, 0, backend.Record{State: "a"}, 0)
	took := time.Since(start)
	if err == nil || errors.Is(err, backend.ErrConflict) {
		t.Fatalf("write while another process holds the lock: %v", err)
	}
	if took < 100*time.Millisecond || took > 5*time.Second {
		t.Fatalf("write failed after %v, want about the busy timeout (150ms)", took)
	}
	if _, err := s.Lock(ctx, "l", time.Minute); err == nil {
		t.Fatal("Lock succeeded while another process holds the write lock")
	}
	// Reads go on meanwhile (WAL).
	if _, err := s.Get(ctx, key1); err != nil {
		t.Fatalf("read while another process writes: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	mustCAS(t, s, key1, 0, backend.Record{State: "a"}, 0)
}

// TestUnmarkAndClosedStore: Unmark frees a name; calls on a closed store
// fail with an error instead of panicking.
func TestUnmarkAndClosedStore(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, dbPath(t), Options{SweepInterval: -1})
	mustMark(t, s, "u", 0, true)
	mustMark(t, s, "u", 0, false)
	if err := s.Unmark(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unmark(ctx, "never marked"); err != nil {
		t.Fatalf("Unmark of an unknown name: %v", err)
	}
	mustMark(t, s, "u", 0, true)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Unmark(ctx, "u"); err == nil {
		t.Error("Unmark on a closed store succeeded")
	}
	if err := s.Delete(ctx, key1); err == nil {
		t.Error("Delete on a closed store succeeded")
	}
	if _, err := s.Marked(ctx, "u"); err == nil {
		t.Error("Marked on a closed store succeeded")
	}
	if _, err := s.Sweep(ctx); err == nil {
		t.Error("Sweep on a closed store succeeded")
	}
	if _, err := s.Broadcasts().Create(ctx, broadcast.Campaign{Message: broadcast.Message{Text: "x"}}, []int64{1}, time.Now()); err == nil {
		t.Error("Create on a closed store succeeded")
	}
}

// TestSweeperLogsFailure: a sweep that fails is logged, and the sweeper
// keeps running.
func TestSweeperLogsFailure(t *testing.T) {
	var buf syncBuffer
	s := openAt(t, dbPath(t), Options{SweepInterval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if _, err := s.w.Exec("DROP TABLE marks"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "sweep failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep failure logged; log: %q", buf.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestBroadcastBadData: a Finish with an unknown status is refused, a
// campaign whose stored message is not valid JSON is an error (not a
// zero message), and an unknown recipient is ErrNotFound.
func TestBroadcastBadData(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	b := s.Broadcasts()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := b.Create(ctx, broadcast.Campaign{Message: broadcast.Message{Text: "hi"}}, []int64{1, 2}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, c.ID, broadcast.Recipient{Chat: 1, Status: "delivered"}, now); err == nil || !strings.Contains(err.Error(), "invalid status") {
		t.Fatalf("Finish with an unknown status: %v", err)
	}
	if err := b.Finish(ctx, c.ID, broadcast.Recipient{Chat: 99, Status: broadcast.Sent}, now); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("Finish of an unknown chat: %v", err)
	}
	if err := b.Finish(ctx, c.ID+1, broadcast.Recipient{Chat: 1, Status: broadcast.Sent}, now); !errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("Finish in an unknown campaign: %v", err)
	}
	if p, err := b.Progress(ctx, c.ID); err != nil || p != (broadcast.Progress{Total: 2, Pending: 2}) {
		t.Fatalf("progress after refused writes: %+v, %v", p, err)
	}
	if _, err := s.w.Exec(`UPDATE broadcast_campaigns SET message = '{"text": 5' WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Campaign(ctx, c.ID); err == nil || errors.Is(err, broadcast.ErrNotFound) {
		t.Fatalf("Campaign with a corrupt message: %v", err)
	}
	if _, err := b.Campaigns(ctx); err == nil {
		t.Fatal("Campaigns with a corrupt message succeeded")
	}
	if _, err := b.Progress(ctx, c.ID); err == nil {
		t.Fatal("Progress of a campaign with a corrupt message succeeded")
	}
	if _, err := b.Create(ctx, broadcast.Campaign{Message: broadcast.Message{Text: "x", Buttons: [][]broadcast.Button{{{Text: "b"}}}}}, []int64{1}, now); err == nil {
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
	c, err := b.Create(ctx, broadcast.Campaign{Name: "none", Message: broadcast.Message{PhotoFileID: "AgAD"}}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 0 {
		t.Fatalf("Total %d", c.Total)
	}
	if p, err := b.Progress(ctx, c.ID); err != nil || p != (broadcast.Progress{}) {
		t.Fatalf("progress of an empty campaign: %+v, %v", p, err)
	}
	if _, ok, err := b.Lease(ctx, c.ID, "", "a", now.Add(time.Minute), now); !ok || err != nil {
		t.Fatalf("take: %v %v", ok, err)
	}
	if l, ok, err := b.Lease(ctx, c.ID, "b", "", time.Time{}, now); ok || err != nil || l.Owner != "a" {
		t.Fatalf("release by a non-holder: %+v %v %v", l, ok, err)
	}
	l, ok, err := b.Lease(ctx, c.ID, "a", "", now.Add(time.Hour), now)
	if !ok || err != nil || l != (broadcast.Lease{}) || !l.Free(now) {
		t.Fatalf("release by the holder: %+v %v %v", l, ok, err)
	}
}
