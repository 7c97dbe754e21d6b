package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald/backend"
)

// statsJournal is a journal whose Stats is stats (the other methods are
// not called by the collector).
type statsJournal struct {
	backend.Journal
	calls atomic.Int32
	stats func(ctx context.Context) (backend.JournalStats, error)
}

func (j *statsJournal) Stats(ctx context.Context) (backend.JournalStats, error) {
	j.calls.Add(1)
	return j.stats(ctx)
}

// page scrapes reg.
func page(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	w := httptest.NewRecorder()
	Handler(reg).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return w.Body.String()
}

func journalRegistry(t *testing.T, j backend.Journal) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(newJournalCollector(func() backend.Journal { return j }, 2*time.Second, time.Second))
	return reg
}

func wantIn(t *testing.T, p string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(p, "\n"+l+"\n") {
			t.Errorf("page lacks %q:\n%s", l, p)
		}
	}
}

// The totals and the lag of the oldest entry; Stats is read once per TTL
// however often Prometheus scrapes.
func TestJournalGaugesAndCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		j := &statsJournal{stats: func(context.Context) (backend.JournalStats, error) {
			return backend.JournalStats{DeadLetters: 2, Partitions: []backend.PartitionStats{
				{Partition: 0, Length: 3, Pending: 1, Oldest: start.Add(-5 * time.Second), Owner: "w1"},
				{Partition: 1, Length: 4, Pending: 2, Oldest: start.Add(-2 * time.Second)},
				{Partition: 2},
			}}, nil
		}}
		reg := journalRegistry(t, j)
		wantIn(t, page(t, reg),
			"herald_journal_length 7", "herald_journal_pending 3", "herald_journal_lag_seconds 5",
			"herald_journal_dead_letters 2", "herald_journal_partitions 3", "herald_journal_partitions_owned 1",
			"herald_journal_stats_errors_total 0")
		time.Sleep(time.Second)
		page(t, reg)
		if n := j.calls.Load(); n != 1 {
			t.Fatalf("Stats called %d times within the TTL, want 1", n)
		}
		time.Sleep(time.Second) // the TTL has passed: read again, lag measured now
		wantIn(t, page(t, reg), "herald_journal_lag_seconds 7")
		if n := j.calls.Load(); n != 2 {
			t.Fatalf("Stats called %d times after the TTL, want 2", n)
		}
	})
}

// A journal that does not answer costs a scrape the timeout, once per
// TTL: no gauges, and the failure counted.
func TestJournalSlowOrFailing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fail atomic.Bool
		j := &statsJournal{stats: func(ctx context.Context) (backend.JournalStats, error) {
			if fail.Load() {
				return backend.JournalStats{}, errors.New("down")
			}
			<-ctx.Done() // hangs until the collector gives up
			return backend.JournalStats{}, ctx.Err()
		}}
		reg := journalRegistry(t, j)
		start := time.Now()
		p := page(t, reg)
		if took := time.Since(start); took != time.Second {
			t.Errorf("scrape took %v, want the 1 s timeout", took)
		}
		if strings.Contains(p, "herald_journal_length") {
			t.Errorf("gauges reported without stats:\n%s", p)
		}
		wantIn(t, p, "herald_journal_stats_errors_total 1")
		start = time.Now()
		page(t, reg) // within the TTL: not asked again, not waited for
		if took := time.Since(start); took != 0 || j.calls.Load() != 1 {
			t.Errorf("second scrape took %v and made %d calls; want 0 s, 1", took, j.calls.Load())
		}
		fail.Store(true)
		time.Sleep(2 * time.Second)
		wantIn(t, page(t, reg), "herald_journal_stats_errors_total 2")
	})
}

// Without a journal nothing of it is reported.
func TestNoJournal(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newJournalCollector(func() backend.Journal { return nil }, time.Second, time.Second))
	if p := page(t, reg); strings.Contains(p, "herald_journal") {
		t.Errorf("journal metrics without a journal:\n%s", p)
	}
}
