package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// limits is one bot's backend.LimitStore (table limit_state): every Take
// is one call of the schema's limit_take function, which decides the GCRA
// of all the request's buckets and its pauses atomically (the bucket rows
// locked for the call) on the server's clock, so that every process of
// the bot keeps one budget.
type limits struct {
	s   *Store
	bot int64
}

var _ backend.LimitStore = (*limits)(nil)

// bucketKey returns the limit_state key of b: "global", "paid",
// "chat:<chat>" or "group:<chat>" (the ChatID's string form: the id, or the
// @username).
func bucketKey(b backend.LimitBucket) string {
	switch b.Scope {
	case backend.ScopeChat, backend.ScopeGroup:
		return b.Scope.String() + ":" + b.Chat.String()
	}
	return b.Scope.String()
}

// pauseKey returns the key of chat's pause: "pause:<chat>", or "pause" for
// the bot's (the zero ChatID).
func pauseKey(chat tg.ChatID) string {
	if chat.IsZero() {
		return "pause"
	}
	return "pause:" + chat.String()
}

// Take implements backend.LimitStore in one round trip.
func (l *limits) Take(ctx context.Context, r *backend.LimitRequest) (backend.LimitVerdict, error) {
	pauses := make([]string, 1, 2)
	pauses[0] = "pause"
	if !r.Chat.IsZero() {
		pauses = append(pauses, pauseKey(r.Chat))
	}
	keys := make([]string, len(r.Buckets))
	intervals := make([]int64, len(r.Buckets))
	bursts := make([]int32, len(r.Buckets))
	for i, b := range r.Buckets {
		keys[i] = bucketKey(b)
		intervals[i] = micros(b.Rate.Interval())
		bursts[i] = int32(b.Rate.BurstSize())
	}
	var (
		wait  int64
		which int
	)
	err := l.s.pool.QueryRow(ctx, l.s.sql.limitTake, l.bot, max(r.N, 1), pauses, keys, intervals, bursts).Scan(&wait, &which)
	if err != nil {
		return backend.LimitVerdict{}, fmt.Errorf("postgres: limiter take (bot %d): %w", l.bot, err)
	}
	if wait <= 0 {
		return backend.LimitVerdict{}, nil
	}
	v := backend.LimitVerdict{Wait: time.Duration(wait) * time.Microsecond, Scope: backend.ScopePause}
	switch i := which - 1 - len(pauses); {
	case which == 2 && len(pauses) == 2:
		v.Scope = backend.ScopeChatPause
	case i >= 0 && i < len(r.Buckets):
		v.Scope = r.Buckets[i].Scope
	}
	return v, nil
}

// Pause implements backend.LimitStore: the pause becomes the later of the
// one in force and d from now on the server's clock.
func (l *limits) Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error {
	key := pauseKey(chat)
	if _, err := l.s.pool.Exec(ctx, l.s.sql.limitPause, l.bot, key, max(micros(d), 1)); err != nil {
		return fmt.Errorf("postgres: limiter pause %s (bot %d): %w", key, l.bot, err)
	}
	return nil
}
