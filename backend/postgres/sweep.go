package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// sweepLock is the key of the advisory lock that lets one process at a
// time sweep schema.
func sweepLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("herald sweep\x00" + schema))
	return int64(h.Sum64())
}

// sweeps are the deletes of one sweep, "{s}" standing for the schema, $1
// for the batch size and, in the locks', $2 for lockGrace in µs. Rows are picked with SKIP LOCKED, so a sweep
// never waits for a row in use. Lock rows stay for an hour after their
// lease ended (lockGrace): see the package documentation on fencing.
var sweeps = []struct {
	table, query string
	grace        bool // takes $2
}{
	{"fsm_records", `DELETE FROM {s}.fsm_records WHERE ctid IN (
		SELECT ctid FROM {s}.fsm_records WHERE expires_at <= clock_timestamp() LIMIT $1 FOR UPDATE SKIP LOCKED)`, false},
	{"claims", `DELETE FROM {s}.claims WHERE ctid IN (
		SELECT ctid FROM {s}.claims WHERE expires_at <= clock_timestamp() LIMIT $1 FOR UPDATE SKIP LOCKED)`, false},
	{"locks", `DELETE FROM {s}.locks WHERE ctid IN (
		SELECT ctid FROM {s}.locks WHERE expires_at <= clock_timestamp() - $2::bigint * interval '1 microsecond'
		LIMIT $1 FOR UPDATE SKIP LOCKED)`, true},
	{"limit_state", `DELETE FROM {s}.limit_state WHERE ctid IN (
		SELECT ctid FROM {s}.limit_state WHERE tat <= {s}.now_us() LIMIT $1 FOR UPDATE SKIP LOCKED)`, false},
}

// sweepLoop runs Sweep every SweepInterval (the first after a random part
// of it, so that processes started together do not all try at once).
func (s *Store) sweepLoop() {
	defer s.wg.Done()
	every := s.opts.SweepInterval
	t := time.NewTimer(every/2 + rand.N(every/2+1))
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.Sweep(s.ctx)
		switch {
		case s.ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("herald postgres: sweep failed", "schema", s.opts.Schema, "err", err)
		case n > 0:
			s.log.Debug("herald postgres: swept expired rows", "schema", s.opts.Schema, "rows", n)
		}
		t.Reset(every)
	}
}

// Sweep deletes expired rows now: records and claims whose time ran out,
// lock rows idle for an hour and limiter buckets at rest, at most
// Options.SweepBatch of each table. It runs in one transaction that takes
// a transaction-level advisory lock first; when another process is
// sweeping the schema it does nothing. It returns the rows deleted.
// Expired rows are invisible whether swept or not: sweeping only frees
// space.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	var total int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", sweepLock(s.opts.Schema)).Scan(&mine); err != nil {
			return err
		}
		if !mine {
			return nil
		}
		for _, sw := range sweeps {
			q := strings.ReplaceAll(sw.query, "{s}", s.schema)
			args := []any{s.opts.SweepBatch}
			if sw.grace {
				args = append(args, micros(lockGrace))
			}
			tag, err := tx.Exec(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", sw.table, err)
			}
			total += tag.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: sweep: %w", err)
	}
	return total, nil
}
