package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/internal/backoff"

	"github.com/heraldbot/herald/tg"
)

// PollerConfig configures a Poller. The zero value uses the defaults
// given on each field.
type PollerConfig struct {
	// Timeout is the long-polling timeout sent to getUpdates, in whole
	// seconds (default 30 s; negative or under a second means 0: short
	// polling, which waits RecheckInterval after an empty answer).
	Timeout time.Duration
	// Limit is the most updates one getUpdates returns, 1–100 (default 100).
	Limit int
	// AllowedUpdates lists the update types to receive. nil leaves
	// Telegram's current setting; an empty non-nil slice asks for the
	// default set.
	AllowedUpdates []string
	// DropPendingUpdates drops the updates waiting at start (through
	// deleteWebhook with drop_pending_updates).
	DropPendingUpdates bool
	// DeleteWebhook calls deleteWebhook at start, so that a webhook left
	// set does not make getUpdates fail with 409 Conflict.
	DeleteWebhook bool
	// MinBackoff and MaxBackoff bound the wait after a failed call; it
	// doubles from MinBackoff (default 1 s) to MaxBackoff (default 30 s),
	// with jitter. A 429 waits its retry_after instead.
	MinBackoff, MaxBackoff time.Duration
	// RecheckInterval is how long polling waits before asking again when
	// every update Telegram returned is still being handled (default
	// 500 ms); an ack that moves the offset ends the wait at once. See the
	// package documentation for the trade-off.
	RecheckInterval time.Duration
	// RefetchWait bounds how long polling waits before asking again when
	// the last answer held more updates it had already submitted than new
	// ones (default 20 ms): it waits until half a batch of room is free
	// and the offset moved, so that each getUpdates brings mostly new
	// updates instead of the same in-flight ones again.
	RefetchWait time.Duration
	// Logger receives the poller's logs (default slog.Default()).
	Logger *slog.Logger
}

const (
	maxLimit       = 100
	pollGrace      = 15 * time.Second // HTTP deadline beyond the long-poll timeout
	callTimeout    = 30 * time.Second // deadline of deleteWebhook at start
	commitTimeout  = 5 * time.Second  // deadline of the final confirm call
	defaultTimeout = 30 * time.Second
)

func (c *PollerConfig) setDefaults() {
	switch {
	case c.Timeout == 0:
		c.Timeout = defaultTimeout
	case c.Timeout < 0:
		c.Timeout = 0
	}
	if c.Limit <= 0 || c.Limit > maxLimit {
		c.Limit = maxLimit
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	if c.RecheckInterval <= 0 {
		c.RecheckInterval = 500 * time.Millisecond
	}
	if c.RefetchWait <= 0 {
		c.RefetchWait = 20 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Poller receives updates by long polling (getUpdates) and submits them
// to a Sink. The offset it confirms to Telegram only moves past updates
// whose Ack was called (a low-water mark), so updates not yet handled
// when the process stops are delivered again. Create it with NewPoller.
type Poller struct {
	c   *tg.Client
	cfg PollerConfig
	log *slog.Logger

	running     atomic.Bool
	replyWarned atomic.Bool

	mu        sync.Mutex
	track     offsetTracker
	advanced  chan struct{} // closed and replaced whenever the offset moves
	committed int64         // the offset of the last successful getUpdates
	warnedAt  int64         // oldest update of the last full-window warning
}

// NewPoller returns a Poller calling c with cfg. It panics if c is nil.
func NewPoller(c *tg.Client, cfg PollerConfig) *Poller {
	if c == nil {
		panic("source: NewPoller: nil *tg.Client")
	}
	cfg.setDefaults()
	p := &Poller{c: c, cfg: cfg, log: cfg.Logger, advanced: make(chan struct{})}
	return p
}

var errRunning = errors.New("source: Poller is already running")

// Run polls until ctx is done, submitting updates to sink in update_id
// order. Sink.Submit blocking (a full sink) holds polling back. Failed
// calls are logged and retried with back-off; 409 Conflict (another
// process polls with this token, or a webhook is set) is explained in the
// log and retried, and 429 waits its retry_after.
//
// When ctx is done Run confirms the offset as far as acked updates allow
// (one short getUpdates call) and returns nil. It returns an error at
// once when Telegram rejects the token (401 Unauthorized or 404 Not
// Found: retrying cannot help) or sink is nil. Run may be called again
// after it returned, continuing from the same offset, but not
// concurrently.
func (p *Poller) Run(ctx context.Context, sink Sink) error {
	if sink == nil {
		return errors.New("source: Poller.Run: nil Sink")
	}
	if !p.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer p.running.Store(false)
	p.log.Info("source: long polling started", "limit", p.cfg.Limit, "timeout", p.cfg.Timeout)
	if err := p.run(ctx, sink); err != nil {
		p.log.Error("source: long polling stopped", "error", err)
		return err
	}
	_ = p.commit(ctx)
	p.log.Info("source: long polling stopped")
	return nil
}

// Commit confirms to Telegram every update acked so far, with one
// getUpdates call (limit 1, timeout 0) bounded by a short deadline. Run
// does this itself when it returns; call Commit after Run returned and
// the sink finished the updates still in flight, so that a restart does
// not deliver those again. It returns an error while Run is running.
func (p *Poller) Commit(ctx context.Context) error {
	if p.running.Load() {
		return errRunning
	}
	return p.commit(ctx)
}

// Offset is the offset the next getUpdates will send: the oldest update
// not yet acked, or one past the highest update submitted.
func (p *Poller) Offset() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.track.offset()
}

func (p *Poller) run(ctx context.Context, sink Sink) error {
	// Waits double from MinBackoff to MaxBackoff, each drawn from the
	// upper half of its delay so that many pollers do not retry in step.
	bo := backoff.Counter{Policy: backoff.Policy{Min: p.cfg.MinBackoff, Max: p.cfg.MaxBackoff, Jitter: backoff.Equal}}
	if p.cfg.DeleteWebhook || p.cfg.DropPendingUpdates {
		if err := p.deleteWebhook(ctx, &bo); err != nil || ctx.Err() != nil {
			return err
		}
	}
	params := tg.GetUpdatesParams{
		Limit:          int64(p.cfg.Limit),
		Timeout:        int64(p.cfg.Timeout / time.Second),
		AllowedUpdates: p.cfg.AllowedUpdates,
	}
	for ctx.Err() == nil {
		params.Offset = p.Offset()
		callCtx, cancel := context.WithTimeout(ctx, p.cfg.Timeout+pollGrace)
		ups, known, err := p.fetch(callCtx, sink, &params)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if isFatal(err) {
				return fmt.Errorf("source: getUpdates: %w", err)
			}
			_ = backoff.Sleep(ctx, p.retryWait(&bo, err, "getUpdates"))
			continue
		}
		p.mu.Lock()
		p.committed = max(p.committed, params.Offset)
		p.mu.Unlock()

		fresh, err := p.submit(ctx, sink, ups, params.Offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d := bo.Next()
			p.log.Warn("source: sink refused an update; retrying", "error", err, "retry_in", d)
			_ = backoff.Sleep(ctx, d)
			continue
		}
		bo.Reset()
		known += len(ups) - fresh
		switch {
		case known > 0 && fresh == 0:
			p.waitAdvance(ctx, params.Offset, known)
			p.waitRoom(ctx, params.Offset)
		case known > 0 || fresh > p.cfg.Limit/2:
			p.waitRoom(ctx, params.Offset)
		case len(ups) == 0 && params.Timeout == 0:
			// Short polling answers at once: without a pause an idle bot
			// would ask as fast as the network allows.
			_ = backoff.Sleep(ctx, p.cfg.RecheckInterval)
		}
	}
	return nil
}

// fetch calls getUpdates. When the answer will repeat updates submitted
// before (some are held in flight past the offset) and the sink is not a
// BatchSink, those are only counted in known, not decoded.
func (p *Poller) fetch(ctx context.Context, sink Sink, params *tg.GetUpdatesParams) (ups []tg.Update, known int, err error) {
	p.mu.Lock()
	span := p.track.span()
	p.mu.Unlock()
	if _, batch := sink.(BatchSink); batch || span == 0 {
		ups, err = p.c.GetUpdates(ctx, *params)
		return ups, 0, err
	}
	r := tg.UpdateBatch{Skip: func(id int64) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.track.submitted(id)
	}}
	if err := p.c.Call(ctx, "getUpdates", params, &r); err != nil {
		return nil, 0, err
	}
	return r.Updates, r.Skipped, nil
}

// waitRoom is called when the next poll would bring back updates
// submitted before (the last one did, or it submitted more than half a
// batch): asking again at once would fetch the same updates again for
// little news. It waits until the offset moved and at most half a batch
// of submitted updates is left above it, or RefetchWait passes.
func (p *Poller) waitRoom(ctx context.Context, offset int64) {
	t := time.NewTimer(p.cfg.RefetchWait)
	defer t.Stop()
	for {
		p.mu.Lock()
		if p.track.offset() != offset && p.track.span() <= p.cfg.Limit/2 {
			p.mu.Unlock()
			return
		}
		ch := p.advanced
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-t.C:
			return
		}
	}
}

// deleteWebhook calls deleteWebhook until it succeeds or ctx is done.
func (p *Poller) deleteWebhook(ctx context.Context, bo *backoff.Counter) error {
	for {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		_, err := p.c.DeleteWebhook(callCtx, tg.DeleteWebhookParams{DropPendingUpdates: p.cfg.DropPendingUpdates})
		cancel()
		switch {
		case err == nil:
			p.log.Info("source: webhook deleted before polling", "drop_pending_updates", p.cfg.DropPendingUpdates)
			bo.Reset()
			return nil
		case ctx.Err() != nil:
			return nil
		case isFatal(err):
			return fmt.Errorf("source: deleteWebhook: %w", err)
		}
		_ = backoff.Sleep(ctx, p.retryWait(bo, err, "deleteWebhook"))
	}
}

// submit hands the new updates of a batch to sink in update_id order and
// returns how many it submitted. Updates submitted before (fetched again
// because the offset could not move past them) are skipped.
func (p *Poller) submit(ctx context.Context, sink Sink, ups []tg.Update, offset int64) (int, error) {
	if !slices.IsSortedFunc(ups, byUpdateID) {
		slices.SortStableFunc(ups, byUpdateID)
	}
	if len(ups) > 0 && offset > 0 && ups[0].UpdateID < offset {
		// Telegram never returns an update below the offset it was sent,
		// unless its update_id sequence started again from a new random
		// number (after a week without updates).
		p.mu.Lock()
		ok := p.track.restart()
		if ok {
			p.committed = 0
		}
		p.mu.Unlock()
		p.log.Warn("source: update_id sequence restarted below the offset", "offset", offset, "update_id", ups[0].UpdateID, "accepted", ok)
	}
	if bs, ok := sink.(BatchSink); ok {
		return p.submitBatch(ctx, bs, ups)
	}
	fresh := 0
	for i := range ups {
		u := &ups[i]
		p.mu.Lock()
		ok := p.track.begin(u.UpdateID)
		p.mu.Unlock()
		if !ok {
			continue
		}
		if err := sink.Submit(ctx, u, p.ackFunc(u.UpdateID)); err != nil {
			p.mu.Lock()
			p.track.abort(u.UpdateID)
			p.mu.Unlock()
			return fresh, err
		}
		fresh++
	}
	return fresh, nil
}

// submitBatch hands the new updates of a batch to a BatchSink in one
// call and, once it stored them, marks them all handled: the next
// getUpdates confirms them.
func (p *Poller) submitBatch(ctx context.Context, sink BatchSink, ups []tg.Update) (int, error) {
	fresh := make([]*tg.Update, 0, len(ups))
	p.mu.Lock()
	for i := range ups {
		if p.track.begin(ups[i].UpdateID) {
			fresh = append(fresh, &ups[i])
		}
	}
	p.mu.Unlock()
	if len(fresh) == 0 {
		return 0, nil
	}
	err := sink.SubmitBatch(ctx, fresh)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		for i := len(fresh) - 1; i >= 0; i-- {
			p.track.abort(fresh[i].UpdateID)
		}
		return 0, err
	}
	advanced := false
	for _, u := range fresh {
		advanced = p.track.ack(u.UpdateID) || advanced
	}
	if advanced {
		close(p.advanced)
		p.advanced = make(chan struct{})
	}
	return len(fresh), nil
}

func byUpdateID(a, b tg.Update) int { return cmp.Compare(a.UpdateID, b.UpdateID) }

// ackFunc returns the Ack of update id: the first call marks it handled
// and wakes a poller waiting for the offset to move, or, with an error,
// marks it failed so that it is submitted again.
func (p *Poller) ackFunc(id int64) Ack {
	var once atomic.Bool
	return func(r *Reply, err error) {
		if !once.CompareAndSwap(false, true) {
			return
		}
		if err != nil {
			// Not handled: the offset stays before it, and the next
			// getUpdates that returns it submits it again.
			p.mu.Lock()
			p.track.fail(id)
			p.mu.Unlock()
			p.log.Debug("source: update not handled; it will be submitted again", "update_id", id, "error", err)
			return
		}
		if r != nil && p.replyWarned.CompareAndSwap(false, true) {
			p.log.Warn("source: long polling cannot answer with a Reply; it was dropped (send it with the client; logged once)",
				"update_id", id, "method", r.Method)
		}
		p.mu.Lock()
		if p.track.ack(id) {
			close(p.advanced)
			p.advanced = make(chan struct{})
		}
		p.mu.Unlock()
	}
}

// waitAdvance is called when a poll with offset returned n updates, all
// still in flight: asking again at once would return the same updates
// (a busy loop). It waits until the offset moves, ctx is done or
// RecheckInterval passes.
func (p *Poller) waitAdvance(ctx context.Context, offset int64, n int) {
	p.mu.Lock()
	if p.track.offset() != offset {
		p.mu.Unlock()
		return
	}
	ch := p.advanced
	oldest, inFlight := p.track.oldest(), p.track.inFlight()
	warn := n >= p.cfg.Limit && p.warnedAt != oldest
	if warn {
		p.warnedAt = oldest
	}
	p.mu.Unlock()
	if warn {
		p.log.Warn("source: an unfinished update holds the polling offset; no update beyond the next "+
			"getUpdates limit can be fetched until it is acked",
			"update_id", oldest, "in_flight", inFlight, "limit", p.cfg.Limit)
	}
	t := time.NewTimer(p.cfg.RecheckInterval)
	defer t.Stop()
	select {
	case <-ch:
	case <-ctx.Done():
	case <-t.C:
	}
}

// commit confirms the acked updates with a getUpdates limited to one
// update and no waiting, unless Telegram already has that offset.
func (p *Poller) commit(ctx context.Context) error {
	p.mu.Lock()
	off, done := p.track.offset(), p.committed
	p.mu.Unlock()
	if off == 0 || off <= done {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if _, err := p.c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: off, Limit: 1}); err != nil {
		p.log.Warn("source: could not confirm the offset; unconfirmed updates will be delivered again",
			"offset", off, "error", err)
		return fmt.Errorf("source: confirming offset %d: %w", off, err)
	}
	p.mu.Lock()
	p.committed = max(p.committed, off)
	p.mu.Unlock()
	p.log.Info("source: offset confirmed", "offset", off)
	return nil
}
