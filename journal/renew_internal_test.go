package journal

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
)

// gatedJournal holds each Own call until the test lets it through.
type gatedJournal struct {
	backend.Journal
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedJournal) Own(ctx context.Context, p int, owner string, lease time.Duration) (bool, error) {
	g.entered <- struct{}{}
	<-g.gate
	return g.Journal.Own(ctx, p, owner, lease)
}

// TestRenewDoesNotRetakeAReleasedPartition: a lease renewal that was in
// flight while the worker handed the partition over (balance forgot it
// and gave its lease up) must not leave the lease taken again. Own takes
// a free lease as well as renewing one, so the renewal took it back, and
// the worker, no longer counting it as its own, never gave it up: the
// next owner waited for the lease to run out (seen in the shop's
// TestFleetJournal as a partition still owned after every worker left).
func TestRenewDoesNotRetakeAReleasedPartition(t *testing.T) {
	ctx := t.Context()
	mem := memory.NewJournal(2)
	g := &gatedJournal{Journal: mem, entered: make(chan struct{}), gate: make(chan struct{})}
	w := NewWorker(g, WorkerConfig{Owner: "a", Lease: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	if ok, err := mem.Own(ctx, 0, "a", time.Minute); err != nil || !ok {
		t.Fatalf("Own = %v, %v", ok, err)
	}
	w.parts[0] = &partition{p: 0, valid: time.Now().Add(time.Minute)}

	done := make(chan struct{})
	go func() { w.renew(ctx); close(done) }()
	<-g.entered // the renewal counts partition 0 as owned and is about to renew it
	w.mu.Lock()
	delete(w.parts, 0) // balance hands it over
	w.mu.Unlock()
	if err := mem.Disown(ctx, 0, "a"); err != nil {
		t.Fatal(err)
	}
	close(g.gate)
	<-done

	if ok, err := mem.Own(ctx, 0, "b", time.Minute); err != nil || !ok {
		t.Fatalf("after the handover, another worker's Own = %v, %v; want the partition free", ok, err)
	}
	if got := w.Owned(); len(got) != 0 {
		t.Fatalf("worker owns %v, want nothing", got)
	}
}
