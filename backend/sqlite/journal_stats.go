package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/heraldbot/herald/backend"
)

// Len counts the entries not acknowledged, waiting or pending.
func (j *Journal) Len(ctx context.Context) (int64, error) {
	var n int64
	err := j.s.r.QueryRowContext(ctx, `SELECT count(*) FROM journal_entries`).Scan(&n)
	return n, j.errorIf("len", err)
}

// Stats describes every partition and counts the dead letters, from one
// read transaction (a consistent snapshot).
func (j *Journal) Stats(ctx context.Context) (backend.JournalStats, error) {
	st, err := j.stats(ctx)
	return st, j.errorIf("stats", err)
}

func (j *Journal) stats(ctx context.Context) (backend.JournalStats, error) {
	st := backend.JournalStats{Partitions: make([]backend.PartitionStats, j.n)}
	for i := range st.Partitions {
		st.Partitions[i].Partition = i
	}
	tx, err := j.s.r.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT part, count(*), count(owner), min(appended_at)
		FROM journal_entries GROUP BY part`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var p int
		var length, pending, oldest int64
		if err := rows.Scan(&p, &length, &pending, &oldest); err != nil {
			rows.Close()
			return st, err
		}
		if backend.CheckPartition(p, j.n) == nil {
			ps := &st.Partitions[p]
			ps.Length, ps.Pending, ps.Oldest = length, pending, time.UnixMicro(oldest)
		}
	}
	if err := closeRows(rows); err != nil {
		return st, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT part, owner FROM journal_owners WHERE expires_at > ?1`, j.s.nowNanos())
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var p int
		var owner string
		if err := rows.Scan(&p, &owner); err != nil {
			rows.Close()
			return st, err
		}
		if backend.CheckPartition(p, j.n) == nil {
			st.Partitions[p].Owner = owner
		}
	}
	if err := closeRows(rows); err != nil {
		return st, err
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM journal_dead`).Scan(&st.DeadLetters)
	return st, err
}

// closeRows closes rows read to the end and returns the error that ended
// them, if any.
func closeRows(rows *sql.Rows) error {
	return errors.Join(rows.Err(), rows.Close())
}

// scanColumn reads the one column of every row of a query, and closes
// the rows.
func scanColumn[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, closeRows(rows)
}
