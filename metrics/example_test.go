package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/metrics"
)

// A bot whose updates, Bot API calls, scheduler, limiter and journal are
// measured, and the page Prometheus scrapes.
func Example() {
	reg := prometheus.NewRegistry()
	bot, err := herald.New("123456:secret", metrics.Option(reg, reg))
	if err != nil {
		panic(err)
	}
	_ = bot // bot.Router()… then bot.Run(ctx)
	// In a program: http.Handle("GET /metrics", metrics.Handler(reg)).
	w := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	page := w.Body.String()
	fmt.Println(w.Code, strings.Contains(page, "herald_scheduler_queued 0"), strings.Contains(page, "herald_limiter_waiting 0"))
	// Output: 200 true true
}

// The pieces by hand, for a bot that mounts its webhook in its own server.
func ExampleMetrics_WebhookMiddleware() {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		panic(err)
	}
	bot, err := herald.New("123456:secret", m.Option(nil), herald.WithWebhook(herald.WebhookConfig{SecretToken: "s3cret"}))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /telegram", m.WebhookMiddleware(bot.WebhookHandler()))
	mux.Handle("GET /metrics", metrics.Handler(reg))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader("{}"))) // no secret token
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Println(strings.Contains(w.Body.String(), `herald_webhook_responses_total{code="401"} 1`))
	// Output: true
}
