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

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/journal"
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
		// An update dropped unstarted at the shutdown deadline runs with
		// an ended context: its task then releases its claim and refuses
		// the update, which is not confirmed.
		OnDrop: func(_ int64, task sched.Task) {
			ended, end := context.WithCancel(base)
			end()
			task(ended)
		},
	})
	b.sink.s.Store(s)
	b.log.Info("bot started", "username", me.Username, "mode", string(b.run.mode), "allowed_updates", allowed)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	parts, commit := b.start(runCtx, s, allowed)
	var recvErr error
	select {
	case recvErr = <-parts.first:
	case <-ctx.Done():
	}
	stop()

	// Shut down: no new updates, drain, then confirm what finished. The
	// one shutdown timeout starts now for the handlers and the webhook
	// server alike: handlers still running at the deadline are cancelled,
	// their updates refused (503) and never confirmed.
	b.sink.s.Store(nil)
	b.sink.recv.Store(nil)
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
	if err := parts.wait(); recvErr == nil {
		recvErr = err
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

// runParts are the goroutines of a running bot: its receiver and, with a
// journal, its worker.
type runParts struct {
	first chan error // the first part to end sends its error
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error // the first non-nil error of any part
}

func newRunParts() *runParts { return &runParts{first: make(chan error, 8)} }

// spawn runs f as a part.
func (p *runParts) spawn(f func() error) {
	p.wg.Go(func() {
		err := f()
		p.mu.Lock()
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
		p.first <- err
	})
}

// wait waits for every part and returns the first error.
func (p *runParts) wait() error {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// start starts the bot's receiver (long polling or the webhook) and, with
// a journal, its worker, as the role says. commit, when not nil, confirms
// the last polled updates after the parts ended.
func (b *Bot) start(ctx context.Context, s *sched.Scheduler[int64], allowed []string) (parts *runParts, commit func(context.Context) error) {
	parts = newRunParts()
	var sink source.Sink = &b.sink
	if j := b.jrn.j; j != nil {
		if b.jrn.role != RoleReceiver {
			w := b.newJournalWorker(j)
			parts.spawn(func() error { return w.Run(ctx, s, b.journalHandler()) })
		}
		if b.jrn.role == RoleWorker {
			return parts, nil
		}
		r := b.newJournalReceiver(j)
		b.sink.recv.Store(r)
		sink = r
	}
	switch b.run.mode {
	case Webhook:
		parts.spawn(func() error { return b.runWebhook(ctx, allowed) })
	default:
		cfg := b.run.polling
		cfg.AllowedUpdates = allowed
		if cfg.Logger == nil {
			cfg.Logger = b.log
		}
		p := source.NewPoller(b.client, cfg)
		parts.spawn(func() error { return p.Run(ctx, sink) })
		commit = p.Commit
	}
	return parts, commit
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
		cfg := *wc
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
	serve := wc.Listener != nil || wc.Listen != ""
	var mux *http.ServeMux
	if serve {
		path := wc.Path
		if path == "" {
			path = "/"
		}
		mux = http.NewServeMux()
		mux.Handle(path, b.wrapWebhook(h))
		if path != "/healthz" && path != "/readyz" {
			// Probes for a load balancer or Kubernetes (HealthHandler).
			mux.Handle("GET /healthz", b.HealthHandler())
			mux.Handle("GET /readyz", b.HealthHandler())
		}
		if err := mountRoutes(mux, b.run.routes); err != nil {
			return err
		}
	}
	if wc.URL != "" {
		if err := source.SetWebhook(ctx, b.client, wc.SetWebhookParams(allowed)); err != nil {
			return fmt.Errorf("herald: %w", err)
		}
	}
	if !serve {
		<-ctx.Done() // the handler is mounted elsewhere
		return nil
	}
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
	b    *Bot
	s    atomic.Pointer[sched.Scheduler[int64]]
	recv atomic.Pointer[journal.Receiver] // with a journal: updates go there
}

// errInFlight refuses, in webhook mode, a copy of an update that another
// copy is handling: answered 503, so Telegram delivers it again later and
// then gets 200 once the first copy finished.
var errInFlight = errors.New("herald: another copy of this update is being handled")

// Submit claims the update and queues it, waiting for room (backpressure).
func (k *botSink) Submit(ctx context.Context, u *tg.Update, ack source.Ack) error {
	if r := k.recv.Load(); r != nil {
		return r.Submit(ctx, u, ack)
	}
	s := k.s.Load()
	if s == nil {
		return errNotRunning
	}
	cl, task, err := k.admit(ctx, u, ack)
	if task == nil {
		return err
	}
	if err := s.Submit(ctx, UpdateKey(u), task); err != nil {
		cl.release(ctx)
		return err
	}
	return nil
}

// TrySubmit is Submit failing with source.ErrFull instead of waiting.
func (k *botSink) TrySubmit(u *tg.Update, ack source.Ack) error {
	if r := k.recv.Load(); r != nil {
		return r.TrySubmit(u, ack)
	}
	s := k.s.Load()
	if s == nil {
		return fmt.Errorf("%w: %w", source.ErrFull, errNotRunning)
	}
	// The webhook gives no context here: bound the claim by its lease, so
	// a store that hangs cannot hold the request forever.
	ctx, cancel := context.WithTimeout(context.Background(), ClaimLease)
	defer cancel()
	cl, task, err := k.admit(ctx, u, ack)
	if task == nil {
		return err
	}
	if err := s.TrySubmit(UpdateKey(u), task); err != nil {
		cl.release(ctx)
		if errors.Is(err, sched.ErrFull) {
			return fmt.Errorf("%w: %w", source.ErrFull, err)
		}
		return err
	}
	return nil
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
func (k *botSink) admit(ctx context.Context, u *tg.Update, ack source.Ack) (*claim, sched.Task, error) {
	b := k.b
	cl := b.updateClaim(u)
	if b.run.mode == Webhook {
		st, err := cl.claim(ctx)
		switch {
		case err != nil:
			err = asUnavailable(err)
			b.coord.outage.fail(ctx, b.log, err, "update_id", u.UpdateID)
			return nil, nil, err
		case st == backend.Done:
			b.log.DebugContext(ctx, "skipping an update handled before", "update_id", u.UpdateID)
			ack(nil, nil)
			return nil, nil, nil
		case st == backend.Pending:
			return nil, nil, errInFlight
		}
	}
	return cl, k.task(u, ack, cl), nil
}

// task handles one update and acknowledges it: confirmed when the handler
// finished, even with an error; refused when the infrastructure failed
// and the bot is shutting down (or, in webhook mode, after a few seconds
// of retrying), or when the task starts with its context ended (the
// scheduler dropped it at a hard stop: see Run). An update not claimed
// yet (polling) is claimed first: a copy that finds its claim pending
// waits for it to be finished (then it is confirmed without running) or
// to lapse (then it runs).
func (k *botSink) task(u *tg.Update, ack source.Ack, cl *claim) sched.Task {
	b := k.b
	inline := b.run.mode == Webhook && b.run.webhook.Mode == source.Inline
	return func(ctx context.Context) {
		if ctx.Err() != nil {
			cl.release(ctx)
			ack(nil, asUnavailable(fmt.Errorf("herald: shut down before the update was handled: %w", context.Cause(ctx))))
			return
		}
		reply, err := b.deliver(ctx, u, cl, true)
		if errors.Is(err, ErrUnavailable) {
			ack(nil, err)
			return
		}
		if !inline {
			_ = b.sendReply(ctx, u, reply, err)
			reply = nil
		}
		ack(reply, nil)
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
