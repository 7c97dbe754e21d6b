// Package botenv is what the peer bots share besides their framework: the
// environment they read, a slog logger that never shows the token, and
// the handler's simulated work. It uses the standard library only, so each
// bot's binary links its own framework and nothing else.
package botenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// The modes a bot receives updates in (MODE).
const (
	Polling = "polling"
	Webhook = "webhook"
)

// Config is a bot's environment.
type Config struct {
	Token      string        // BOT_TOKEN
	APIURL     string        // API_URL: the emulator's base URL, e.g. http://127.0.0.1:8081
	Mode       string        // MODE: polling or webhook
	Listen     string        // WEBHOOK_LISTEN: host:port the webhook is served on
	WebhookURL string        // WEBHOOK_URL: the URL given to setWebhook
	Work       time.Duration // WORK: what the handler waits before it replies
}

// FromEnv reads the Config from the environment.
func FromEnv() (Config, error) {
	c := Config{
		Token:      os.Getenv("BOT_TOKEN"),
		APIURL:     strings.TrimRight(os.Getenv("API_URL"), "/"),
		Mode:       os.Getenv("MODE"),
		Listen:     os.Getenv("WEBHOOK_LISTEN"),
		WebhookURL: os.Getenv("WEBHOOK_URL"),
	}
	if c.Mode == "" {
		c.Mode = Polling
	}
	if w := os.Getenv("WORK"); w != "" {
		d, err := time.ParseDuration(w)
		if err != nil || d < 0 {
			return c, fmt.Errorf("WORK=%q: not a duration of at least 0", w)
		}
		c.Work = d
	}
	switch {
	case c.Token == "":
		return c, errors.New("BOT_TOKEN is empty")
	case c.APIURL == "":
		return c, errors.New("API_URL is empty")
	case c.Mode != Polling && c.Mode != Webhook:
		return c, fmt.Errorf("MODE=%q: want %s or %s", c.Mode, Polling, Webhook)
	case c.Mode == Webhook && (c.Listen == "" || c.WebhookURL == ""):
		return c, errors.New("webhook mode needs WEBHOOK_LISTEN and WEBHOOK_URL")
	}
	return c, nil
}

// IsWebhook reports whether the bot receives updates by webhook.
func (c Config) IsWebhook() bool { return c.Mode == Webhook }

// WebhookPath is the path of WebhookURL ("/" when it has none).
func (c Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// Redact replaces the token in s.
func (c Config) Redact(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "<token>")
}

// Logger is the bot's logger: text on stderr, warnings and errors only
// (per-update logs would be part of what is measured).
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// Printer adapts a slog.Logger to the printf-style logger interfaces of
// the frameworks (telego.Logger, tgbotapi.BotLogger), removing the token
// from every line.
type Printer struct {
	Log *slog.Logger
	Cfg Config
}

func (p Printer) emit(level slog.Level, msg string) {
	p.Log.Log(context.Background(), level, p.Cfg.Redact(strings.TrimSpace(msg)))
}

// Debugf logs at debug level.
func (p Printer) Debugf(format string, args ...any) {
	p.emit(slog.LevelDebug, fmt.Sprintf(format, args...))
}

// Errorf logs at error level.
func (p Printer) Errorf(format string, args ...any) {
	p.emit(slog.LevelError, fmt.Sprintf(format, args...))
}

// Printf logs at warning level.
func (p Printer) Printf(format string, args ...any) {
	p.emit(slog.LevelWarn, fmt.Sprintf(format, args...))
}

// Println logs at warning level.
func (p Printer) Println(args ...any) { p.emit(slog.LevelWarn, fmt.Sprintln(args...)) }

// Fail logs err at error level.
func (p Printer) Fail(what string, err error) {
	p.Log.Error(what, "error", p.Cfg.Redact(fmt.Sprint(err)))
}

// Fatal logs err and exits with status 1.
func (p Printer) Fatal(what string, err error) {
	p.Fail(what, err)
	os.Exit(1)
}

// Start reads the environment and returns it with the bot's Printer and
// a context that SIGINT or SIGTERM cancels. An environment that does not
// fit ends the process.
func Start() (Config, Printer, context.Context) {
	cfg, err := FromEnv()
	p := Printer{Log: Logger(), Cfg: cfg}
	if err != nil {
		p.Fatal("bad environment", err)
	}
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM) // lives as long as the process
	return cfg, p, ctx
}

// Pause waits d (the handler's simulated work), or until ctx ends.
func Pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
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
