package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald/backend"
)

// A scrape reads the journal's Stats (one query per partition on some
// engines) at most once per journalCacheTTL, and waits for it at most
// journalStatsTimeout; a scrape that finds the journal failing or slow
// (a failure is remembered for the TTL too) reports no journal gauges,
// and herald_journal_stats_errors_total counts the failures.
const (
	journalCacheTTL     = 2 * time.Second
	journalStatsTimeout = time.Second
)

// journalCollector reports a journal's totals from its Stats, cached.
type journalCollector struct {
	journal func() backend.Journal // nil result: no journal, nothing reported
	ttl     time.Duration
	timeout time.Duration

	length, pending, lag, dead, owned, partitions *prometheus.Desc
	errors                                        prometheus.Counter

	mu sync.Mutex // one Stats at a time; guards what follows
	at time.Time  // when Stats was last called (zero: never)
	ok bool       // whether that call succeeded
	st backend.JournalStats
}

func newJournalCollector(journal func() backend.Journal, ttl, timeout time.Duration) *journalCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName("herald", "journal", name), help, nil, nil)
	}
	return &journalCollector{
		journal: journal, ttl: ttl, timeout: timeout,
		length:     d("length", "Entries appended and not acknowledged, over all partitions (waiting and pending)."),
		pending:    d("pending", "Entries delivered to a worker and not acknowledged yet."),
		lag:        d("lag_seconds", "Age of the oldest entry not acknowledged, over all partitions (0 when none)."),
		dead:       d("dead_letters", "Entries in the dead letters."),
		owned:      d("partitions_owned", "Partitions whose lease a worker holds."),
		partitions: d("partitions", "Partitions of the journal."),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "herald", Subsystem: "journal", Name: "stats_errors_total",
			Help: "Scrapes that could not read the journal's stats (failed or timed out)."}),
	}
}

func (c *journalCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.length, c.pending, c.lag, c.dead, c.owned, c.partitions} {
		ch <- d
	}
	c.errors.Describe(ch)
}

func (c *journalCollector) Collect(ch chan<- prometheus.Metric) {
	j := c.journal()
	if j == nil {
		return
	}
	defer c.errors.Collect(ch)
	st, ok := c.stats(j)
	if !ok {
		return
	}
	var length, pending, owned int64
	var lag time.Duration
	now := time.Now()
	for _, p := range st.Partitions {
		length += p.Length
		pending += p.Pending
		if p.Owner != "" {
			owned++
		}
		if !p.Oldest.IsZero() {
			lag = max(lag, now.Sub(p.Oldest)) // the engine's clock may run ahead: max with 0
		}
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	gauge(c.length, float64(length))
	gauge(c.pending, float64(pending))
	gauge(c.lag, lag.Seconds())
	gauge(c.dead, float64(st.DeadLetters))
	gauge(c.owned, float64(owned))
	gauge(c.partitions, float64(len(st.Partitions)))
}

// stats returns j's stats, read again when the last reading (or failure:
// a failing journal is not asked again at every scrape either) is older
// than the TTL.
func (c *journalCollector) stats(j backend.Journal) (backend.JournalStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.ttl {
		return c.st, c.ok
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := j.Stats(ctx)
	c.at, c.st, c.ok = time.Now(), st, err == nil
	if err != nil {
		c.errors.Inc()
	}
	return c.st, c.ok
}
