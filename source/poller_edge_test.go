package source

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

// TestPollerFloodWithoutRetryAfter: a 429 that does not say how long to
// wait falls back to the back-off schedule instead of retrying at once.
func TestPollerFloodWithoutRetryAfter(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "x")
	api.setInject(func(method string, n int, _ apiCall) *fault {
		if method == "getUpdates" && n < 2 {
			return &fault{429, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`}
		}
		return nil
	})
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	delays := recordSleeps(p)
	sink := newRecSink()
	runPoller(t, p, sink)
	sink.next(t)
	checkBackoff(t, delays(), []time.Duration{time.Second, 2 * time.Second})
	if !strings.Contains(logs.String(), "flood control (429)") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestPollerDeleteWebhookRetries: a failing deleteWebhook at start is
// retried with back-off before polling begins; a rejected token there
// ends Run with an error; cancelling while it is retried ends Run
// without polling.
func TestPollerDeleteWebhookRetries(t *testing.T) {
	t.Run("transient", func(t *testing.T) {
		api := newAPIServer(t)
		api.say(t, ann, "x")
		api.setInject(func(method string, n int, _ apiCall) *fault {
			if method == "deleteWebhook" && n < 2 {
				return &fault{502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`}
			}
			if method == "getUpdates" && n == 0 {
				return &fault{500, `{"ok":false,"error_code":500,"description":"Internal"}`}
			}
			return nil
		})
		p, logs := quietPoller(t, api.client(t), PollerConfig{DeleteWebhook: true})
		delays := recordSleeps(p)
		sink := newRecSink()
		runPoller(t, p, sink)
		sink.next(t)
		// Two deleteWebhook failures (1 s, 2 s), then a success resets the
		// back-off, so the first getUpdates failure waits 1 s again.
		checkBackoff(t, delays(), []time.Duration{time.Second, 2 * time.Second, time.Second})
		if !strings.Contains(logs.String(), "deleteWebhook failed; retrying") {
			t.Fatalf("log:\n%s", logs)
		}
	})
	t.Run("unauthorized", func(t *testing.T) {
		api := newAPIServer(t)
		api.setInject(func(method string, _ int, _ apiCall) *fault {
			if method == "deleteWebhook" {
				return &fault{401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`}
			}
			return nil
		})
		p, _ := quietPoller(t, api.client(t), PollerConfig{DropPendingUpdates: true})
		err := p.Run(testkit.Context(t), newRecSink())
		if !tg.IsUnauthorized(err) || !strings.Contains(err.Error(), "deleteWebhook") {
			t.Fatalf("Run = %v, want a 401 from deleteWebhook", err)
		}
		api.noCall(t, "getUpdates")
	})
	t.Run("cancelled", func(t *testing.T) {
		api := newAPIServer(t)
		api.setInject(func(method string, _ int, _ apiCall) *fault {
			if method == "deleteWebhook" {
				return &fault{500, `{"ok":false,"error_code":500,"description":"Internal"}`}
			}
			return nil
		})
		p, _ := quietPoller(t, api.client(t), PollerConfig{DeleteWebhook: true})
		ctx, cancel := context.WithCancel(testkit.Context(t))
		var sleeps atomic.Int32
		p.sleep = func(ctx context.Context, _ time.Duration) error {
			if sleeps.Add(1) == 3 {
				cancel()
			}
			return ctx.Err()
		}
		if err := p.Run(ctx, newRecSink()); err != nil {
			t.Fatalf("Run = %v, want nil after cancel", err)
		}
		if n := sleeps.Load(); n != 3 {
			t.Fatalf("%d waits, want 3", n)
		}
		api.noCall(t, "getUpdates")
	})
}

// TestPollerSortsBatch: a batch Telegram returns out of order is
// submitted in update_id order, and the offset moves past all of it.
func TestPollerSortsBatch(t *testing.T) {
	api := newAPIServer(t)
	api.setInject(func(method string, _ int, c apiCall) *fault {
		if method == "getUpdates" && c.int("offset") == 0 {
			return &fault{200, `{"ok":true,"result":[{"update_id":12},{"update_id":10},{"update_id":11}]}`}
		}
		return nil
	})
	p, _ := quietPoller(t, api.client(t), PollerConfig{})
	sink := newAckSink()
	runPoller(t, p, sink)
	sink.wantIDs(t, 10, 11, 12)
	api.waitOffset(t, 13)
}

// TestPollerCommitFailure: when the final confirmation fails, Run still
// returns nil (and logs it), Commit reports the error, and a later
// Commit that succeeds confirms the offset.
func TestPollerCommitFailure(t *testing.T) {
	api := newAPIServer(t)
	api.say(t, ann, "a")
	api.say(t, ann, "b")
	var failCommits atomic.Bool
	failCommits.Store(true)
	api.setInject(func(method string, _ int, c apiCall) *fault {
		if method == "getUpdates" && c.int("limit") == 1 && failCommits.Load() {
			return &fault{502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`}
		}
		return nil
	})
	entered := make(chan struct{})
	sink := newRecSink()
	sink.onSubmit = func(ctx context.Context, u *tg.Update, _ Ack) error {
		if u.UpdateID == 2 { // full: polling is held, so only a commit can confirm 1
			close(entered)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	p, logs := quietPoller(t, api.client(t), PollerConfig{})
	stop := runPoller(t, p, sink)
	sink.next(t).ack(nil, nil)
	<-entered
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil even though the confirmation failed", err)
	}
	if !strings.Contains(logs.String(), "could not confirm the offset") {
		t.Fatalf("failed confirmation not logged:\n%s", logs)
	}
	err := p.Commit(context.Background())
	if err == nil || !strings.Contains(err.Error(), "confirming offset 2") {
		t.Fatalf("Commit = %v, want an error confirming offset 2", err)
	}
	if got := api.pending(t); got != 2 {
		t.Fatalf("pending = %d, want 2 (nothing confirmed)", got)
	}
	failCommits.Store(false)
	if err := p.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := api.pending(t); got != 1 {
		t.Fatalf("pending after Commit = %d, want 1", got)
	}
}

// TestPollerConfigDefaults: out-of-range settings are brought into range,
// and a negative Timeout polls without waiting (timeout 0).
func TestPollerConfigDefaults(t *testing.T) {
	cfg := PollerConfig{Timeout: -time.Second, Limit: 1000, MinBackoff: 5 * time.Second, MaxBackoff: time.Second}
	cfg.setDefaults()
	if cfg.Timeout != 0 || cfg.Limit != 100 || cfg.MaxBackoff != 5*time.Second || cfg.RecheckInterval != 500*time.Millisecond || cfg.Logger == nil {
		t.Fatalf("defaults: %+v", cfg)
	}
	api := newAPIServer(t)
	api.say(t, ann, "x")
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: -1, Limit: 7})
	sink := newRecSink()
	stop := runPoller(t, p, sink)
	c := api.nextCall(t, "getUpdates")
	sink.next(t)
	_ = stop()
	if c.int("timeout") != 0 || c.int("limit") != 7 {
		t.Fatalf("getUpdates %v, want timeout 0, limit 7", c.params)
	}
}

func TestNewPollerNilClientPanics(t *testing.T) {
	wantPanic(t, "nil *tg.Client", func() { NewPoller(nil, PollerConfig{}) })
}

func TestSleepCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := sleepCtx(ctx, 0); err != nil {
		t.Fatalf("sleepCtx(0) = %v", err)
	}
	if err := sleepCtx(ctx, time.Nanosecond); err != nil {
		t.Fatalf("sleepCtx(1ns) = %v", err)
	}
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepCtx on a cancelled context = %v", err)
	}
	if err := sleepCtx(ctx, -time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepCtx(<0) on a cancelled context = %v", err)
	}
}

// TestWebhookServerServeErrors: Serve closes the listener it was given
// when the certificate cannot be loaded, and returns (without waiting for
// the context) when serving fails.
func TestWebhookServerServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &WebhookServer{Handler: http.NotFoundHandler(), TLS: &TLSFiles{
		CertFile: filepath.Join(t.TempDir(), "missing.pem"), KeyFile: filepath.Join(t.TempDir(), "missing.key"),
	}}
	if err := s.Serve(testkit.Context(t), ln); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Serve with a missing certificate = %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("listener not closed: Accept = %v", err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = closed.Close()
	errc := make(chan error, 1)
	go func() { errc <- (&WebhookServer{Handler: http.NotFoundHandler()}).Serve(testkit.Context(t), closed) }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "webhook server") {
			t.Fatalf("Serve on a closed listener = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve on a closed listener did not return")
	}
}

// Short polling (timeout 0) answers at once even with nothing to deliver,
// so after each empty answer the poller waits RecheckInterval instead of
// asking again at once.
func TestShortPollingPausesWhenIdle(t *testing.T) {
	api := newAPIServer(t)
	p, _ := quietPoller(t, api.client(t), PollerConfig{Timeout: 500 * time.Millisecond, RecheckInterval: 250 * time.Millisecond})
	sleeps := recordSleeps(p)
	stop := runPoller(t, p, newRecSink())
	for range 3 {
		if c := api.nextCall(t, "getUpdates"); c.int("timeout") != 0 {
			t.Fatalf("timeout %d, want 0 (short polling)", c.int("timeout"))
		}
	}
	_ = stop()
	ds := sleeps()
	if len(ds) < 2 {
		t.Fatalf("%d pauses after 3 empty answers, want at least 2", len(ds))
	}
	for _, d := range ds {
		if d != 250*time.Millisecond {
			t.Fatalf("paused %v, want RecheckInterval (250ms): %v", d, ds)
		}
	}
}
