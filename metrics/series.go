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

type updateSeries struct {
	count prometheus.Counter
	time  prometheus.Observer
}

// callKey is the label set of a Bot API call's series.
type callKey struct{ method, outcome string }

type callSeries struct {
	count prometheus.Counter
	time  prometheus.Observer
}

// seriesCache holds the series met so far (a handful of kinds × the
// handlers; the Bot API methods used × outcomes).
type seriesCache struct {
	updates sync.Map // updateKey → *updateSeries
	calls   sync.Map // callKey → *callSeries
}

func (m *Metrics) updateSeries(k updateKey) *updateSeries {
	if v, ok := m.cache.updates.Load(k); ok {
		return v.(*updateSeries)
	}
	outcome := OK
	if k.failed {
		outcome = Failed
	}
	s := &updateSeries{
		count: m.updates.WithLabelValues(k.kind, k.route, outcome),
		time:  m.handleTime.WithLabelValues(k.kind, k.route),
	}
	v, _ := m.cache.updates.LoadOrStore(k, s)
	return v.(*updateSeries)
}

func (m *Metrics) callSeries(k callKey) *callSeries {
	if v, ok := m.cache.calls.Load(k); ok {
		return v.(*callSeries)
	}
	s := &callSeries{count: m.calls.WithLabelValues(k.method, k.outcome), time: m.callTime.WithLabelValues(k.method)}
	v, _ := m.cache.calls.LoadOrStore(k, s)
	return v.(*callSeries)
}

// epoch is the origin of monotonic.
var epoch = time.Now()

// monotonic reads the monotonic clock only: time.Since of a time that
// has a monotonic reading skips the wall clock, which time.Now also
// reads (half the cost of timing an update).
func monotonic() time.Duration { return time.Since(epoch) }
