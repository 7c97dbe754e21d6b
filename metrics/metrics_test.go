package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// scrape GETs the metrics page.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", w.Code)
	}
	body, _ := io.ReadAll(w.Body)
	return string(body)
}

// wantLines fails unless page holds every line.
func wantLines(t *testing.T, page string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(page, "\n"+l+"\n") {
			t.Errorf("/metrics lacks %q", l)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", page)
	}
}

// TestScrapeAfterConversation: a bot talks with three users over the
// emulator (one handler fails); the scraped counters and histograms say
// what happened.
func TestScrapeAfterConversation(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	const token = "7401:metrics"
	bot, err := herald.New(token, herald.WithLogger(emutest.Quiet()), herald.WithoutLimiter(), herald.WithErrorReply(""),
		herald.WithClientOptions(tg.WithBaseURL(srv.URL), tg.WithMiddleware(m.Caller)),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: emutest.Quiet()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ObserveBot(bot); err != nil {
		t.Fatal(err)
	}
	bot.Router().Use(m.Middleware())
	bot.Router().Command("fail", func(*herald.Context) error { return errors.New("boom") })
	bot.Router().Message(func(c *herald.Context) error {
		_, err := c.Reply("echo: " + c.Text())
		return err
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()

	for i, text := range []string{"hello", "there"} {
		c := &emutest.Chat{T: t, Emu: srv.Emu, Token: token, User: tg.User{ID: int64(100 + i), FirstName: "U"}}
		c.SendWait(text, "echo: "+text)
	}
	failer := &emutest.Chat{T: t, Emu: srv.Emu, Token: token, User: tg.User{ID: 200, FirstName: "F"}}
	failer.Send("/fail")
	h := metrics.Handler(reg)
	emutest.Until(t, 10*time.Second, "the failed update to be counted", func() bool {
		return strings.Contains(scrape(t, h), `herald_updates_total{kind="message",outcome="error"} 1`)
	})
	page := scrape(t, h)
	wantLines(t, page,
		`herald_updates_total{kind="message",outcome="ok"} 2`,
		`herald_updates_total{kind="message",outcome="error"} 1`,
		`herald_update_handle_seconds_count{kind="message"} 3`,
		`herald_api_calls_total{method="sendMessage",outcome="ok"} 2`,
		`herald_api_call_seconds_count{method="sendMessage"} 2`,
		`herald_scheduler_panicked_total 0`,
	)
	for _, name := range []string{"herald_api_calls_total{method=\"getUpdates\",outcome=\"ok\"}", "herald_scheduler_queued", "herald_scheduler_running"} {
		if !strings.Contains(page, "\n"+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestCallerOutcomes: the Caller sorts failures into 429s, other Bot API
// errors and network failures.
func TestCallerOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		&tg.Error{Method: "sendMessage", Code: 429, Description: "Too Many Requests: retry after 3"},
		&tg.Error{Method: "sendMessage", Code: 400, Description: "Bad Request: chat not found"},
		&tg.NetworkError{Method: "sendMessage", Err: context.DeadlineExceeded},
		nil,
	} {
		c := m.Caller(tg.CallerFunc(func(context.Context, string, any, any) error { return err }))
		_ = c.Call(t.Context(), "sendMessage", nil, nil)
	}
	wantLines(t, scrape(t, metrics.Handler(reg)),
		`herald_api_calls_total{method="sendMessage",outcome="too_many"} 1`,
		`herald_api_calls_total{method="sendMessage",outcome="api_error"} 1`,
		`herald_api_calls_total{method="sendMessage",outcome="network_error"} 1`,
		`herald_api_calls_total{method="sendMessage",outcome="ok"} 1`,
		`herald_api_too_many_requests_total 1`,
	)
}
