package source

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/heraldbot/herald/internal/backoff"
	"github.com/heraldbot/herald/tg"
)

// retryWait logs a failed call and returns how long to wait before the
// next attempt.
func (p *Poller) retryWait(bo *backoff.Counter, err error, method string) time.Duration {
	if ra, ok := tg.IsTooManyRequests(err); ok {
		d := ra
		if d <= 0 {
			d = bo.Next()
		}
		p.log.Warn("source: "+method+" hit flood control (429); waiting as Telegram asks", "retry_in", d, "error", err)
		return d
	}
	d := bo.Next()
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
