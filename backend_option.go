package herald

import (
	"errors"

	"github.com/heraldbot/herald/backend"
)

// WithBackend keeps everything the bot stores in one engine, opened once
// by its package (backend/memory, backend/sqlite, backend/redis,
// backend/postgres):
//
//   - conversation state (c.FSM(), InState), as WithFSM;
//   - update claims, so every update is handled once however often it is
//     delivered to however many instances, as WithDedup;
//   - the claims behind Context.Once, as WithMarker;
//   - per-chat locks with fencing, leased for DefaultLockLease, as
//     WithLocker;
//   - the outbound limiter's buckets and 429 pauses (Backend.Limits), so
//     every instance sharing the engine keeps Telegram's limits together;
//   - broadcast campaigns (Bot.Broadcasts).
//
// The options above, given as well (before or after WithBackend), replace
// the engine for their part only: WithFSM(other, cfg) keeps state
// elsewhere, WithLocker(nil, 0) turns chat locks off, WithLimits with a
// Store uses that store. The bot never closes b; its opener does, after
// Run returned.
func WithBackend(b backend.Backend) Option {
	return func(bot *Bot) error {
		if b == nil {
			return errors.New("herald: WithBackend(nil)")
		}
		bot.backend = b
		return nil
	}
}

// Backend returns the engine given to WithBackend, or nil.
func (b *Bot) Backend() backend.Backend { return b.backend }

// Broadcasts returns the broadcast store of the bot's engine (see package
// broadcast), or nil without WithBackend.
func (b *Bot) Broadcasts() backend.BroadcastStore {
	if b.backend == nil {
		return nil
	}
	return b.backend.Broadcasts()
}

// applyBackend fills every part that no explicit option set from the
// engine of WithBackend; botID keys the limiter's store.
func (b *Bot) applyBackend(botID int64) {
	e := b.backend
	if e == nil {
		return
	}
	if b.fsmStorage == nil {
		b.fsmStorage = e.State()
	}
	if !b.coord.claimsSet {
		b.coord.claims = e.Claims()
	}
	if b.coord.once == nil {
		b.coord.once = e.Claims()
	}
	if !b.coord.lockerSet {
		b.coord.locker, b.coord.lockTTL = e.Locker(), DefaultLockLease
	}
	if b.outbound.limits.Store == nil {
		b.outbound.limits.Store = e.Limits(botID)
	}
}
