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
	"github.com/heraldbot/herald/backend/memory"
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

// conversation runs a bot wired with metrics.Option (limiter on, an
// in-memory journal) against the emulator over HTTP: two users get an
// echo, a third's /fail fails. It returns the scraped page once the
// failure is counted and the journal is empty.
func conversation(t *testing.T) string {
	t.Helper()
	srv := emutest.Start(t, emutest.NoLimits())
	reg := prometheus.NewRegistry()
	const token = "7401:metrics"
	bot, err := herald.New(token, metrics.Option(reg, reg),
		herald.WithLogger(emutest.Quiet()), herald.WithErrorReply(""),
		herald.WithJournal(memory.NewJournal(4), herald.JournalConfig{}),
		herald.WithClientOptions(tg.WithBaseURL(srv.URL)),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: emutest.Quiet()}))
	if err != nil {
		t.Fatal(err)
	}
	bot.Router().Command("fail", func(*herald.Context) error { return errors.New("boom") })
	bot.Router().Message(echo)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	for i, text := range []string{"hello", "there"} {
		c := &emutest.Chat{T: t, Emu: srv.Emu, Token: token, User: tg.User{ID: int64(100 + i), FirstName: "U"}}
		c.SendWait(text, "echo: "+text)
	}
	failer := &emutest.Chat{T: t, Emu: srv.Emu, Token: token, User: tg.User{ID: 200, FirstName: "F"}}
	failer.Send("/fail")
	h := metrics.Handler(reg)
	var page string
	emutest.Until(t, 10*time.Second, "the failed update to be counted, the journal emptied and the scheduler idle", func() bool {
		page = scrape(t, h)
		return strings.Contains(page, `herald_updates_total{handler="root//fail",kind="message",outcome="error"} 1`) &&
			strings.Contains(page, "\nherald_journal_length 0\n") &&
			strings.Contains(page, "\nherald_scheduler_completed_total 3\n")
	})
	return page
}

func echo(c *herald.Context) error {
	_, err := c.Reply("echo: " + c.Text())
	return err
}

// TestScrapeAfterConversation: after a scripted conversation the scraped
// counters and histograms say what happened — updates by kind, handler
// and outcome, Bot API calls, the limiter, the journal, the process.
func TestScrapeAfterConversation(t *testing.T) {
	page := conversation(t)
	wantLines(t, page,
		`herald_updates_total{handler="root/metrics_test.echo",kind="message",outcome="ok"} 2`,
		`herald_updates_total{handler="root//fail",kind="message",outcome="error"} 1`,
		`herald_update_handle_seconds_count{handler="root/metrics_test.echo",kind="message"} 2`,
		`herald_update_handle_seconds_count{handler="root//fail",kind="message"} 1`,
		`herald_api_calls_total{method="sendMessage",outcome="ok"} 2`,
		`herald_api_call_seconds_count{method="sendMessage"} 2`,
		`herald_scheduler_panicked_total 0`,
		`herald_scheduler_submitted_total 3`,
		`herald_scheduler_completed_total 3`,
		`herald_limiter_granted_total 2`,
		`herald_limiter_too_many_requests_total 0`,
		`herald_limiter_waiting 0`,
		`herald_journal_length 0`,
		`herald_journal_pending 0`,
		`herald_journal_lag_seconds 0`,
		`herald_journal_partitions 4`,
		`herald_journal_dead_letters 0`,
		`herald_journal_stats_errors_total 0`,
	)
	for _, name := range []string{"herald_api_calls_total{method=\"getUpdates\",outcome=\"ok\"}", "herald_scheduler_queued", "herald_scheduler_running",
		"herald_limiter_wait_seconds_total", "go_goroutines", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
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
