package sqlite

import (
	"context"
	"fmt"
	"time"
)

// sweepTables are the tables whose rows end: a row is deleted once its
// column expires (Unix ns) has passed, if live (0 = never) allows. Rows of
// locks whose lease ended are deleted too: fencing tokens come from
// lock_tokens, so they keep increasing. So are claims whose lease or done
// mark ran out, and limiter rows at rest (a bucket whose theoretical
// arrival time has passed is the same as no row, a pause that ended is no
// pause), the journal's remembered update ids once JournalDedupTTL has
// passed, and partition leases and worker announcements that ran out.
var sweepTables = []struct{ table, key, expires, live string }{
	{"fsm_records", "key", "expires_at", "expires_at > 0"},
	{"locks", "name", "expires_at", "1"},
	{"claims", "name", "expires_at", "1"},
	{"limit_buckets", "bot, scope, chat", "tat", "1"},
	{"journal_seen", "update_id", "expires_at", "1"},
	{"journal_owners", "part", "expires_at", "1"},
	{"journal_workers", "owner", "expires_at", "1"},
}

// Sweep deletes expired rows, at most Options.SweepBatch per table, and
// returns how many it deleted. The background sweeper calls it; it is
// exported for tools and tests. Expired rows are invisible whether or not
// they have been swept.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	n, _, err := s.sweep(ctx)
	return n, err
}

// sweep also reports whether some table had more expired rows than the
// batch allowed.
func (s *Store) sweep(ctx context.Context) (total int64, full bool, err error) {
	now := s.nowNanos()
	for _, t := range sweepTables {
		q := fmt.Sprintf(`DELETE FROM %[1]s WHERE (%[2]s) IN (
			SELECT %[2]s FROM %[1]s WHERE %[4]s AND %[3]s <= ?1 LIMIT ?2)`, t.table, t.key, t.expires, t.live)
		n, err := rowsAffected(s.w.ExecContext(ctx, q, now, s.opts.SweepBatch))
		if err != nil {
			return total, full, fmt.Errorf("sqlite: sweep %s: %w", t.table, err)
		}
		total += n
		full = full || n >= int64(s.opts.SweepBatch)
	}
	return total, full, nil
}

// sweepLoop runs Sweep every SweepInterval until Close. A sweep that hit
// its bound is followed by another after a short pause, so a backlog
// drains without holding the write connection for long.
func (s *Store) sweepLoop() {
	defer s.wg.Done()
	const backlogPause = 20 * time.Millisecond
	t := time.NewTimer(s.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		next := s.opts.SweepInterval
		_, full, err := s.sweep(s.ctx)
		switch {
		case err != nil && s.ctx.Err() == nil:
			s.log.Warn("herald sqlite: sweep failed", "path", s.path, "err", err)
		case full:
			next = min(next, backlogPause)
		}
		t.Reset(next)
	}
}
