package journal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/sched"
)

// Handler handles one journal entry. It returns nil when the entry is
// done (its handler ran, even if the handler reported an error to the
// user): the entry is then acknowledged. An error wrapping ErrBury sends
// the entry to the dead letters. Any other error means the entry was not
// handled (the bot's infrastructure failed, the worker is stopping): it
// stays in the journal and is delivered again to the partition's next
// owner.
type Handler func(ctx context.Context, e *backend.JournalEntry) error

// ErrBury, wrapped in a Handler's error, moves the entry to the dead
// letters at once: it can never be handled (it cannot be decoded, say).
var ErrBury = errors.New("journal: entry cannot be handled")

// Scheduler runs tasks one at a time per key, in submission order
// (sched.Scheduler[int64] is one). Submit blocks while it is full.
type Scheduler interface {
	Submit(ctx context.Context, key int64, task sched.Task) error
}

// WorkerConfig configures a Worker. The zero value uses the defaults given
// on each field.
type WorkerConfig struct {
	// Owner names the worker in the journal; unique per process (default
	// a random name).
	Owner string
	// Lease is how long a partition stays the worker's without a renewal
	// (default 5 s; renewed every third of it). A worker that dies hands
	// its partitions over about this long later.
	Lease time.Duration
	// MaxDeliveries sends an entry to the dead letters once it was
	// delivered this many times without being acknowledged (default 5):
	// an update whose handling kills every worker it reaches.
	MaxDeliveries int
	// Batch is the most entries one Read returns (default 100).
	Batch int
	// Wait is how long one Read waits for new entries (default 1 s).
	Wait time.Duration
	// DrainTimeout bounds how long Run, once its context ended, waits for
	// the entries it handed to the scheduler to finish before it gives
	// its partitions up (default 15 s; the bot sets it from its shutdown
	// timeout).
	DrainTimeout time.Duration
	// Logger receives the worker's logs (default slog.Default()).
	Logger *slog.Logger
}

func (c *WorkerConfig) setDefaults() {
	if c.Owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		c.Owner = "worker-" + hex.EncodeToString(b[:])
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Second
	}
	if c.MaxDeliveries <= 0 {
		c.MaxDeliveries = 5
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.Wait <= 0 {
		c.Wait = time.Second
	}
	c.Wait = min(c.Wait, c.Lease/5)
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 15 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Worker consumes a journal: it takes its share of the partitions (a
// lease each, renewed while it runs), hands their entries to a scheduler
// in journal order, and acknowledges each entry after its handler
// finished. Create it with NewWorker and run it with Run.
type Worker struct {
	j   backend.Journal
	cfg WorkerConfig
	log *slog.Logger

	mu      sync.Mutex
	parts   map[int]*partition
	idle    chan struct{} // made by a waiting drain, closed by the next settle
	members []string      // the last membership seen
}

// partition is the worker's view of one partition it owns.
type partition struct {
	p        int
	valid    time.Time // the lease surely runs until then (our clock)
	inFlight int       // entries handed to the scheduler, not yet settled
	leaving  bool      // being handed over: not read any more
	lost     bool      // the lease ran out: its entries are someone else's
}

// NewWorker returns a worker on j. It panics if j is nil.
func NewWorker(j backend.Journal, cfg WorkerConfig) *Worker {
	if j == nil {
		panic("journal: NewWorker: nil journal")
	}
	cfg.setDefaults()
	return &Worker{j: j, cfg: cfg, log: cfg.Logger, parts: make(map[int]*partition)}
}

// Owner returns the worker's name in the journal.
func (w *Worker) Owner() string { return w.cfg.Owner }

// Owned returns the partitions the worker owns now.
func (w *Worker) Owned() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []int
	for p, pt := range w.parts {
		if !pt.lost {
			out = append(out, p)
		}
	}
	return out
}

// Run consumes the journal until ctx ends, handing each entry to s under
// its key with a task that calls h. Then it stops reading, waits up to
// DrainTimeout for the entries handed out to finish (the caller drains s
// meanwhile), and gives its partitions up, so that another worker takes
// them over at once with what is left. It returns nil after a graceful
// stop.
func (w *Worker) Run(ctx context.Context, s Scheduler, h Handler) error {
	if s == nil || h == nil {
		return errors.New("journal: Worker.Run needs a scheduler and a handler")
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	acks := newAcker(w)
	var wg sync.WaitGroup
	wg.Go(func() { acks.run(bg) })
	wg.Go(func() { w.keepLeases(bg) })
	w.log.Info("journal: worker started", "owner", w.cfg.Owner, "partitions", w.j.Partitions())

	w.consume(ctx, s, h, acks)

	drained := w.drain(w.cfg.DrainTimeout)
	acks.close(5 * time.Second)
	stopBG()
	wg.Wait()
	w.leave(context.WithoutCancel(ctx))
	if !drained {
		w.log.Warn("journal: entries still running at the drain deadline; they are delivered again to the next owner")
	}
	w.log.Info("journal: worker stopped", "owner", w.cfg.Owner)
	return nil
}

// consume reads and schedules entries until ctx ends.
func (w *Worker) consume(ctx context.Context, s Scheduler, h Handler, acks *acker) {
	failures := backoff.Counter{Policy: retryPolicy}
	var lastBalance time.Time
	for ctx.Err() == nil {
		// Look at the membership every third of the lease, and at least
		// every 2 s, so that a long lease does not slow a hand-over.
		if time.Since(lastBalance) >= min(w.cfg.Lease/3, 2*time.Second) {
			w.balance(ctx, s, h, acks)
			lastBalance = time.Now()
		}
		ps := w.readable()
		if len(ps) == 0 {
			_ = backoff.Sleep(ctx, w.cfg.Wait)
			continue
		}
		es, err := w.j.Read(ctx, w.cfg.Owner, ps, w.cfg.Batch, w.cfg.Wait)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			d := failures.Next()
			w.log.Warn("journal: read failed; retrying", "err", err, "retry_in", d)
			_ = backoff.Sleep(ctx, d)
			continue
		}
		failures.Reset()
		for i := range es {
			if err := w.submit(ctx, s, h, acks, &es[i]); err != nil {
				return
			}
		}
	}
}

// retryPolicy spaces the retries of a failing journal: 100 ms doubling
// up to 5 s.
var retryPolicy = backoff.Policy{Min: 100 * time.Millisecond, Max: 5 * time.Second}

// readable returns the partitions to read now: owned, not leaving, and
// with a lease that surely outlasts the next Read (so a worker whose
// lease ran out never reads entries that are another's by then).
func (w *Worker) readable() []int {
	deadline := time.Now().Add(w.cfg.Wait + w.cfg.Lease/5)
	w.mu.Lock()
	defer w.mu.Unlock()
	var ps []int
	for p, pt := range w.parts {
		if !pt.lost && !pt.leaving && pt.valid.After(deadline) {
			ps = append(ps, p)
		}
	}
	return ps
}

// submit hands one entry to the scheduler.
func (w *Worker) submit(ctx context.Context, s Scheduler, h Handler, acks *acker, e *backend.JournalEntry) error {
	w.mu.Lock()
	pt := w.parts[e.Partition]
	if pt == nil || pt.lost {
		w.mu.Unlock()
		return nil // not ours any more: its next owner reclaims it
	}
	pt.inFlight++
	w.mu.Unlock()
	task := func(tctx context.Context) {
		w.mu.Lock()
		lost := pt.lost
		w.mu.Unlock()
		if lost {
			w.settle(pt)
			return
		}
		err := h(tctx, e)
		switch {
		case err == nil:
			acks.add(pt, e.Ref())
			return
		case errors.Is(err, ErrBury):
			if berr := w.j.Bury(context.WithoutCancel(tctx), e.Ref(), err.Error()); berr != nil {
				w.log.Warn("journal: could not bury an entry; it is delivered again later", "update_id", e.UpdateID, "err", berr)
			} else {
				w.log.Error("journal: entry moved to the dead letters", "update_id", e.UpdateID, "reason", err)
			}
		default:
			w.log.Debug("journal: entry not handled; it stays for the next owner", "update_id", e.UpdateID, "err", err)
		}
		w.settle(pt)
	}
	if err := s.Submit(ctx, e.Key, task); err != nil {
		w.settle(pt)
		return fmt.Errorf("journal: scheduling update %d: %w", e.UpdateID, err)
	}
	return nil
}

// settle marks one entry of pt as finished (acknowledged or left).
func (w *Worker) settle(pt *partition) {
	w.mu.Lock()
	pt.inFlight--
	if w.idle != nil { // only a draining Run waits: no channel per entry otherwise
		close(w.idle)
		w.idle = nil
	}
	w.mu.Unlock()
}

// drain waits up to d for every entry handed out to settle.
func (w *Worker) drain(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		w.mu.Lock()
		n := 0
		for _, pt := range w.parts {
			n += pt.inFlight
		}
		if n == 0 {
			w.mu.Unlock()
			return true
		}
		if w.idle == nil {
			w.idle = make(chan struct{})
		}
		idle := w.idle
		w.mu.Unlock()
		select {
		case <-idle:
		case <-t.C:
			return false
		}
	}
}

// leave gives every partition up and removes the worker from the
// membership.
func (w *Worker) leave(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	w.mu.Lock()
	parts := w.parts
	w.parts = make(map[int]*partition)
	w.mu.Unlock()
	for p, pt := range parts {
		if pt.lost {
			continue
		}
		if err := w.j.Disown(ctx, p, w.cfg.Owner); err != nil {
			w.log.Warn("journal: could not give a partition up; it is taken over when its lease ends", "partition", p, "err", err)
		}
	}
	_ = w.j.Announce(ctx, w.cfg.Owner, 0)
}
