package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The counters and histograms of one label set are looked up once and
// kept: a Vec's WithLabelValues validates and hashes the labels on every
// call, which would be most of the Middleware's cost per update.

// updateKey is the label set of an update's series.
type updateKey struct {
	kind, route string
	failed      bool
}

// series is the counter and the latency histogram of one label set.
type series struct {
	count prometheus.Counter
	time  prometheus.Observer
}

// callKey is the label set of a Bot API call's series.
type callKey struct{ method, outcome string }

// seriesCache holds the series met so far (a handful of kinds × the
// handlers; the Bot API methods used × outcomes).
type seriesCache struct {
	updates sync.Map // updateKey → *series
	calls   sync.Map // callKey → *series
}

func (m *Metrics) updateSeries(k updateKey) *series {
	if v, ok := m.cache.updates.Load(k); ok {
		return v.(*series)
	}
	outcome := OK
	if k.failed {
		outcome = Failed
	}
	s := &series{
		count: m.updates.WithLabelValues(k.kind, k.route, outcome),
		time:  m.handleTime.WithLabelValues(k.kind, k.route),
	}
	v, _ := m.cache.updates.LoadOrStore(k, s)
	return v.(*series)
}

func (m *Metrics) callSeries(k callKey) *series {
	if v, ok := m.cache.calls.Load(k); ok {
		return v.(*series)
	}
	s := &series{count: m.calls.WithLabelValues(k.method, k.outcome), time: m.callTime.WithLabelValues(k.method)}
	v, _ := m.cache.calls.LoadOrStore(k, s)
	return v.(*series)
}

// monotonic reads the monotonic clock only: time.Since of a time that
// has a monotonic reading (m.epoch, taken by New) skips the wall clock,
// which time.Now also reads (half the cost of timing an update).
func (m *Metrics) monotonic() time.Duration { return time.Since(m.epoch) }
