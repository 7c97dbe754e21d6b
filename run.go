package herald

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/sched"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// errNotRunning is returned to sources while the bot is not running.
var errNotRunning = errors.New("herald: the bot is not running")

// Run receives updates until ctx is cancelled (long polling by default, or
// a webhook: see WithWebhook and the HERALD_* environment variables), runs
// each through the per-chat scheduler and the routers, then shuts down:
// it stops taking updates, lets handlers in flight finish for up to the
// shutdown timeout (then cancels their context), and confirms to Telegram
// only the updates whose handlers finished, so nothing is lost.
//
// Before the first update Run checks dependencies (see Require) and calls
// getMe; a failure there is returned at once.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.Prepare(); err != nil {
		return err
	}
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("herald: Run is already running")
	}
	defer b.running.Store(false)
	me, err := b.client.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("herald: getMe: %w", err)
	}
	b.username = me.Username
	allowed := b.allowedUpdates()

	// Handlers get a context that survives ctx's cancellation until the
	// drain deadline: shutting down lets them finish.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	s := sched.New(sched.Config[int64]{
		Workers:     b.run.workers,
		MaxQueued:   b.run.maxQueued,
		BaseContext: base,
		OnPanic: func(key int64, v any, stack []byte) {
			b.log.Error("update task panicked", "key", key, "panic", v, "stack", string(stack))
		},
	})
	b.sink.s.Store(s)
	b.log.Info("bot started", "username", me.Username, "mode", string(b.run.mode), "allowed_updates", allowed)

	var commit func(context.Context) error
	recvDone := make(chan error, 1)
	switch b.run.mode {
	case Webhook:
		go func() { recvDone <- b.runWebhook(ctx, allowed) }()
	default:
		cfg := b.run.polling
		cfg.AllowedUpdates = allowed
		if cfg.Logger == nil {
			cfg.Logger = b.log
		}
		p := source.NewPoller(b.client, cfg)
		go func() { recvDone <- p.Run(ctx, &b.sink) }()
		commit = p.Commit
	}
	var recvErr error
	received := false
	select {
	case recvErr = <-recvDone:
		received = true
	case <-ctx.Done():
	}

	// Shut down: no new updates, drain, then confirm what finished. The
	// one shutdown timeout starts now for the handlers and the webhook
	// server alike: handlers still running at the deadline are cancelled,
	// their updates refused (503) and never confirmed.
	b.sink.s.Store(nil)
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.run.shutdownTimeout)
	defer cancel()
	if err := s.Close(drainCtx); err != nil {
		st := s.Stats()
		b.log.Warn("shutdown deadline passed: cancelled the handlers still running; their updates are not confirmed",
			"running", st.Running, "queued", st.Queued)
		// Give the cancelled handlers a moment to return and release
		// their claims, so that the next process need not wait for
		// their leases; a handler that ignores its context is left.
		t := time.NewTimer(stopGrace)
		select {
		case <-s.Done():
		case <-t.C:
			b.log.Warn("handlers still running after their context was cancelled; their claims lapse after the lease",
				"running", s.Stats().Running, "lease", ClaimLease)
		}
		t.Stop()
	}
	if n := b.sink.discard(drainCtx); n > 0 {
		b.log.Warn("shutdown deadline passed: updates never started are not confirmed", "updates", n)
	}
	if !received {
		recvErr = <-recvDone
	}
	if commit != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := commit(cctx); err != nil {
			b.log.Warn("could not confirm the last updates; they will be delivered again", "err", err)
		}
	}
	b.log.Info("bot stopped")
	if recvErr != nil && !errors.Is(recvErr, context.Canceled) {
		return recvErr
	}
	return nil
}

// RunWithSignals is Run until SIGINT or SIGTERM; a second signal during the
// graceful shutdown exits the process at once with status 1.
func (b *Bot) RunWithSignals(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		stop() // the first signal was consumed; listen again
		second := make(chan os.Signal, 1)
		signal.Notify(second, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(second)
		select {
		case <-second:
			b.log.Error("second signal: exiting without waiting for handlers")
			os.Exit(1)
		case <-done:
		}
	}()
	return b.Run(ctx)
}

// allowedUpdates is the configured list, or what the handlers need.
func (b *Bot) allowedUpdates() []string {
	if b.run.allowedUpdates != nil {
		return b.run.allowedUpdates
	}
	return b.root.kinds.AllowedUpdates()
}

// WebhookHandler returns the webhook endpoint as an http.Handler, to mount
// in your own server when WebhookConfig.Listen is empty. It answers 503
// while Run is not running, so Telegram retries.
func (b *Bot) WebhookHandler() http.Handler {
	b.webhookOnce.Do(func() {
		wc := &b.run.webhook
		if wc.SecretToken == "" {
			wc.SecretToken = source.NewSecretToken()
		}
		cfg := wc.Handler
		cfg.SecretToken = wc.SecretToken
		if cfg.Logger == nil {
			cfg.Logger = b.log
		}
		b.webhook = source.NewWebhook(&b.sink, cfg)
	})
	return b.webhook
}

// runWebhook sets the webhook and serves it until ctx is done.
func (b *Bot) runWebhook(ctx context.Context, allowed []string) error {
	h := b.WebhookHandler()
	wc := b.run.webhook
	if wc.URL != "" {
		err := source.SetWebhook(ctx, b.client, source.SetWebhookConfig{
			URL: wc.URL, SecretToken: wc.SecretToken, MaxConnections: wc.MaxConnections,
			AllowedUpdates: allowed, DropPendingUpdates: wc.DropPendingUpdates,
		})
		if err != nil {
			return fmt.Errorf("herald: %w", err)
		}
	}
	if wc.Listener == nil && wc.Listen == "" {
		<-ctx.Done() // the handler is mounted elsewhere
		return nil
	}
	path := wc.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	// The server waits for the requests in flight as long as Run waits for
	// their handlers (plus a moment to write the 503 of those cancelled).
	srv := &source.WebhookServer{Addr: wc.Listen, Handler: mux, TLS: wc.TLS, Logger: b.log,
		ShutdownTimeout: b.run.shutdownTimeout + time.Second}
	if wc.Listener != nil {
		return srv.Serve(ctx, wc.Listener)
	}
	return srv.ListenAndServe(ctx)
}

// botSink feeds updates from a source into the scheduler, keyed by chat.
type botSink struct {
	b *Bot
	s atomic.Pointer[sched.Scheduler[int64]]

	// waiting holds the admitted updates whose task has not started, so
	// that the ones a hard stop discards are released and refused.
	mu      sync.Mutex
	waiting map[*admitted]struct{}
}

// admitted is an update accepted by the sink, until its task starts.
type admitted struct {
	cl      *claim
	ack     source.Ack
	started atomic.Bool
}

// start reports whether the task may run: false once discard took it.
func (k *botSink) start(a *admitted) bool {
	if !a.started.CompareAndSwap(false, true) {
		return false
	}
	k.mu.Lock()
	delete(k.waiting, a)
	k.mu.Unlock()
	return true
}

// discard refuses every admitted update whose task never started (the
// scheduler dropped it at the shutdown deadline, or it was never queued):
// its claim is released and its source told not to confirm it.
func (k *botSink) discard(ctx context.Context) int {
	k.mu.Lock()
	var left []*admitted
	for a := range k.waiting {
		left = append(left, a)
	}
	k.mu.Unlock()
	n := 0
	for _, a := range left {
		if k.start(a) {
			a.cl.release(ctx)
			a.ack(nil, asUnavailable(errors.New("herald: shut down before the update was handled")))
			n++
		}
	}
	return n
}

// errInFlight refuses, in webhook mode, a copy of an update that another
// copy is handling: answered 503, so Telegram delivers it again later and
// then gets 200 once the first copy finished.
var errInFlight = errors.New("herald: another copy of this update is being handled")

// Submit claims the update and queues it, waiting for room (backpressure).
func (k *botSink) Submit(ctx context.Context, u *tg.Update, ack source.Ack) error {
	s := k.s.Load()
	if s == nil {
		return errNotRunning
	}
	a, task, err := k.admit(ctx, u, ack)
	if task == nil {
		return err
	}
	if err := s.Submit(ctx, UpdateKey(u), task); err != nil {
		k.unadmit(ctx, a)
		return err
	}
	return nil
}

// TrySubmit is Submit failing with source.ErrFull instead of waiting.
func (k *botSink) TrySubmit(u *tg.Update, ack source.Ack) error {
	s := k.s.Load()
	if s == nil {
		return fmt.Errorf("%w: %w", source.ErrFull, errNotRunning)
	}
	// The webhook gives no context here: bound the claim by its lease, so
	// a store that hangs cannot hold the request forever.
	ctx, cancel := context.WithTimeout(context.Background(), ClaimLease)
	defer cancel()
	a, task, err := k.admit(ctx, u, ack)
	if task == nil {
		return err
	}
	if err := s.TrySubmit(UpdateKey(u), task); err != nil {
		k.unadmit(ctx, a)
		if errors.Is(err, sched.ErrFull) {
			return fmt.Errorf("%w: %w", source.ErrFull, err)
		}
		return err
	}
	return nil
}

// unadmit forgets an admitted update the scheduler refused (the source
// keeps it: no ack) and releases its claim.
func (k *botSink) unadmit(ctx context.Context, a *admitted) {
	if k.start(a) {
		a.cl.release(ctx)
	}
}

// admit returns the task that handles the update; a nil task means the
// update is not to be scheduled: it was handled before (acked at once) or
// its claim failed (err: refused, not confirmed).
//
// In webhook mode the update is claimed here, before it is scheduled:
// copies reach several instances at once, and a copy must be refused (503)
// without taking a worker. A poller never submits an update twice, so its
// copies only come after a restart; its updates are claimed when their
// task starts instead, so that a process that dies holds only the claims
// of the handlers it was running, not of everything it had fetched, and
// queued updates cost no lease renewals.
func (k *botSink) admit(ctx context.Context, u *tg.Update, ack source.Ack) (*admitted, sched.Task, error) {
	b := k.b
	cl := b.updateClaim(u)
	if b.run.mode == Webhook {
		st, err := cl.claim(ctx)
		switch {
		case err != nil:
			err = asUnavailable(err)
			b.coord.outage.fail(ctx, b.log, u.UpdateID, err)
			return nil, nil, err
		case st == fsm.Done:
			b.log.DebugContext(ctx, "skipping an update handled before", "update_id", u.UpdateID)
			ack(nil, nil)
			return nil, nil, nil
		case st == fsm.Pending:
			return nil, nil, errInFlight
		}
	}
	a := &admitted{cl: cl, ack: ack}
	k.mu.Lock()
	if k.waiting == nil {
		k.waiting = make(map[*admitted]struct{})
	}
	k.waiting[a] = struct{}{}
	k.mu.Unlock()
	return a, k.task(u, a), nil
}

// task handles one update and acknowledges it: confirmed when the handler
// finished, even with an error; refused when the infrastructure failed
// and the bot is shutting down (or, in webhook mode, after a few seconds
// of retrying). An update not claimed yet (polling) is claimed first: a
// copy that finds its claim pending waits for it to be finished (then it
// is confirmed without running) or to lapse (then it runs).
func (k *botSink) task(u *tg.Update, a *admitted) sched.Task {
	ack, cl := a.ack, a.cl
	b := k.b
	inline := b.run.mode == Webhook && b.run.webhook.Handler.Mode == source.Inline
	return func(ctx context.Context) {
		if !k.start(a) {
			return
		}
		if !cl.isHeld() {
			st, err := b.acquire(ctx, cl, u)
			if err != nil {
				ack(nil, err)
				return
			}
			if st == fsm.Done {
				b.log.DebugContext(ctx, "skipping an update handled before", "update_id", u.UpdateID)
				ack(nil, nil)
				return
			}
		}
		reply, err := b.process(ctx, u)
		if errors.Is(err, ErrUnavailable) {
			cl.release(ctx)
			ack(nil, err)
			return
		}
		cl.finish(ctx, DedupTTL)
		if !inline {
			_ = b.sendReply(ctx, u, reply, err)
			reply = nil
		}
		ack(reply, nil)
	}
}

// acquire claims the update, waiting while another copy holds the claim
// and retrying with back-off while the claim store fails, until ctx ends
// (then the error matches ErrUnavailable). It returns fsm.Claimed or
// fsm.Done.
func (b *Bot) acquire(ctx context.Context, cl *claim, u *tg.Update) (fsm.ClaimStatus, error) {
	wait := 100 * time.Millisecond
	for {
		st, err := cl.claim(ctx)
		switch {
		case err == nil && st != fsm.Pending:
			return st, nil // the outage ends when an update goes through
		case err == nil: // pending: another copy holds it
			wait = claimPoll
		default:
			b.coord.outage.fail(ctx, b.log, u.UpdateID, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if err == nil {
				err = fmt.Errorf("herald: waiting for %s, claimed by another copy: %w", cl.name, context.Cause(ctx))
			}
			return 0, asUnavailable(err)
		case <-t.C:
		}
		if err != nil {
			wait = min(2*wait, 5*time.Second)
		}
	}
}

// stopGrace is how long Run waits, after the shutdown deadline cancelled
// the handlers still running, for them to return.
const stopGrace = time.Second

// webhookRetryBudget bounds how long a webhook update is retried after
// infrastructure failures before it is refused (503) for Telegram to
// deliver again; a poller retries until shutdown, holding the chat's
// later updates back so that their order is kept.
const webhookRetryBudget = 5 * time.Second

// process handles the update, retrying with back-off while the
// infrastructure fails.
func (b *Bot) process(ctx context.Context, u *tg.Update) (*source.Reply, error) {
	var deadline time.Time
	if b.run.mode == Webhook {
		deadline = time.Now().Add(webhookRetryBudget)
	}
	wait := 100 * time.Millisecond
	for {
		reply, err := b.handle(ctx, u)
		if !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
			return reply, err
		}
		if !deadline.IsZero() && time.Now().Add(wait).After(deadline) {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// UpdateKey is the scheduling key of an update: its chat id, else its
// sender's id, else its update id. Updates with one key are handled one at a
// time, in order.
func UpdateKey(u *tg.Update) int64 {
	c := Context{Update: u, kind: KindOf(u)}
	if chat := c.Chat(); chat != nil {
		return chat.ID
	}
	if user := c.Sender(); user != nil {
		return user.ID
	}
	return u.UpdateID
}

// runState is the part of Bot that Run owns.
type runState struct {
	running     atomic.Bool
	sink        botSink
	webhookOnce sync.Once
	webhook     http.Handler
}

// Stats returns the scheduler's counters while Run runs (zero otherwise):
// updates queued and running, active chats, totals.
func (b *Bot) Stats() sched.Stats {
	if s := b.sink.s.Load(); s != nil {
		return s.Stats()
	}
	return sched.Stats{}
}
