package herald

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// DedupTTL is how long an update id is remembered: Telegram keeps updates
// for 24 hours.
const DedupTTL = 24 * time.Hour

// coordination holds the shared-backend helpers a bot may use.
type coordination struct {
	dedup   fsm.Marker
	marker  fsm.Marker
	locker  fsm.Locker
	lockTTL time.Duration
}

// WithDedup skips updates whose update_id was already handled (re-delivered
// after a crash, or by a webhook retry), remembering ids for 24 hours in m
// (memory, SQLite or Redis from the backend packages). When m fails, the
// update is handled anyway (at-least-once) and the failure logged.
func WithDedup(m fsm.Marker) Option {
	return func(b *Bot) error {
		if m == nil {
			return errors.New("herald: WithDedup(nil)")
		}
		b.coord.dedup = m
		if b.coord.marker == nil {
			b.coord.marker = m
		}
		return nil
	}
}

// WithMarker sets the store behind Context.Once (idempotent actions).
func WithMarker(m fsm.Marker) Option {
	return func(b *Bot) error {
		if m == nil {
			return errors.New("herald: WithMarker(nil)")
		}
		b.coord.marker = m
		return nil
	}
}

// WithLocker makes the bot hold a per-chat lock from l while it handles an
// update, so that instances sharing a backend never handle one chat at
// once; ttl is the lease (renewed while held; default 30 s). Use it when
// several instances receive updates for the same bot (webhooks behind a
// load balancer).
func WithLocker(l fsm.Locker, ttl time.Duration) Option {
	return func(b *Bot) error {
		if l == nil {
			return errors.New("herald: WithLocker(nil)")
		}
		if ttl <= 0 {
			ttl = 30 * time.Second
		}
		b.coord.locker, b.coord.lockTTL = l, ttl
		return nil
	}
}

// ErrNoMarker is returned by Once when the bot has no marker (WithMarker or
// WithDedup).
var ErrNoMarker = errors.New("herald: Once needs a marker store (herald.WithMarker)")

// Once runs fn only if no call of Once with the same name ran it before
// (within ttl), in this or any instance sharing the marker store: "confirm
// order 42 once, however often the button is pressed". It reports whether
// fn ran. If fn fails, the name is released so that a later call can try
// again.
func (c *Context) Once(name string, ttl time.Duration, fn func() error) (ran bool, err error) {
	m := c.bot.coord.marker
	if m == nil {
		return false, ErrNoMarker
	}
	first, err := m.Mark(c, "once:"+name, ttl)
	if err != nil {
		return false, fmt.Errorf("herald: once %q: %w", name, err)
	}
	if !first {
		return false, nil
	}
	if err := fn(); err != nil {
		if uerr := m.Unmark(context.WithoutCancel(c), "once:"+name); uerr != nil {
			err = errors.Join(err, fmt.Errorf("herald: once %q: release: %w", name, uerr))
		}
		return true, err
	}
	return true, nil
}

// seenBefore reports whether the update was handled already (dedup). It
// only looks: the update is marked as handled by markHandled, after its
// handler finished, so an update whose handling was interrupted (a crash,
// a shutdown deadline) is handled again when Telegram re-delivers it.
func (b *Bot) seenBefore(ctx context.Context, u *tg.Update) bool {
	m := b.coord.dedup
	if m == nil {
		return false
	}
	name := dedupName(u)
	var seen bool
	var err error
	if mc, ok := m.(fsm.MarkedChecker); ok {
		seen, err = mc.Marked(ctx, name)
	} else {
		// Look by marking, and undo the mark if it was not there.
		var first bool
		if first, err = m.Mark(ctx, name, DedupTTL); err == nil && first {
			err = m.Unmark(ctx, name)
		}
		seen = err == nil && !first
	}
	if err != nil {
		b.log.WarnContext(ctx, "dedup store failed; handling the update anyway", "update_id", u.UpdateID, "err", err)
		return false
	}
	if seen {
		b.log.DebugContext(ctx, "skipping an update handled before", "update_id", u.UpdateID)
	}
	return seen
}

// markHandled records that the update was handled (dedup).
func (b *Bot) markHandled(ctx context.Context, u *tg.Update) {
	if b.coord.dedup == nil || ctx.Err() != nil {
		return // interrupted: let Telegram's re-delivery run it again
	}
	if _, err := b.coord.dedup.Mark(context.WithoutCancel(ctx), dedupName(u), DedupTTL); err != nil {
		b.log.WarnContext(ctx, "dedup store failed to record a handled update", "update_id", u.UpdateID, "err", err)
	}
}

func dedupName(u *tg.Update) string { return "update:" + strconv.FormatInt(u.UpdateID, 10) }

// lockChat takes the update's chat lock when a Locker is configured.
func (b *Bot) lockChat(ctx context.Context, u *tg.Update) (unlock func(), err error) {
	if b.coord.locker == nil {
		return func() {}, nil
	}
	name := "chat:" + strconv.FormatInt(UpdateKey(u), 10)
	l, err := b.coord.locker.Lock(ctx, name, b.coord.lockTTL)
	if err != nil {
		return nil, fmt.Errorf("herald: lock %s: %w", name, err)
	}
	return func() {
		if err := l.Unlock(context.WithoutCancel(ctx)); err != nil {
			b.log.WarnContext(ctx, "unlock failed", "lock", name, "err", err)
		}
	}, nil
}
