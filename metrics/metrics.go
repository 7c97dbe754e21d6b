package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Metrics holds Herald's collectors. Create it with New.
type Metrics struct {
	reg          prometheus.Registerer
	updates      *prometheus.CounterVec
	handleTime   *prometheus.HistogramVec
	calls        *prometheus.CounterVec
	callTime     *prometheus.HistogramVec
	tooManyCalls prometheus.Counter
	webhook      *prometheus.CounterVec // webhook.go
	bcSends      *prometheus.CounterVec // broadcast.go
	bcRemaining  prometheus.Gauge       // broadcast.go
	cache        seriesCache            // series.go
	epoch        time.Time              // the origin of monotonic
}

// Outcomes of an update and of a Bot API call (the "outcome" label).
const (
	OK           = "ok"            // handled, or the call succeeded
	Failed       = "error"         // the handler returned an error
	APIError     = "api_error"     // Telegram answered ok=false (not 429)
	TooMany      = "too_many"      // Telegram answered 429
	NetworkError = "network_error" // no answer: connection, timeout, cancel
)

// New makes the collectors and registers them on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		epoch: time.Now(),
		reg:   reg,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "herald", Name: "updates_total",
			Help: "Updates handled, by kind, handler (router/handler, \"none\" when no handler took it) and outcome (ok or error).",
		}, []string{"kind", "handler", "outcome"}),
		handleTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "herald", Name: "update_handle_seconds",
			Help:    "Time from the start of an update's middleware chain to its end, by kind and handler.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12), // 0.5 ms … ~30 s
		}, []string{"kind", "handler"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "herald", Name: "api_calls_total",
			Help: "Bot API requests, each attempt counted, by method and outcome.",
		}, []string{"method", "outcome"}),
		callTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "herald", Name: "api_call_seconds",
			Help:    "Bot API request latency, by method.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12), // 1 ms … ~60 s
		}, []string{"method"}),
		tooManyCalls: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "herald", Name: "api_too_many_requests_total",
			Help: "Bot API requests answered 429 Too Many Requests.",
		}),
		webhook: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "herald", Name: "webhook_responses_total",
			Help: "Answers of the webhook endpoint, by HTTP status code (200 accepted; 401 bad secret, 413 too large, 415 not JSON, 503 not ready or overloaded, …).",
		}, []string{"code"}),
		bcSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "herald", Subsystem: "broadcast", Name: "sends_total",
			Help: "Broadcast send attempts, by outcome: sent, blocked, failed, skipped (in doubt) or retry (a transient failure, tried again later).",
		}, []string{"outcome"}),
		bcRemaining: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "herald", Subsystem: "broadcast", Name: "remaining",
			Help: "Recipients not yet in a final state, over the campaigns this process is running.",
		}),
	}
	for _, c := range []prometheus.Collector{m.updates, m.handleTime, m.calls, m.callTime, m.tooManyCalls, m.webhook, m.bcSends, m.bcRemaining} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// NoHandler is the "handler" label of an update no handler took.
const NoHandler = "none"

// Middleware counts and times every update, by kind and by the handler
// that took it (Context.Route: "router/handler"); use it as the root
// router's first middleware so that it sees all of them.
func (m *Metrics) Middleware() herald.Handler {
	return func(c *herald.Context) error {
		start := m.monotonic()
		err := c.Next()
		kind := c.Kind().String()
		route := c.Route()
		if route == "" {
			route = NoHandler
		}
		series := m.updateSeries(updateKey{kind, route, err != nil})
		series.count.Inc()
		series.time.Observe((m.monotonic() - start).Seconds())
		return err
	}
}

// Caller is a tg.Middleware that counts and times every Bot API request.
// Given with tg.WithMiddleware it runs inside the retry and the limiter,
// so each attempt is counted.
func (m *Metrics) Caller(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		start := m.monotonic()
		err := next.Call(ctx, method, params, result)
		took := (m.monotonic() - start).Seconds()
		outcome := OK
		var apiErr *tg.Error
		switch {
		case err == nil:
		case errors.As(err, &apiErr) && apiErr.Code == http.StatusTooManyRequests:
			outcome = TooMany
			m.tooManyCalls.Inc()
		case errors.As(err, &apiErr):
			outcome = APIError
		default:
			outcome = NetworkError
		}
		series := m.callSeries(callKey{method, outcome})
		series.count.Inc()
		series.time.Observe(took)
		return err
	})
}

// ObserveBot registers gauges and counters read from the bot when
// scraped: from b.Stats() the scheduler's queued, running and waiting
// tasks, its active chats, and its rejected and panicked tasks; from
// b.Limiter() the outbound limiter's counters (limiter.go); from
// b.Journal() the journal's length, pending entries, lag and dead letters
// (journal.go). It may be called before New has finished building the
// bot (from an Option): everything is read at scrape time.
func (m *Metrics) ObserveBot(b *herald.Bot) error {
	if err := m.observeLimiter(b); err != nil {
		return err
	}
	if err := m.reg.Register(newJournalCollector(b.Journal, journalCacheTTL, journalStatsTimeout)); err != nil {
		return err
	}
	gauge := func(name, help string, v func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "herald", Subsystem: "scheduler", Name: name, Help: help}, v)
	}
	counter := func(name, help string, v func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "herald", Subsystem: "scheduler", Name: name, Help: help}, v)
	}
	for _, c := range []prometheus.Collector{
		gauge("queued", "Updates accepted and not started.", func() float64 { return float64(b.Stats().Queued) }),
		gauge("running", "Updates being handled now.", func() float64 { return float64(b.Stats().Running) }),
		gauge("chats", "Chats with a queued or running update.", func() float64 { return float64(b.Stats().Keys) }),
		gauge("waiting", "Receivers waiting for room in the queue.", func() float64 { return float64(b.Stats().Waiting) }),
		counter("submitted_total", "Updates received for handling (from Telegram, or read from the journal).", func() float64 { return float64(b.Stats().Submitted) }),
		counter("completed_total", "Updates whose handling ended (returned or panicked).", func() float64 { return float64(b.Stats().Completed) }),
		counter("rejected_total", "Updates the scheduler refused (full, closed).", func() float64 { return float64(b.Stats().Rejected) }),
		counter("panicked_total", "Handlers that panicked.", func() float64 { return float64(b.Stats().Panicked) }),
	} {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves g's metrics in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
