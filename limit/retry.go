package limit

import (
	"context"
	"errors"
	"time"

	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/tg"
)

// RetryConfig configures Retry. The zero value is ready to use.
type RetryConfig struct {
	// MaxAttempts bounds the attempts of one call, the first included
	// (default 4).
	MaxAttempts int
	// MaxElapsed bounds the time from the end of the first attempt (its
	// failure) to the start of the last one (default 30 s), so that time
	// the first attempt spent queued in a Limiter does not count. The
	// caller's context deadline bounds it too: no attempt starts when its
	// back-off would end after it.
	MaxElapsed time.Duration
	// BaseDelay is the back-off before the second attempt (default
	// 250 ms); it doubles for each further attempt, up to MaxDelay
	// (default 8 s). Each delay is drawn at random between half of it and
	// all of it (jitter), and is at least the Retry-After of a 5xx answer.
	BaseDelay, MaxDelay time.Duration
	// Idempotent says which methods may be repeated after a failure that
	// may have been executed (a 5xx answer, a reset or a timeout after the
	// request was sent). nil means IsIdempotent. Return true for sends
	// only if a duplicate message is better than a lost one.
	Idempotent func(method string) bool

	// OnRetry, if set, is called before each repeated attempt with the
	// method, the attempt about to start (2, 3, …) and the error of the
	// previous one. It must not block.
	OnRetry func(method string, attempt int, err error)
}

func (c *RetryConfig) setDefaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.MaxElapsed <= 0 {
		c.MaxElapsed = 30 * time.Second
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 250 * time.Millisecond
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 8 * time.Second
	}
	c.MaxDelay = max(c.MaxDelay, c.BaseDelay)
	if c.Idempotent == nil {
		c.Idempotent = IsIdempotent
	}
}

// Retry returns a tg.Middleware that repeats calls failing with a 5xx or a
// network error, with exponential back-off and jitter, as far as that
// cannot post a message twice:
//
//   - the connection could not be opened (refused, DNS, dial timeout): the
//     request never left, every method is repeated;
//   - a 5xx answer, or a reset, EOF or timeout once the request was sent:
//     it may have been executed, only idempotent methods are repeated
//     (RetryConfig.Idempotent);
//   - never: 4xx answers, 429 (the Limiter's business: it pauses every
//     sender), the caller's context ending, bad arguments, and calls
//     uploading from a reader that is not an io.Seeker (tg rewinds
//     seekable readers; others are consumed by the first attempt).
//
// Put it before the Limiter's middleware, further from the HTTP client,
// so that every repeated attempt is counted by the Limiter again:
// tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), limiter.Middleware()).
// herald.New does this by default.
func Retry(cfg RetryConfig) tg.Middleware {
	cfg.setDefaults()
	return func(next tg.Caller) tg.Caller {
		return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
			return cfg.call(ctx, next, method, params, result)
		})
	}
}

func (c *RetryConfig) call(ctx context.Context, next tg.Caller, method string, params, result any) error {
	var start time.Time
	var err error
	for attempt := 1; ; attempt++ {
		err = next.Call(ctx, method, params, result)
		if err == nil || attempt >= c.MaxAttempts || ctx.Err() != nil {
			return err
		}
		if attempt == 1 {
			start = time.Now()
		}
		switch classify(err) {
		case permanent:
			return err
		case maybeDone:
			if !c.Idempotent(method) {
				return err
			}
		}
		if hasOneShotUpload(params) {
			return err
		}
		delay := c.backoff(attempt, err)
		now := time.Now()
		if now.Add(delay).Sub(start) > c.MaxElapsed {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(delay).After(dl) {
			return err
		}
		if c.OnRetry != nil {
			c.OnRetry(method, attempt+1, err)
		}
		if serr := sleep(ctx, nil, delay); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// backoff is the delay after the attempt-th failure: BaseDelay·2^(attempt-1)
// capped at MaxDelay, drawn from its upper half, and at least a Retry-After
// the server sent.
func (c *RetryConfig) backoff(attempt int, err error) time.Duration {
	p := backoff.Policy{Min: c.BaseDelay, Max: c.MaxDelay, Jitter: backoff.Equal}
	d := p.Delay(attempt - 1)
	if e, ok := errors.AsType[*tg.Error](err); ok && e.RetryAfter > d {
		d = e.RetryAfter
	}
	return d
}
