package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/backend"
)

// journalPoll is how often a waiting Read looks in the file for entries
// appended by other processes. An Append through the same Store wakes it
// at once.
const journalPoll = 25 * time.Millisecond

// Read hands owner up to max entries never delivered, oldest first (in
// sequence order, so in order within each partition), marking them
// delivered to owner in one write transaction. When none is waiting it
// waits up to wait: an Append through the same Store wakes it at once,
// and it looks in the file every 25 ms for appends of other processes.
func (j *Journal) Read(ctx context.Context, owner string, ps []int, max int, wait time.Duration) ([]backend.JournalEntry, error) {
	if err := backend.CheckJournalRead(owner, ps, max, j.n); err != nil {
		return nil, j.errorf("read", err)
	}
	ps = slices.Compact(slices.Sorted(slices.Values(ps)))
	list := partitionList(ps)
	var deadline, poll <-chan time.Time
	for {
		wake := j.woken()
		out, err := j.deliver(ctx, owner, ps, list, max)
		if err != nil || len(out) > 0 || wait <= 0 {
			return out, err
		}
		if deadline == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			tick := time.NewTicker(journalPoll)
			defer tick.Stop()
			deadline, poll = t.C, tick.C
		}
		select {
		case <-ctx.Done():
			return nil, j.errorf("read", ctx.Err())
		case <-j.s.ctx.Done():
			return nil, j.errorf("read", errClosed)
		case <-deadline:
			return nil, nil
		case <-wake:
		case <-poll:
		}
	}
}

// partitionList is ps as a JSON array, for json_each.
func partitionList(ps []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(p))
	}
	b.WriteByte(']')
	return b.String()
}

// deliver is one attempt of Read. It first asks the read pool whether
// anything waits in ps (list), so that idle readers do not queue on the
// write lock; then, in one write transaction, it takes the oldest max
// waiting entries of ps.
func (j *Journal) deliver(ctx context.Context, owner string, ps []int, list string, max int) ([]backend.JournalEntry, error) {
	var found bool
	if err := j.s.stmts.journalAny.QueryRowContext(ctx, list).Scan(&found); err != nil || !found {
		return nil, j.errorIf("read", err)
	}
	tx, err := j.s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, j.errorf("read", err)
	}
	defer tx.Rollback()
	// The oldest max of each partition, then the oldest max of those.
	waiting := tx.StmtContext(ctx, j.s.stmts.journalWaiting)
	var seqs []int64
	for _, p := range ps {
		some, err := scanColumn[int64](waiting.QueryContext(ctx, p, max))
		if err != nil {
			return nil, j.errorf("read", err)
		}
		seqs = append(seqs, some...)
	}
	slices.Sort(seqs)
	seqs = seqs[:min(max, len(seqs))]
	// One statement for the whole batch (a statement per entry cost a
	// third of a Read).
	taken := make([]int, len(seqs))
	for i, seq := range seqs {
		taken[i] = int(seq)
	}
	out, err := scanEntries(tx.StmtContext(ctx, j.s.stmts.journalDeliver).QueryContext(ctx, partitionList(taken), owner))
	if err != nil {
		return nil, j.errorf("read", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, j.errorf("read", err)
	}
	return out, nil
}

// Reclaim hands owner the delivered, unacknowledged entries of p, oldest
// first, in one write transaction. Only the oldest entry of each key is
// counted one more delivery (only it may have been running); one already
// delivered maxDeliveries times (when that is positive) goes to the dead
// letters instead.
func (j *Journal) Reclaim(ctx context.Context, p int, owner string, maxDeliveries int) ([]backend.JournalEntry, error) {
	if err := j.check(p, owner); err != nil {
		return nil, j.errorf("reclaim", err)
	}
	tx, err := j.s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, j.errorf("reclaim", err)
	}
	defer tx.Rollback()
	// The oldest delivered entry of each key, as a JSON array of seqs.
	var charged string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(json_group_array(s), '[]') FROM
		(SELECT min(seq) AS s FROM journal_entries WHERE part = ?1 AND owner IS NOT NULL GROUP BY key)`, p).Scan(&charged); err != nil {
		return nil, j.errorf("reclaim", err)
	}
	if maxDeliveries > 0 {
		reason := func(e backend.JournalEntry) string {
			return "delivered " + strconv.Itoa(e.Deliveries) + " times without an acknowledgement"
		}
		if err := j.bury(ctx, tx, reason, `part = ?1 AND deliveries >= ?2 AND seq IN (SELECT value FROM json_each(?3))`,
			p, maxDeliveries, charged); err != nil {
			return nil, j.errorf("reclaim", err)
		}
	}
	out, err := queryEntries(ctx, tx, `UPDATE journal_entries SET owner = ?2,
		deliveries = deliveries + (seq IN (SELECT value FROM json_each(?3)))
		WHERE part = ?1 AND owner IS NOT NULL RETURNING `+entryColumns, p, owner, charged)
	if err != nil {
		return nil, j.errorf("reclaim", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, j.errorf("reclaim", err)
	}
	return out, nil
}

// Ack deletes the entries, all in one write transaction. References to
// entries that are not there (any more) are skipped.
func (j *Journal) Ack(ctx context.Context, refs ...backend.JournalRef) error {
	if len(refs) == 0 {
		return nil
	}
	tx, err := j.s.w.BeginTx(ctx, nil)
	if err != nil {
		return j.errorf("ack", err)
	}
	defer tx.Rollback()
	ack := tx.StmtContext(ctx, j.s.stmts.journalAck)
	for _, r := range refs {
		if seq, ok := parseSeq(r.ID); ok {
			if _, err := ack.ExecContext(ctx, seq, r.Partition); err != nil {
				return j.errorf("ack", err)
			}
		}
	}
	return j.errorIf("ack", tx.Commit())
}

// Bury moves the entry to the dead letters with reason, in one write
// transaction. An entry that is not there is skipped.
func (j *Journal) Bury(ctx context.Context, ref backend.JournalRef, reason string) error {
	if err := backend.CheckPartition(ref.Partition, j.n); err != nil {
		return j.errorf("bury", err)
	}
	seq, ok := parseSeq(ref.ID)
	if !ok {
		return nil
	}
	tx, err := j.s.w.BeginTx(ctx, nil)
	if err != nil {
		return j.errorf("bury", err)
	}
	defer tx.Rollback()
	why := func(backend.JournalEntry) string { return reason }
	if err := j.bury(ctx, tx, why, `seq = ?1 AND part = ?2`, seq, ref.Partition); err != nil {
		return j.errorf("bury", err)
	}
	return j.errorIf("bury", tx.Commit())
}

// bury moves the entries matching where (with args) from journal_entries
// to journal_dead, oldest first, each with the reason reason gives; tx is
// the caller's write transaction.
func (j *Journal) bury(ctx context.Context, tx *sql.Tx, reason func(backend.JournalEntry) string, where string, args ...any) error {
	dead, err := queryEntries(ctx, tx, `DELETE FROM journal_entries WHERE `+where+` RETURNING `+entryColumns, args...)
	if err != nil || len(dead) == 0 {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO journal_dead
		(entry_seq, part, update_id, key, update_json, meta, appended_at, deliveries, reason, died_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	now := time.Now().UnixMicro()
	for _, e := range dead {
		seq, _ := parseSeq(e.ID)
		meta, err := encodeMeta(e.Meta)
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, seq, e.Partition, e.UpdateID, e.Key, e.Update, meta,
			e.Appended.UnixMicro(), e.Deliveries, reason(e), now); err != nil {
			return err
		}
	}
	return nil
}

// queryEntries runs q, which returns entryColumns, in tx and returns the
// entries in sequence order.
func queryEntries(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]backend.JournalEntry, error) {
	return scanEntries(tx.QueryContext(ctx, q, args...))
}

// scanEntries reads rows of entryColumns and returns the entries in
// sequence order.
func scanEntries(rows *sql.Rows, err error) ([]backend.JournalEntry, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []backend.JournalEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b backend.JournalEntry) int {
		x, _ := parseSeq(a.ID)
		y, _ := parseSeq(b.ID)
		return cmp.Compare(x, y)
	})
	return out, rows.Close()
}
