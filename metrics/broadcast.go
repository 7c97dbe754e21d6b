package metrics

import (
	"context"
	"sync"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/tg"
)

// Outcomes of a broadcast send (the "outcome" label of
// herald_broadcast_sends_total), from the recipient's state after it.
const (
	BroadcastSent    = "sent"    // posted
	BroadcastBlocked = "blocked" // 403: the user blocked the bot
	BroadcastFailed  = "failed"  // a 4xx, or transient failures on every attempt
	BroadcastSkipped = "skipped" // in doubt, not sent again (at most once)
	BroadcastRetry   = "retry"   // a transient failure, tried again later
)

// RunBroadcast is broadcast.Run, counted: every attempt's outcome goes to
// herald_broadcast_sends_total{outcome}, and the campaign's recipients
// not yet in a final state to herald_broadcast_remaining while it runs
// (the gauge sums the campaigns this process runs at once). The
// OnResult and OnProgress of opts are still called.
func (m *Metrics) RunBroadcast(ctx context.Context, client *tg.Client, store broadcast.Store, id int64, opts broadcast.Options) (broadcast.Progress, error) {
	opts, done := m.broadcastOptions(opts)
	defer done()
	return broadcast.Run(ctx, client, store, id, opts)
}

// broadcastOptions wraps the callbacks of opts for one run; done takes
// the run's remaining recipients off the gauge.
func (m *Metrics) broadcastOptions(opts broadcast.Options) (_ broadcast.Options, done func()) {
	onResult, onProgress := opts.OnResult, opts.OnProgress
	opts.OnResult = func(r broadcast.Recipient) {
		m.bcSends.WithLabelValues(broadcastOutcome(r.Status)).Inc()
		if onResult != nil {
			onResult(r)
		}
	}
	var (
		mu        sync.Mutex
		remaining int // this run's share of the gauge
	)
	opts.OnProgress = func(p broadcast.Progress) {
		mu.Lock()
		m.bcRemaining.Add(float64(p.Remaining() - remaining))
		remaining = p.Remaining()
		mu.Unlock()
		if onProgress != nil {
			onProgress(p)
		}
	}
	return opts, func() {
		mu.Lock()
		defer mu.Unlock()
		m.bcRemaining.Sub(float64(remaining))
		remaining = 0
	}
}

func broadcastOutcome(s broadcast.Status) string {
	switch s {
	case broadcast.Sent:
		return BroadcastSent
	case broadcast.Blocked:
		return BroadcastBlocked
	case broadcast.Failed:
		return BroadcastFailed
	case broadcast.Skipped:
		return BroadcastSkipped
	}
	return BroadcastRetry
}
