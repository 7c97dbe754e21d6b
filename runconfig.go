package herald

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// Mode is how a bot receives updates.
type Mode string

// The two receiving modes; handler code is the same for both.
const (
	Polling Mode = "polling" // long polling with getUpdates (the default)
	Webhook Mode = "webhook" // Telegram POSTs updates to an HTTP endpoint
)

// WebhookConfig configures webhook mode: where the endpoint is served,
// how it answers, and what setWebhook is told (source.WebhookConfig; one
// type for the whole webhook).
type WebhookConfig = source.WebhookConfig

// runConfig says how Run receives and schedules updates.
type runConfig struct {
	mode            Mode
	polling         source.PollerConfig
	webhook         WebhookConfig
	workers         int
	maxQueued       int
	shutdownTimeout time.Duration
	allowedUpdates  []string // nil: computed from the handlers
	routes          []route  // WithHTTPHandler
	webhookMW       []func(http.Handler) http.Handler
}

func defaultRunConfig() runConfig {
	return runConfig{mode: Polling, shutdownTimeout: 10 * time.Second}
}

// WithPolling selects long polling (the default) with the given settings.
func WithPolling(cfg source.PollerConfig) Option {
	return func(b *Bot) error {
		b.run.mode, b.run.polling = Polling, cfg
		return nil
	}
}

// WithWebhook selects webhook mode.
func WithWebhook(cfg WebhookConfig) Option {
	return func(b *Bot) error {
		b.run.mode, b.run.webhook = Webhook, cfg
		return nil
	}
}

// WithConcurrency sets how many chats are handled at once (default 256) and
// how many updates may wait (default 10,000); when that many wait, polling
// pauses and the webhook answers 503 with Retry-After.
func WithConcurrency(workers, maxQueued int) Option {
	return func(b *Bot) error {
		if workers < 0 || maxQueued < 0 {
			return fmt.Errorf("herald: WithConcurrency(%d, %d): negative", workers, maxQueued)
		}
		b.run.workers, b.run.maxQueued = workers, maxQueued
		return nil
	}
}

// WithShutdownTimeout bounds how long Run waits for handlers in flight after
// it was cancelled (default 10 s); then their contexts are cancelled.
func WithShutdownTimeout(d time.Duration) Option {
	return func(b *Bot) error {
		b.run.shutdownTimeout = d
		return nil
	}
}

// WithAllowedUpdates overrides the update types asked from Telegram, which
// are otherwise computed from the registered handlers. Each type is an
// Update field name ("message", "callback_query", …); a name this version
// does not know makes New fail, since Telegram would ignore it silently.
func WithAllowedUpdates(types ...string) Option {
	return func(b *Bot) error {
		for _, t := range types {
			if !slices.Contains(kindNames[:kindCount-1], t) {
				return fmt.Errorf("herald: WithAllowedUpdates: unknown update type %q (want one of %s)", t, AllKinds&^KindUnknown)
			}
		}
		b.run.allowedUpdates = append([]string{}, types...)
		return nil
	}
}

// Environment variables read by ConfigFromEnv, so that the same binary
// runs with polling in development and a webhook in production.
const (
	EnvMode           = "HERALD_MODE"           // polling | webhook
	EnvAPIURL         = "HERALD_API_URL"        // Bot API base URL (emulator, local server)
	EnvWebhookURL     = "HERALD_WEBHOOK_URL"    // public URL for setWebhook
	EnvWebhookListen  = "HERALD_WEBHOOK_LISTEN" // listen address, e.g. :8443
	EnvWebhookPath    = "HERALD_WEBHOOK_PATH"   // endpoint path
	EnvWebhookSecret  = "HERALD_WEBHOOK_SECRET" // secret token
	EnvWebhookMaxConn = "HERALD_WEBHOOK_MAX_CONNECTIONS"
)

// ConfigFromEnv returns an option that applies the HERALD_* variables
// above, read when New applies it. New reads no environment by itself:
// put ConfigFromEnv after the options it may override,
//
//	herald.New(token, herald.WithBackend(store), herald.ConfigFromEnv())
//
// An unset variable changes nothing; a malformed one makes New fail.
func ConfigFromEnv() Option {
	return func(b *Bot) error {
		if err := b.run.fromEnv(); err != nil {
			return err
		}
		if r := Role(os.Getenv(EnvRole)); r != "" {
			if err := r.check(); err != nil {
				return fmt.Errorf("%s: %w", EnvRole, err)
			}
			b.jrn.role = r
		}
		if u := os.Getenv(EnvAPIURL); u != "" {
			b.clientOpts = append(b.clientOpts, tg.WithBaseURL(u))
		}
		return nil
	}
}

// fromEnv applies the HERALD_* variables of the run configuration.
func (rc *runConfig) fromEnv() error {
	switch m := Mode(os.Getenv(EnvMode)); m {
	case "":
	case Polling, Webhook:
		rc.mode = m
	default:
		return fmt.Errorf("herald: %s=%q: want %q or %q", EnvMode, m, Polling, Webhook)
	}
	set := func(dst *string, env string) {
		if v := os.Getenv(env); v != "" {
			*dst = v
		}
	}
	set(&rc.webhook.URL, EnvWebhookURL)
	set(&rc.webhook.Listen, EnvWebhookListen)
	set(&rc.webhook.Path, EnvWebhookPath)
	set(&rc.webhook.SecretToken, EnvWebhookSecret)
	if v := os.Getenv(EnvWebhookMaxConn); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return fmt.Errorf("herald: %s=%q: want a number from 1 to 100", EnvWebhookMaxConn, v)
		}
		rc.webhook.MaxConnections = n
	}
	return nil
}
