package journal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// MetaReceived is the Meta key under which a Receiver records when it
// received an update (Unix milliseconds), so workers can measure the
// whole delay from receiver to handler.
const MetaReceived = "received"

// ReceiverConfig configures a Receiver. Key is required; the other zero
// fields take the defaults given on each.
type ReceiverConfig struct {
	// Key returns an update's scheduling key (its chat): entries with one
	// key are handled in order, one at a time.
	Key func(*tg.Update) int64
	// MaxLength bounds the entries appended and not yet acknowledged
	// (default 100,000). Beyond it a poller waits before its next
	// getUpdates and a webhook answers 503 with Retry-After: Telegram
	// then keeps the updates until the workers catch up.
	MaxLength int64
	// Inject adds to an entry's Meta what should follow the update to its
	// worker, such as a trace context; ctx is the receiving request's or
	// poll's. Nil adds nothing beyond MetaReceived.
	Inject func(ctx context.Context, u *tg.Update, meta map[string]string)
	// AppendTimeout bounds one Append of a webhook's update (default 5 s).
	AppendTimeout time.Duration
	// Logger receives the receiver's logs (default slog.Default()).
	Logger *slog.Logger
}

// Receiver stores updates in a journal: it is the source.BatchSink of a
// poller (one Append per getUpdates batch) and the source.Sink of a
// webhook (one Append per update). Its Ack is called as soon as the update
// is in the journal, so the source confirms it at once; workers handle it
// later. Create it with NewReceiver.
type Receiver struct {
	j   backend.Journal
	cfg ReceiverConfig
	log *slog.Logger

	mu      sync.Mutex
	length  int64     // the journal's Len at lenAt, plus what was appended since
	lenAt   time.Time // zero: unknown
	waiting bool      // a full journal was logged
}

var _ source.BatchSink = (*Receiver)(nil)

// lengthTTL is how long a Len result is trusted before asking again.
const lengthTTL = 250 * time.Millisecond

// NewReceiver returns a Receiver appending to j. It panics if j or
// cfg.Key is nil.
func NewReceiver(j backend.Journal, cfg ReceiverConfig) *Receiver {
	if j == nil || cfg.Key == nil {
		panic("journal: NewReceiver needs a journal and a Key function")
	}
	if cfg.MaxLength <= 0 {
		cfg.MaxLength = 100_000
	}
	if cfg.AppendTimeout <= 0 {
		cfg.AppendTimeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Receiver{j: j, cfg: cfg, log: cfg.Logger}
}

// ErrJournalFull is returned (wrapped, matching source.ErrFull too) when
// the journal holds MaxLength entries not yet acknowledged.
var ErrJournalFull = errors.New("journal: the journal is full; workers are behind")

// SubmitBatch appends ups in one Append, after waiting while the journal
// is full.
func (r *Receiver) SubmitBatch(ctx context.Context, ups []*tg.Update) error {
	for {
		full, err := r.full(ctx)
		if err != nil {
			return err
		}
		if !full {
			break
		}
		if err := backoff.Sleep(ctx, lengthTTL); err != nil {
			return err
		}
	}
	return r.append(ctx, ups)
}

// Submit appends u and acknowledges it at once; it waits while the
// journal is full.
func (r *Receiver) Submit(ctx context.Context, u *tg.Update, ack source.Ack) error {
	if err := r.SubmitBatch(ctx, []*tg.Update{u}); err != nil {
		return err
	}
	ack(nil, nil)
	return nil
}

// TrySubmit appends u and acknowledges it at once, or fails with
// source.ErrFull when the journal is full.
func (r *Receiver) TrySubmit(u *tg.Update, ack source.Ack) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.AppendTimeout)
	defer cancel()
	full, err := r.full(ctx)
	if err != nil {
		return err
	}
	if full {
		return fmt.Errorf("%w: %w", source.ErrFull, ErrJournalFull)
	}
	if err := r.append(ctx, []*tg.Update{u}); err != nil {
		return err
	}
	ack(nil, nil)
	return nil
}

// append encodes and appends ups.
func (r *Receiver) append(ctx context.Context, ups []*tg.Update) error {
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	es := make([]backend.JournalEntry, len(ups))
	for i, u := range ups {
		b, err := json.Marshal(u)
		if err != nil {
			return fmt.Errorf("journal: encoding update %d: %w", u.UpdateID, err)
		}
		meta := map[string]string{MetaReceived: now}
		if r.cfg.Inject != nil {
			r.cfg.Inject(ctx, u, meta)
		}
		es[i] = backend.JournalEntry{UpdateID: u.UpdateID, Key: r.cfg.Key(u), Update: b, Meta: meta}
	}
	n, err := r.j.Append(ctx, es)
	if err != nil {
		return fmt.Errorf("journal: append: %w", err)
	}
	r.mu.Lock()
	r.length += int64(n)
	r.mu.Unlock()
	if n < len(es) {
		r.log.DebugContext(ctx, "journal: copies of updates already in the journal skipped", "skipped", len(es)-n)
	}
	return nil
}

// full reports whether the journal holds MaxLength entries, asking it
// at most every lengthTTL.
func (r *Receiver) full(ctx context.Context) (bool, error) {
	r.mu.Lock()
	fresh := !r.lenAt.IsZero() && time.Since(r.lenAt) < lengthTTL
	n := r.length
	r.mu.Unlock()
	if !fresh {
		var err error
		if n, err = r.j.Len(ctx); err != nil {
			return false, fmt.Errorf("journal: length: %w", err)
		}
		r.mu.Lock()
		r.length, r.lenAt = n, time.Now()
		r.mu.Unlock()
	}
	full := n >= r.cfg.MaxLength
	r.mu.Lock()
	logNow := full != r.waiting
	r.waiting = full
	r.mu.Unlock()
	switch {
	case logNow && full:
		r.log.Warn("journal: full; receiving slows down until workers catch up", "length", n, "max", r.cfg.MaxLength)
	case logNow:
		r.log.Info("journal: below its bound again; receiving resumes", "length", n)
	}
	return full, nil
}
