package herald

import (
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// outboundConfig is how the bot's client keeps Telegram's limits: by
// default a limit.Limiter with Telegram's limits less a margin (state in
// this process) and limit.Retry with its defaults.
type outboundConfig struct {
	noLimiter bool
	limits    limit.Config
	noRetry   bool
	retry     limit.RetryConfig

	limiter *limit.Limiter // built by outboundOptions
}

// WithLimits configures the outbound rate limiter that New installs by
// default (see package limit and docs/LIMITS.md); zero fields keep their
// defaults. A shared Store makes the limits fleet-wide:
//
//	herald.WithLimits(limit.Config{Store: redis.NewLimiterStore(rdb, botID, redis.Options{})})
func WithLimits(cfg limit.Config) Option {
	return func(b *Bot) error {
		b.outbound.noLimiter = false
		b.outbound.limits = cfg
		return nil
	}
}

// WithoutLimiter removes the outbound rate limiter: calls go out as fast
// as the handlers make them, and a 429 is returned to the caller. Use it
// when the client's middleware (WithClientOptions) already has a limiter,
// or against a server without limits (benchmarks).
func WithoutLimiter() Option {
	return func(b *Bot) error {
		b.outbound.noLimiter = true
		return nil
	}
}

// WithRetry configures the retry policy that New installs by default
// (limit.Retry: 5xx answers and network errors, only where repeating
// cannot post a message twice); zero fields keep their defaults.
func WithRetry(cfg limit.RetryConfig) Option {
	return func(b *Bot) error {
		b.outbound.noRetry = false
		b.outbound.retry = cfg
		return nil
	}
}

// WithoutRetry removes the retry policy: a failed call returns its error
// at once (the limiter still repeats calls refused with a 429).
func WithoutRetry() Option {
	return func(b *Bot) error {
		b.outbound.noRetry = true
		return nil
	}
}

// Limiter returns the bot's outbound limiter (for its Stats), or nil
// after WithoutLimiter.
func (b *Bot) Limiter() *limit.Limiter { return b.outbound.limiter }

// outboundOptions returns the tg.Client options that install the outbound
// limiter and retry policy, before the user's own client options. The
// Caller chain is then, from the handler to HTTP:
//
//	Retry → Limiter → middleware of WithClientOptions → HTTP
//
// Retry is outside the Limiter so that every attempt it repeats waits for
// its turn and is counted again; the Limiter itself repeats a call
// refused with a 429 after the pause, and Retry never repeats a 429. The
// user's middleware sees each attempt that goes out.
func (b *Bot) outboundOptions() []tg.Option {
	var mw []tg.Middleware
	if b.tracer != nil {
		mw = append(mw, b.tracedCalls)
	}
	if !b.outbound.noRetry {
		mw = append(mw, limit.Retry(b.outbound.retry))
	}
	b.outbound.limiter = nil
	if !b.outbound.noLimiter {
		b.outbound.limiter = limit.New(b.outbound.limits)
		mw = append(mw, b.outbound.limiter.Middleware())
	}
	if len(mw) == 0 {
		return nil
	}
	return []tg.Option{tg.WithMiddleware(mw...)}
}
