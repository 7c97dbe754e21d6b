package herald

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/health"
)

// telegramCheckEvery is how long the readiness probe trusts its last
// getMe: probes come every few seconds, Telegram need not hear each.
const telegramCheckEvery = 10 * time.Second

// HealthHandler returns the bot's probes (package health): GET /healthz
// answers 200 while the process serves HTTP, and GET /readyz answers 200
// when the bot's engine (WithBackend, if it has a server or a file), its
// update journal (WithJournal) and Telegram (getMe, its answer trusted
// for 10 s) all answer within 5 s, else 503 naming what failed. The
// webhook server serves both paths when WebhookConfig.Listen is set;
// otherwise mount the handler in your own server, at / or with
// http.StripPrefix.
func (b *Bot) HealthHandler() http.Handler {
	b.healthOnce.Do(func() {
		var checks []health.Check
		if p, ok := b.backend.(backend.Pinger); ok {
			checks = append(checks, health.Check{Name: "engine", Run: p.Ping})
		}
		if j := b.jrn.j; j != nil {
			checks = append(checks, health.Check{Name: "journal", Run: func(ctx context.Context) error {
				_, err := j.Len(ctx)
				return err
			}})
		}
		checks = append(checks, health.Check{Name: "telegram", CacheFor: telegramCheckEvery,
			Run: func(ctx context.Context) error {
				_, err := b.client.GetMe(ctx)
				return err
			}})
		b.health = health.New(health.Config{}, checks...)
	})
	return b.health
}

// healthState is the bot's probes, made on first use.
type healthState struct {
	healthOnce sync.Once
	health     *health.Handler
}
