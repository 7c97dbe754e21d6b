package album

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// Defaults of Config.
const (
	DefaultQuiet = time.Second
	DefaultKeep  = 24 * time.Hour
	DefaultSweep = 30 * time.Second
)

// emptyTTL is how long a chat's record stays once its last album fired.
const emptyTTL = time.Minute

// Config tunes a Collector. The zero Config uses the defaults and the
// bot's engine (herald.WithBackend).
type Config struct {
	// Quiet is how long after an album's latest part the album is taken
	// as complete (DefaultQuiet). Telegram sends the parts back to back;
	// a part that comes later than Quiet after the previous one is handed
	// over in a call of its own. The period runs from when the previous
	// part was handled: where handling one update of a chat can take
	// longer than Quiet (an overloaded engine), raise it.
	Quiet time.Duration
	// Keep bounds how long the parts of an album that never fired (every
	// instance that could fire it stopped and none sweeps) are kept, and
	// how long a fired album is remembered so that no instance hands it
	// over again (DefaultKeep).
	Keep time.Duration
	// Sweep is the period of Run's sweep (DefaultSweep).
	Sweep time.Duration
	// State, if set, keeps the pending parts instead of the engine of
	// herald.WithBackend. Every instance must use the same store. The bot
	// also needs a once-store for Context.Once (herald.WithMarker or
	// herald.WithDedup; WithBackend gives both): without one, each album
	// fails with herald.ErrNoMarker on the bot's error path.
	State backend.State
	// Logger receives the failures of delayed checks (default: the bot's
	// logger).
	Logger *slog.Logger
}

// Handler handles one whole album: its parts in message_id order. c is
// the Context of an update carrying the first part (see Collector).
type Handler func(c *herald.Context, parts []*tg.Message) error

// Collector gathers the parts of albums and hands each album to one
// Handler call, once across every instance sharing the bot's engine. Make
// one per handler with New, register Handler (or use Register), and,
// for the sweep, run Run beside the bot.
type Collector struct {
	cfg Config
	fn  Handler

	ctx    context.Context // of the delayed checks; ended by Stop
	cancel context.CancelFunc
}

// New returns a Collector that calls fn once per album.
func New(cfg Config, fn Handler) *Collector {
	if cfg.Quiet <= 0 {
		cfg.Quiet = DefaultQuiet
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.Sweep <= 0 {
		cfg.Sweep = DefaultSweep
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Collector{cfg: cfg, fn: fn, ctx: ctx, cancel: cancel}
}

// Collect returns the Handler of a new Collector: New(cfg, fn).Handler().
// Use New to run the sweep as well.
func Collect(cfg Config, fn Handler) herald.Handler { return New(cfg, fn).Handler() }

// InAlbum is a filter that passes messages that are part of an album
// (their media_group_id is set).
func InAlbum(c *herald.Context) bool {
	m := c.Message()
	return m != nil && m.MediaGroupID != ""
}

// Register registers the collector's handler on r for the messages,
// channel posts and business messages of albums (filters beyond InAlbum
// may be added).
func (col *Collector) Register(r *herald.Router, filters ...herald.Filter) {
	filters = append([]herald.Filter{InAlbum}, filters...)
	r.Handle(herald.KindMessage|herald.KindChannelPost|herald.KindBusinessMessage, col.Handler(), filters...)
}

// fire marks the context of an update that hands over a batch.
type fire struct {
	col   *Collector
	group string
	first int64
}

type fireKey struct{}

// Handler returns the herald.Handler that stores the parts of albums and
// runs the collector's Handler when one is complete. A message of
// another kind, or without media_group_id, is handed over at once as an
// album of one.
func (col *Collector) Handler() herald.Handler {
	return func(c *herald.Context) error {
		if f, ok := c.Value(fireKey{}).(*fire); ok && f.col == col {
			return col.fire(c, f)
		}
		m := c.Message()
		kind := kindOf(c.Kind())
		if m == nil || m.MediaGroupID == "" || kind == "" {
			if m == nil {
				return fmt.Errorf("album: a %v update has no message", c.Kind())
			}
			return col.fn(c, []*tg.Message{m})
		}
		return col.add(c, kind, m)
	}
}

func kindOf(k herald.UpdateKind) string {
	switch k {
	case herald.KindMessage:
		return kindMessage
	case herald.KindChannelPost:
		return kindChannelPost
	case herald.KindBusinessMessage:
		return kindBusinessMessage
	}
	return ""
}

// ErrNoStore is returned when neither Config.State nor the bot's engine
// (herald.WithBackend) gives a store for the parts.
var ErrNoStore = errors.New("album: no store for the parts: use herald.WithBackend or Config.State")

func (col *Collector) state(b *herald.Bot) (backend.State, error) {
	if col.cfg.State != nil {
		return col.cfg.State, nil
	}
	if e := b.Backend(); e != nil {
		return e.State(), nil
	}
	return nil, ErrNoStore
}

func (col *Collector) logger(b *herald.Bot) *slog.Logger {
	if col.cfg.Logger != nil {
		return col.cfg.Logger
	}
	return b.Logger()
}

func (col *Collector) chatTTL(r *chatRecord) time.Duration {
	if len(r.Batches) == 0 {
		return emptyTTL
	}
	return col.cfg.Keep
}

func (col *Collector) indexTTL(*index) time.Duration { return col.cfg.Keep }

// add stores one part, in the update's turn, and schedules the check that
// hands the album over once it is quiet. A store that fails makes the
// update unavailable (herald.Unavailable): it is delivered again.
func (col *Collector) add(c *herald.Context, kind string, m *tg.Message) error {
	b := c.Bot()
	st, err := col.state(b)
	if err != nil {
		return err
	}
	botID, chat := b.Client().BotID(), m.Chat.ID
	now := time.Now()
	var added, started bool
	rec, err := modify(c, st, chatKey(botID, chat), col.chatTTL, func(r *chatRecord) bool {
		added, started = r.add(kind, m, now)
		return added
	})
	if err != nil {
		return herald.Unavailable(err)
	}
	// A new batch puts the chat in the sweep's index; so does a copy of a
	// part stored before, in case the index write failed the first time.
	if started || !added {
		if _, err := modify(c, st, indexKey(botID), col.indexTTL, func(x *index) bool { return x.put(chat) }); err != nil {
			return herald.Unavailable(err)
		}
	}
	col.schedule(b, chat, col.cfg.Quiet)
	if len(rec.due(now, col.cfg.Quiet)) > 0 {
		// Another album of the chat is overdue: its instance may have died.
		col.schedule(b, chat, 0)
	}
	return nil
}

// schedule checks the chat's albums after d, off the update path.
func (col *Collector) schedule(b *herald.Bot, chat int64, d time.Duration) {
	if col.ctx.Err() != nil {
		return
	}
	time.AfterFunc(d, func() {
		if err := col.check(col.ctx, b, chat); err != nil && col.ctx.Err() == nil {
			col.logger(b).WarnContext(col.ctx, "album: checking a chat's albums failed; trying again", "chat_id", chat, "err", err)
			col.schedule(b, chat, col.cfg.Quiet)
		}
	})
}

// check hands over the chat's albums that are quiet, each through
// b.HandleUpdate (so in the chat's lock, with the bot's middleware), and
// schedules itself again for those that are not. It reports whether the
// chat has no pending albums left.
func (col *Collector) check(ctx context.Context, b *herald.Bot, chat int64) error {
	if ctx.Err() != nil {
		return nil
	}
	st, err := col.state(b)
	if err != nil {
		return err
	}
	rec, _, err := load[chatRecord](ctx, st, chatKey(b.Client().BotID(), chat))
	if err != nil {
		return err
	}
	now := time.Now()
	var errs []error
	for _, bt := range rec.due(now, col.cfg.Quiet) {
		fctx := context.WithValue(ctx, fireKey{}, &fire{col: col, group: bt.Group, first: bt.first()})
		if err := b.HandleUpdate(fctx, bt.update()); errors.Is(err, herald.ErrUnavailable) {
			errs = append(errs, err)
		}
	}
	if at, ok := rec.next(now, col.cfg.Quiet); ok {
		col.schedule(b, chat, at.Sub(now))
	}
	return errors.Join(errs...)
}

// fire hands one batch over, in the chat's turn: it reads the batch
// again, runs the Handler under Context.Once (so that it completes once
// across instances), and removes the parts it handed over.
func (col *Collector) fire(c *herald.Context, f *fire) error {
	b := c.Bot()
	st, err := col.state(b)
	if err != nil {
		return err
	}
	m := c.Message()
	botID, chat := b.Client().BotID(), m.Chat.ID
	key := chatKey(botID, chat)
	rec, _, err := load[chatRecord](c, st, key)
	if err != nil {
		return herald.Unavailable(err)
	}
	bt := rec.find(f.group, f.first)
	if bt == nil {
		return nil // handed over by another check
	}
	now := time.Now()
	if !bt.due(now, col.cfg.Quiet) {
		col.schedule(b, chat, bt.dueAt(col.cfg.Quiet).Sub(now))
		return nil // a part came since the check read the record
	}
	parts := bt.sorted()
	name := "album:" + strconv.FormatInt(botID, 10) + ":" + strconv.FormatInt(chat, 10) + ":" + f.group + ":" + strconv.FormatInt(f.first, 10)
	ran, err := c.Once(name, col.cfg.Keep, func() error { return col.fn(c, parts) })
	if err != nil && !ran && !errors.Is(err, herald.ErrNoMarker) {
		// The once-store failed: keep the parts for the next check.
		return herald.Unavailable(err)
	}
	// Handed over now (err is the Handler's), or before by an instance
	// that stopped before removing the parts, or never possible without
	// a once-store: the parts go.
	ids := make([]int64, len(parts))
	for i, p := range parts {
		ids[i] = p.MessageID
	}
	left, rerr := modify(c, st, key, col.chatTTL, func(r *chatRecord) bool { return r.remove(f.group, ids) })
	if rerr == nil && len(left.Batches) == 0 {
		_, rerr = modify(c, st, indexKey(botID), col.indexTTL, func(x *index) bool { return x.drop(chat) })
	}
	if rerr != nil {
		col.logger(b).WarnContext(c, "album: removing a handed-over album failed; the next check finds it handed over", "chat_id", chat, "err", rerr)
	}
	return err
}

// Sweep checks every chat with pending albums once, handing over those
// that are quiet, and forgets chats with none. Run calls it periodically;
// it finds the albums whose instance stopped before their quiet period
// ended.
func (col *Collector) Sweep(ctx context.Context, b *herald.Bot) error {
	st, err := col.state(b)
	if err != nil {
		return err
	}
	botID := b.Client().BotID()
	x, _, err := load[index](ctx, st, indexKey(botID))
	if err != nil {
		return err
	}
	var errs []error
	for _, chat := range x.Chats {
		if err := col.check(ctx, b, chat); err != nil {
			errs = append(errs, err)
			continue
		}
		rec, _, err := load[chatRecord](ctx, st, chatKey(botID, chat))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(rec.Batches) == 0 {
			errs = append(errs, col.forget(ctx, st, botID, chat))
		}
	}
	return errors.Join(errs...)
}

// forget drops a chat without pending albums from the index, and puts it
// back if an album started in it meanwhile (the sweep holds no chat lock).
func (col *Collector) forget(ctx context.Context, st backend.State, botID, chat int64) error {
	if _, err := modify(ctx, st, indexKey(botID), col.indexTTL, func(x *index) bool { return x.drop(chat) }); err != nil {
		return err
	}
	rec, _, err := load[chatRecord](ctx, st, chatKey(botID, chat))
	if err == nil && len(rec.Batches) > 0 {
		_, err = modify(ctx, st, indexKey(botID), col.indexTTL, func(x *index) bool { return x.put(chat) })
	}
	return err
}

// Run sweeps every Config.Sweep until ctx ends, then stops the collector
// (Stop) and returns nil. Run it beside the bot's Run, with the same bot.
func (col *Collector) Run(ctx context.Context, b *herald.Bot) error {
	defer col.Stop()
	t := time.NewTicker(col.cfg.Sweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := col.Sweep(ctx, b); err != nil && ctx.Err() == nil {
				col.logger(b).WarnContext(ctx, "album: sweep failed", "err", err)
			}
		}
	}
}

// Stop ends the collector's delayed checks, in progress and to come; the
// parts they were due to hand over stay in the store for another
// instance (or a later sweep). Parts that arrive afterwards are still
// stored, but only other instances hand them over.
func (col *Collector) Stop() { col.cancel() }
