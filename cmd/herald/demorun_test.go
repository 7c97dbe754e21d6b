package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestRunWebhook runs the demo in webhook mode, as `herald demo --webhook`
// does: the demo user's greeting and a newcomer's /catalog are answered,
// the command menu is set, and Run returns nil once ctx ends.
func TestRunWebhook(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out strings.Builder
	ready := make(chan *emulator.Emulator, 1)
	done := make(chan error, 1)
	l := emulator.NoLimits()
	go func() {
		done <- runDemo(ctx, demoConfig{
			Listener: ln, DBPath: filepath.Join(t.TempDir(), "sub", "demo.db"), Webhook: true, Limits: &l,
			Out: &out, Logger: slog.New(slog.DiscardHandler),
			Ready: func(emu *emulator.Emulator, _ string) { ready <- emu },
		})
	}()
	var emu *emulator.Emulator
	select {
	case emu = <-ready:
	case err := <-done:
		t.Fatalf("demo: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the demo was not ready within 30 s")
	}
	if !strings.Contains(out.String(), "(webhook)") {
		t.Errorf("the instructions do not say webhook:\n%s", out.String())
	}
	ada := &emutest.Chat{T: t, Emu: emu, Token: demoToken, User: demoUser}
	ada.WaitBot(0, "Welcome to the Herald coffee shop, Ada!")
	ada.SendWait("/stats", "Shop statistics") // the demo user is an admin
	newcomer := &emutest.Chat{T: t, Emu: emu, Token: demoToken, User: tg.User{ID: 2002, FirstName: "Bea"}}
	newcomer.SendWait("/catalog", "page 1 of 3")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not stop within 20 s")
	}
}

// TestRunRefuses: no listener, or one that is not on loopback.
func TestRunRefuses(t *testing.T) {
	if err := runDemo(context.Background(), demoConfig{}); err == nil {
		t.Error("Run without a listener: no error")
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on all interfaces: %v", err)
	}
	err = runDemo(context.Background(), demoConfig{Listener: ln, DBPath: filepath.Join(t.TempDir(), "d.db")})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run on %s = %v, want a loopback error", ln.Addr(), err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("Run did not close the listener")
	}
}

func TestDefaultDBPath(t *testing.T) {
	if p := defaultDemoDBPath(); filepath.Base(p) != "shop.db" || filepath.Base(filepath.Dir(p)) != "herald-demo" {
		t.Errorf("DefaultDBPath = %q", p)
	}
}

// TestRestartOnSameDatabase: the demo restarted on the database of its
// previous run answers at once. The shop remembers handled update ids in
// that database; an emulator starting its ids at 1 again made the second
// run ignore its first messages as re-deliveries.
func TestRestartOnSameDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	for run := range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan *emulator.Emulator, 1)
		done := make(chan error, 1)
		l := emulator.NoLimits()
		go func() {
			done <- runDemo(ctx, demoConfig{
				Listener: ln, DBPath: path, Limits: &l, Out: io.Discard, Logger: slog.New(slog.DiscardHandler),
				Ready: func(emu *emulator.Emulator, _ string) { ready <- emu },
			})
		}()
		var emu *emulator.Emulator
		select {
		case emu = <-ready:
		case err := <-done:
			t.Fatalf("run %d: %v", run, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("run %d: not ready within 30 s", run)
		}
		c := &emutest.Chat{T: t, Emu: emu, Token: demoToken, User: tg.User{ID: 3003, FirstName: "Cy"}}
		c.SendWait("/catalog", "page 1 of 3")
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("run %d: did not stop within 20 s", run)
		}
	}
}

// TestDemoProbes: the demo serves the bot's /healthz, /readyz and
// /metrics on the emulator's port; the bot is ready (engine, journal,
// Telegram), and the metrics count the demo customer's /start and its
// answer, and the send of the broadcast the customer (an admin) starts.
func TestDemoProbes(t *testing.T) {
	base := startDemo(t, context.Background(), io.Discard)
	emutest.Until(t, 15*time.Second, "/metrics to count the answer to /start", func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		return resp.StatusCode == http.StatusOK &&
			strings.Contains(page, `herald_updates_total{handler="root//start",kind="message",outcome="ok"} 1`) &&
			strings.Contains(page, `herald_api_calls_total{method="sendMessage",outcome="ok"}`) &&
			strings.Contains(page, "process_resident_memory_bytes")
	})
	// The demo customer is a shop admin: a broadcast is counted too.
	body := fmt.Sprintf(`{"token":%q,"from":{"id":%d,"first_name":%q},"text":"/broadcast Beans are back"}`, demoToken, demoUser.ID, demoUser.FirstName)
	resp, err := http.Post(base+"/control/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	emutest.Until(t, 15*time.Second, "/metrics to count the broadcast's send", func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(page), `herald_broadcast_sends_total{outcome="sent"} 1`) &&
			strings.Contains(string(page), "\nherald_broadcast_remaining 0\n")
	})
	for path, want := range map[string]string{"/healthz": `"status":"ok"`, "/readyz": `"name":"telegram","ok":true`} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d %s, want 200 with %s", path, resp.StatusCode, body, want)
		}
		if path == "/readyz" && (!strings.Contains(string(body), `"name":"engine","ok":true`) || !strings.Contains(string(body), `"name":"journal","ok":true`)) {
			t.Errorf("GET /readyz = %s, want the engine and the journal checked", body)
		}
	}
}

// otlpCollector keeps the bodies of the OTLP/HTTP trace exports it gets.
type otlpCollector struct {
	mu   sync.Mutex
	body []byte
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v1/traces" {
		c.mu.Lock()
		c.body = append(c.body, b...)
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func (c *otlpCollector) has(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Contains(c.body, []byte(s))
}

// TestDemoTraces: with OTEL_EXPORTER_OTLP_ENDPOINT set, the demo exports
// the spans of its first /start over OTLP/HTTP, flushed when it stops.
func TestDemoTraces(t *testing.T) {
	col := &otlpCollector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Run("demo", func(t *testing.T) {
		base := startDemo(t, context.Background(), io.Discard)
		emutest.Until(t, 15*time.Second, "the answer to /start", func() bool {
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				return false
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return strings.Contains(string(body), `herald_updates_total{handler="root//start",kind="message",outcome="ok"} 1`)
		})
	}) // the demo stopped: its spans are flushed
	for _, want := range []string{"herald.update message", "herald.receive", "sendMessage", "herald-demo", "root//start"} {
		if !col.has(want) {
			t.Errorf("the collector got no span data holding %q", want)
		}
	}
}
