package sqlite

import (
	"context"
	"strconv"
	"time"

	"github.com/heraldbot/herald/backend"
)

// DeadLetters lists up to max dead letters, oldest first.
func (j *Journal) DeadLetters(ctx context.Context, max int) ([]backend.DeadLetter, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := j.s.r.QueryContext(ctx, `SELECT entry_seq, part, update_id, key, update_json, meta,
		appended_at, deliveries, id, reason, died_at FROM journal_dead ORDER BY id LIMIT ?1`, max)
	if err != nil {
		return nil, j.errorf("dead letters", err)
	}
	defer rows.Close()
	var out []backend.DeadLetter
	for rows.Next() {
		var (
			d       backend.DeadLetter
			id, at  int64
			errScan error
		)
		d.Entry, errScan = scanEntry(rows, &id, &d.Reason, &at)
		if errScan != nil {
			return nil, j.errorf("dead letters", errScan)
		}
		d.ID, d.Died = strconv.FormatInt(id, 10), time.UnixMicro(at)
		out = append(out, d)
	}
	return out, j.errorIf("dead letters", rows.Err())
}

// Requeue appends the dead letters with the given ids again, as new
// entries at the end of their partitions (with their update id, key,
// update and meta, never delivered), and deletes them from the dead
// letters, all in one write transaction. Unknown ids are skipped.
func (j *Journal) Requeue(ctx context.Context, ids ...string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tx, err := j.s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, j.errorf("requeue", err)
	}
	defer tx.Rollback()
	now := time.Now().UnixMicro()
	n := 0
	for _, id := range ids {
		seq, ok := parseSeq(id)
		if !ok {
			continue
		}
		added, err := rowsAffected(tx.ExecContext(ctx, `INSERT INTO journal_entries
			(part, update_id, key, update_json, meta, appended_at)
			SELECT part, update_id, key, update_json, meta, ?2 FROM journal_dead WHERE id = ?1`, seq, now))
		if err != nil {
			return 0, j.errorf("requeue", err)
		}
		if added == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM journal_dead WHERE id = ?1`, seq); err != nil {
			return 0, j.errorf("requeue", err)
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, j.errorf("requeue", err)
	}
	if n > 0 {
		j.notify()
	}
	return n, nil
}
