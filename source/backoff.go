package source

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

// backoff computes the waits between failed attempts: the base delay
// doubles from min to max, and each wait is drawn uniformly from
// [base/2, base] so that many instances do not retry in lock step.
type backoff struct {
	min, max time.Duration
	n        int                 // failures since the last reset
	rand     func(n int64) int64 // uniform in [0, n); rand.Int64N by default
}

func newBackoff(minDelay, maxDelay time.Duration) backoff {
	return backoff{min: minDelay, max: max(minDelay, maxDelay), rand: rand.Int64N}
}

// base is the delay before jitter for failure number n (0-based).
func (b *backoff) base(n int) time.Duration {
	d := b.min
	for range n {
		if d >= b.max/2 {
			return b.max
		}
		d *= 2
	}
	return min(d, b.max)
}

// next returns the wait after one more failure.
func (b *backoff) next() time.Duration {
	d := b.base(b.n)
	b.n++
	half := d / 2
	return half + time.Duration(b.rand(int64(d-half)+1))
}

// reset starts again from min after a success.
func (b *backoff) reset() { b.n = 0 }

// retryWait logs a failed call and returns how long to wait before the
// next attempt.
func (p *Poller) retryWait(bo *backoff, err error, method string) time.Duration {
	if ra, ok := tg.IsTooManyRequests(err); ok {
		d := ra
		if d <= 0 {
			d = bo.next()
		}
		p.log.Warn("source: "+method+" hit flood control (429); waiting as Telegram asks", "retry_in", d, "error", err)
		return d
	}
	d := bo.next()
	if tg.IsConflict(err) {
		msg := "source: " + method + " conflict (409): another process is polling with this bot token " +
			"(only one may); stop it, or this poller keeps retrying"
		if te, ok := errors.AsType[*tg.Error](err); ok && strings.Contains(strings.ToLower(te.Description), "webhook") {
			msg = "source: " + method + " conflict (409): a webhook is set for this bot, so Telegram refuses " +
				"long polling; delete it (PollerConfig.DeleteWebhook, or `herald webhook delete`) or run in webhook mode"
		}
		p.log.Warn(msg, "retry_in", d, "error", err)
		return d
	}
	p.log.Warn("source: "+method+" failed; retrying", "retry_in", d, "error", err)
	return d
}

// isFatal reports errors that retrying cannot fix: a rejected token.
func isFatal(err error) bool {
	return tg.IsUnauthorized(err) || tg.IsCode(err, http.StatusNotFound)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
