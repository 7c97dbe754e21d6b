package tracing_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tracing"
)

// collector is an OTLP/HTTP endpoint keeping the bodies it is sent.
type collector struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v1/traces" {
		c.mu.Lock()
		c.bodies = append(c.bodies, b)
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// received reports whether any body sent so far holds s.
func (c *collector) received(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.bodies {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// TestFromEnvOff: without an endpoint or an exporter asked for, and with
// OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED, there is no provider;
// settings FromEnv cannot follow are errors.
func TestFromEnvOff(t *testing.T) {
	for _, env := range [][2]string{{"", ""}, {tracing.EnvExporter, "none"}, {tracing.EnvDisabled, "true"}} {
		t.Setenv(tracing.EnvEndpoint, "")
		if env[0] != "" {
			t.Setenv(tracing.EnvEndpoint, "http://127.0.0.1:1")
			t.Setenv(env[0], env[1])
		}
		tp, err := tracing.FromEnv(t.Context(), "test")
		if tp != nil || err != nil {
			t.Errorf("%s=%q: FromEnv = %v, %v; want no provider", env[0], env[1], tp, err)
		}
		if tracing.Option(tp) != nil {
			t.Error("Option(nil) should be nil, an option herald.New skips")
		}
	}
	for _, env := range [][2]string{{tracing.EnvExporter, "zipkin"}, {tracing.EnvProtocol, "http/json"}} {
		t.Run(env[0], func(t *testing.T) {
			t.Setenv(tracing.EnvDisabled, "")
			t.Setenv(tracing.EnvExporter, "otlp")
			t.Setenv(env[0], env[1])
			if _, err := tracing.FromEnv(t.Context(), "test"); err == nil {
				t.Errorf("%s=%q: want an error", env[0], env[1])
			}
		})
	}
}

// TestFromEnvExports: with OTEL_EXPORTER_OTLP_ENDPOINT set, a bot's
// update spans reach the collector over OTLP/HTTP, named after
// OTEL_SERVICE_NAME.
func TestFromEnvExports(t *testing.T) {
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	t.Setenv(tracing.EnvEndpoint, srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "shop-under-test")
	tp, err := tracing.FromEnv(t.Context(), "fallback-name")
	if err != nil || tp == nil {
		t.Fatalf("FromEnv = %v, %v; want a provider", tp, err)
	}
	emu := emutest.Start(t, emutest.NoLimits())
	const token = "7501:otlp"
	quiet := slog.New(slog.DiscardHandler)
	b, err := herald.New(token, emu.Client(), herald.WithLogger(quiet), tracing.Option(tp),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: quiet}))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Message(func(c *herald.Context) error { _, err := c.Reply("pong"); return err })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	if _, err := emu.Emu.SendMessage(t.Context(), emulator.UserMessage{Token: token, From: tg.User{ID: 7, FirstName: "Di"}, Text: "ping"}); err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 10*time.Second, "the reply", func() bool {
		es, _ := emu.Emu.Transcript(token, 7)
		return len(es) == 2
	})
	cancel()
	<-done
	// Shutdown flushes the batch.
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := tp.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"herald.update message", "sendMessage", "shop-under-test"} {
		if !col.received(want) {
			t.Errorf("the collector got no span data holding %q", want)
		}
	}
	if col.received("fallback-name") {
		t.Error("OTEL_SERVICE_NAME should override the service name FromEnv was given")
	}
}
