package postgres

import (
	"sync"
	"testing"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
)

// TestContract runs the shared contract suites against the test server,
// each subtest on a schema of its own; the LimitStore suite's second
// handle is a second Store (a pool of its own) on the same schema, as a
// second process would have. Lock leases, TTLs and claims run on the
// server's real clock, so the subtests, which mostly wait, run in
// parallel.
func TestContract(t *testing.T) {
	t.Parallel()
	var parallel sync.Map // *testing.T → already parallel
	open := func(t *testing.T) backend.Backend {
		if _, again := parallel.LoadOrStore(t, true); !again { // a subtest may open two
			t.Parallel()
		}
		return newStore(t)
	}
	backendtest.Run(t, open, backendtest.Options{
		Reopen: func(t *testing.T, b backend.Backend) backend.Backend {
			s := b.(*Store)
			return openAt(t, s.pool.Config().ConnString(), s.Schema(), Options{})
		},
		ExpireLock:  expireLock,
		StopRenewal: stopRenewal,
	})
}

// stopRenewal stops the renewal of a held lock and leaves its lease to run
// out, as a killed holder's would.
func stopRenewal(t *testing.T, lk backend.Lock) {
	lk.(*Lock).stopRenewal()
}

// expireLock ends the lease of a held lock now, as if its holder had
// crashed long ago: the renewal stops and the lease is over.
func expireLock(t *testing.T, lk backend.Lock) {
	l := lk.(*Lock)
	l.stopRenewal()
	if _, err := l.s.pool.Exec(t.Context(), "UPDATE "+l.s.schema+".locks SET expires_at = '-infinity' WHERE name = $1 AND token = $2",
		l.name, l.token); err != nil {
		t.Fatal(err)
	}
}
