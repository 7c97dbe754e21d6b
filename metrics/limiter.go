package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/limit"
)

// observeLimiter registers the outbound limiter's counters, read from
// b.Limiter().Stats() at scrape time (zero after WithoutLimiter).
func (m *Metrics) observeLimiter(b *herald.Bot) error {
	stats := func() limit.Stats {
		if l := b.Limiter(); l != nil {
			return l.Stats()
		}
		return limit.Stats{}
	}
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "herald", Subsystem: "limiter", Name: name, Help: help}
	}
	for _, c := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts("waiting", "Bot API calls waiting for their turn in the limiter now.")),
			func() float64 { return float64(stats().Waiting) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("granted_total", "Bot API calls the limiter let through (each attempt counts).")),
			func() float64 { return float64(stats().Granted) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("too_many_requests_total", "429 answers the limiter saw (each pauses the chat, or the bot).")),
			func() float64 { return float64(stats().TooManyRequests) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("retries_total", "Bot API calls the limiter repeated after a 429.")),
			func() float64 { return float64(stats().Retried) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("wait_seconds_total", "Total time Bot API calls spent waiting in the limiter.")),
			func() float64 { return stats().Waited.Seconds() }),
	} {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
