package herald

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// DefaultErrorReply is what a user is told when a handler fails.
const DefaultErrorReply = "Sorry, something went wrong. Please try again."

// Bot receives updates and runs them through its root Router.
type Bot struct {
	healthState
	client   *tg.Client
	root     *Router
	services map[reflect.Type]any
	log      *slog.Logger
	username string

	errorReply string
	onError    func(c *Context, err error)
	clientOpts []tg.Option
	run        runConfig

	scratch sync.Pool
	coord   coordination
	runState

	backend    backend.Backend // WithBackend; nil: everything in process
	fsmStorage backend.State
	fsmConfig  FSMConfig
	fsmSet     bool // WithFSM was given
	outbound   outboundConfig
	jrn        journalConfig
	tracer     trace.Tracer // WithTracerProvider; nil: no traces
	// updateSpans names the update spans, by kind bit (WithTracerProvider).
	updateSpans [kindCount]string
}

// Option configures a Bot.
type Option func(*Bot) error

// New returns a bot for the token. Options set the client, services,
// logging, error handling and how updates are received (see Run).
func New(token string, opts ...Option) (*Bot, error) {
	b := &Bot{
		root:       NewRouter("root"),
		services:   map[reflect.Type]any{},
		log:        slog.Default(),
		errorReply: DefaultErrorReply,
		run:        defaultRunConfig(),
	}
	b.scratch.New = func() any { return new(scratch) }
	b.coord.claims = newLocalClaims()
	b.sink.b = b
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(b); err != nil {
			return nil, err
		}
	}
	botID, err := tg.BotIDOf(token)
	if err != nil {
		return nil, fmt.Errorf("herald: %w", err)
	}
	if b.fsmSet && b.fsmStorage == nil && b.backend == nil {
		return nil, errors.New("herald: WithFSM(nil, …) keeps the state of WithBackend, and there is no WithBackend")
	}
	b.applyBackend(botID)
	if b.tracer != nil && b.fsmStorage != nil {
		b.fsmStorage = tracedState{State: b.fsmStorage, tracer: b.tracer}
	}
	b.log = slog.New(LogHandler(b.log.Handler()))
	if err := b.applyJournal(); err != nil {
		return nil, err
	}
	c, err := tg.New(token, append(b.outboundOptions(), b.clientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("herald: %w", err)
	}
	b.client = c
	return b, nil
}

// WithClientOptions passes options to the tg.Client: the API URL (for the
// emulator), an *http.Client, Caller middleware such as limiters.
func WithClientOptions(opts ...tg.Option) Option {
	return func(b *Bot) error {
		b.clientOpts = append(b.clientOpts, opts...)
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(b *Bot) error {
		if l == nil {
			return errors.New("herald: WithLogger(nil)")
		}
		b.log = l
		return nil
	}
}

// WithErrorReply sets what the user is told when handling fails; "" sends
// nothing.
func WithErrorReply(text string) Option {
	return func(b *Bot) error {
		b.errorReply = text
		return nil
	}
}

// WithErrorHandler replaces the bot's error handler: it receives the errors
// and recovered panics that no router handled. The default logs them and
// sends the error reply.
func WithErrorHandler(fn func(c *Context, err error)) Option {
	return func(b *Bot) error {
		b.onError = fn
		return nil
	}
}

// Router returns the root router; register handlers on it or include others.
func (b *Bot) Router() *Router { return b.root }

// Client returns the Bot API client.
func (b *Bot) Client() *tg.Client { return b.client }

// Username returns the bot's username, known once Run has called getMe.
func (b *Bot) Username() string { return b.username }

// Logger returns the bot's logger.
func (b *Bot) Logger() *slog.Logger { return b.log }

// Prepare checks dependencies and freezes the routers. Run calls it; call it
// yourself to fail fast in tests or when you feed updates with HandleUpdate.
func (b *Bot) Prepare() error {
	if err := b.checkDependencies(); err != nil {
		return err
	}
	b.root.prepare() // once; later calls only check again
	return nil
}

// HandleUpdate runs one update through the routers and the error path, in
// the calling goroutine, once: a copy whose update id was handled before
// (or is being handled) is skipped, as in Run. Updates built by hand with
// update_id 0 are never taken for copies. It returns the error that
// reached the bot (after the bot's error handler ran), for callers that
// want it; an error matching ErrUnavailable means the update was not
// handled (the infrastructure failed) and should be delivered again. Run
// feeds updates through the scheduler instead, and retries those.
func (b *Bot) HandleUpdate(ctx context.Context, u *tg.Update) error {
	reply, err := b.deliver(ctx, u, b.updateClaim(u), false)
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return b.sendReply(ctx, u, reply, err)
}

// deliver handles one update once: it takes the update's claim (unless
// cl is held already; a copy handled before is skipped), handles the
// update, and finishes the claim, or releases it when the infrastructure
// failed (the error then matches ErrUnavailable). With retry, a failing
// store is tried again with back-off, in webhook mode for at most
// webhookRetryBudget, else until ctx ends.
func (b *Bot) deliver(ctx context.Context, u *tg.Update, cl *claim, retry bool) (*source.Reply, error) {
	if !cl.isHeld() {
		st, err := cl.take(ctx, retry)
		if err != nil {
			return nil, err
		}
		if st == backend.Done {
			b.log.DebugContext(ctx, "skipping an update handled before", "update_id", u.UpdateID)
			return nil, nil
		}
	}
	var deadline time.Time
	if retry && b.run.mode == Webhook && b.jrn.j == nil {
		deadline = time.Now().Add(webhookRetryBudget)
	}
	failures := backoff.Counter{Policy: storeRetry}
	for {
		reply, err := b.handle(ctx, u)
		wait := failures.Next()
		switch {
		case !errors.Is(err, ErrUnavailable):
			cl.finish(ctx, DedupTTL)
			return reply, err
		case !retry || (!deadline.IsZero() && time.Now().Add(wait).After(deadline)) || backoff.Sleep(ctx, wait) != nil:
			cl.release(ctx)
			return nil, err
		}
	}
}

// sendReply sends the call a handler asked for with ReplyInResponse, when
// it cannot travel in a webhook's answer. It returns handlerErr, or the
// send's error when there was none.
func (b *Bot) sendReply(ctx context.Context, u *tg.Update, reply *source.Reply, handlerErr error) error {
	if reply == nil {
		return handlerErr
	}
	if cerr := b.client.Call(ctx, reply.Method, reply.Params, nil); cerr != nil {
		b.log.WarnContext(ctx, "sending the handler's response failed", "update_id", u.UpdateID, "method", reply.Method, "err", cerr)
		if handlerErr == nil {
			return cerr
		}
	}
	return handlerErr
}

// handle runs one update and returns the reply the handler asked for with
// ReplyInResponse, if any, for the caller to send or to put in a webhook's
// answer. A handler's error goes through the error path and is returned;
// a failure of the infrastructure (see ErrUnavailable) skips the error
// path (the update will be handled again) and is returned marked.
func (b *Bot) handle(ctx context.Context, u *tg.Update) (*source.Reply, error) {
	b.root.prepare()
	// A small Context per update (one allocation): handlers pass it as a
	// context.Context to code that may keep it after returning, such as
	// net/http, so it is never reused. Its scratch space is pooled.
	var span trace.Span
	if b.tracer != nil {
		ctx, span = b.startUpdate(ctx, u)
	}
	s := b.scratch.Get().(*scratch)
	c := newContext(ctx, b, u, s)
	unlock, err := b.lockChat(c, u)
	if err == nil {
		_, err = b.root.dispatch(c)
		unlock()
		if err == nil && !c.handled && c.fsmErr != nil {
			err = fmt.Errorf("herald: reading the conversation state: %w", c.fsmErr)
		}
	}
	reply := s.response
	switch {
	case infraFailure(ctx, err):
		err = asUnavailable(err)
		reply = nil
		b.coord.outage.fail(c, b.log, err, "update_id", u.UpdateID)
	case err != nil:
		b.handleError(c, err)
		b.coord.outage.ok(c, b.log)
	default:
		b.coord.outage.ok(c, b.log)
	}
	if span != nil {
		endUpdate(span, s.route, err)
	}
	c.scratch = nil
	b.scratch.Put(s)
	return reply, err
}

// handleError is the bot-level error path.
func (b *Bot) handleError(c *Context, err error) {
	if b.onError != nil {
		b.onError(c, err)
		return
	}
	attrs := []any{"update_id", c.Update.UpdateID, "kind", c.kind.String(), "err", err}
	chat := c.Chat()
	if chat != nil {
		attrs = append(attrs, "chat_id", chat.ID)
	}
	if pe, ok := errors.AsType[*PanicError](err); ok {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	b.log.ErrorContext(c, "handler failed", attrs...)
	if b.errorReply == "" || c.Err() != nil {
		return
	}
	var rerr error
	if c.kind == KindCallbackQuery {
		rerr = c.AnswerWith(tg.AnswerCallbackQueryParams{Text: b.errorReply})
	} else if chat != nil {
		_, rerr = c.Reply(b.errorReply)
	}
	if rerr != nil {
		b.log.WarnContext(c, "could not send the error reply", "update_id", c.Update.UpdateID, "err", rerr)
	}
}
