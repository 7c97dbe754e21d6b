package herald_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/health"
	"github.com/heraldbot/herald/tg"
)

// probe asks h for path and decodes the report.
func probe(t *testing.T, h http.Handler, path string) (int, health.Report) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	var rep health.Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatalf("GET %s: %d %q: %v", path, w.Code, w.Body, err)
	}
	return w.Code, rep
}

// checkNames maps each check of rep to whether it passed.
func checkNames(rep health.Report) map[string]bool {
	m := map[string]bool{}
	for _, c := range rep.Checks {
		m[c.Name] = c.OK
	}
	return m
}

// TestReadinessChecks: /readyz checks the engine, the journal and
// Telegram, and answers 503 naming the engine once its database is gone;
// /healthz stays 200.
func TestReadinessChecks(t *testing.T) {
	w := newWorld(t)
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "bot.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := w.newBot(t, "7301:health", herald.WithBackend(store))
	h := b.HealthHandler()
	code, rep := probe(t, h, "/readyz")
	if got := checkNames(rep); code != http.StatusOK || len(got) != 3 || !got["engine"] || !got["journal"] || !got["telegram"] {
		t.Fatalf("/readyz = %d %+v, want 200 with engine, journal and telegram ok", code, rep)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	code, rep = probe(t, h, "/readyz")
	if got := checkNames(rep); code != http.StatusServiceUnavailable || got["engine"] || !got["telegram"] {
		t.Fatalf("/readyz with the database closed = %d %+v, want 503 with the engine failing", code, rep)
	}
	if code, _ := probe(t, h, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d, want 200", code)
	}
}

// TestReadinessTelegramDown: a bot whose Bot API does not answer is not
// ready.
func TestReadinessTelegramDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	b, err := herald.New("7302:down", herald.WithLogger(quiet()), herald.WithClientOptions(tg.WithBaseURL("http://"+addr)))
	if err != nil {
		t.Fatal(err)
	}
	code, rep := probe(t, b.HealthHandler(), "/readyz")
	if got := checkNames(rep); code != http.StatusServiceUnavailable || len(got) != 1 || got["telegram"] {
		t.Fatalf("/readyz = %d %+v, want 503 with telegram failing", code, rep)
	}
}

// TestWebhookServerServesProbes: the webhook server answers /healthz and
// /readyz next to the webhook path.
func TestWebhookServerServesProbes(t *testing.T) {
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	b := w.newBot(t, "7303:probes", herald.WithWebhook(herald.WebhookConfig{URL: base + "/hook", Listener: ln, Path: "/hook"}))
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	emutest.Until(t, 10*time.Second, "the webhook server to answer /healthz", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep health.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != http.StatusOK || rep.Status != "ok" {
		t.Fatalf("GET /readyz = %d %+v (%v)", resp.StatusCode, rep, err)
	}
}
