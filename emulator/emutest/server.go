package emutest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// Server is an emulator served over httptest on 127.0.0.1.
type Server struct {
	Emu *emulator.Emulator
	URL string // the Bot API base URL, for tg.WithBaseURL

	limitsOff bool
}

// Start serves a new emulator with opts until the test ends.
func Start(t testing.TB, opts emulator.Options) *Server {
	t.Helper()
	emu := emulator.New(opts)
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); _ = emu.Close() })
	return &Server{Emu: emu, URL: srv.URL, limitsOff: opts.Limits != nil && opts.Limits.Off()}
}

// NoLimits returns options that turn the emulator's rate limits off, for
// tests whose users write faster than Telegram allows.
func NoLimits() emulator.Options {
	l := emulator.NoLimits()
	return emulator.Options{Limits: &l}
}

// Quiet is a logger that discards everything.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Client makes a bot's client talk to the emulator. When the emulator's
// limits are off (NoLimits), it also turns the bot's outbound limiter off
// (herald.WithoutLimiter), so that a test's users may write faster than
// Telegram allows and get answers as fast; a herald.WithLimits after it
// turns the limiter back on.
func (s *Server) Client() herald.Option {
	to := herald.WithClientOptions(tg.WithBaseURL(s.URL))
	if !s.limitsOff {
		return to
	}
	off := herald.WithoutLimiter()
	return func(b *herald.Bot) error {
		if err := to(b); err != nil {
			return err
		}
		return off(b)
	}
}

// Polling returns the options of a bot polling the emulator (1 s long
// polls), followed by extra.
func (s *Server) Polling(extra ...herald.Option) []herald.Option {
	return append([]herald.Option{s.Client(), herald.WithPolling(source.PollerConfig{Timeout: time.Second})}, extra...)
}

// Chat returns a Chat of user u with the bot of token.
func (s *Server) Chat(t testing.TB, token string, u tg.User) *Chat {
	return &Chat{T: t, Emu: s.Emu, Token: token, User: u}
}

// StopTimeout bounds how long the stop of Run waits for Run to return.
const StopTimeout = 30 * time.Second

// Run runs b in the background. stop cancels it and returns what Run
// returned; calling it again returns the same. The test's cleanup stops
// the bot if the test did not (ignoring the error).
func Run(t testing.TB, b *herald.Bot) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(StopTimeout):
				err = fmt.Errorf("Run did not return within %v of cancel", StopTimeout)
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// Until polls cond every 10 ms until it is true, or fails the test after d.
func Until(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
