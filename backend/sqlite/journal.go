package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/backend"
)

// Journal is the backend.Journal kept in the Store's file (tables
// journal_entries, journal_seen, journal_owners, journal_dead and
// journal_meta): it survives restarts and is shared by the processes that
// open the file. Get it with Store.Journal.
//
// Every call that changes it is one write transaction (BEGIN IMMEDIATE):
// an Append of a whole batch, a Read, a Reclaim, an Ack of many entries.
// Entry IDs are the journal_entries sequence, in decimal, never reused.
type Journal struct {
	s *Store
	n int // partitions

	mu   sync.Mutex
	wake chan struct{} // closed and replaced on every Append and Requeue through this Store
}

var (
	_ backend.Journal        = (*Journal)(nil)
	_ backend.JournalWorkers = (*Journal)(nil)
)

// Journal returns the Store's journal, a *Journal: the same on every call.
func (s *Store) Journal() backend.Journal { return s.journal }

// openJournal reads the partition count the file records, writing
// Options.JournalPartitions (or backend.DefaultPartitions) when it records
// none, and fails with backend.ErrPartitions when the option is set and
// differs from the recorded count.
func (s *Store) openJournal(ctx context.Context) (*Journal, error) {
	want := s.opts.JournalPartitions
	if want < 0 {
		return nil, fmt.Errorf("JournalPartitions must not be negative, got %d", want)
	}
	const read = `SELECT partitions FROM journal_meta WHERE id = 1`
	var n int
	err := s.w.QueryRowContext(ctx, read).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		// The first Open of this schema: record the count, unless another
		// process just did.
		if _, err := s.w.ExecContext(ctx, `INSERT INTO journal_meta (id, partitions) VALUES (1, ?1)
			ON CONFLICT (id) DO NOTHING`, cmp.Or(want, backend.DefaultPartitions)); err != nil {
			return nil, err
		}
		err = s.w.QueryRowContext(ctx, read).Scan(&n)
	}
	if err != nil {
		return nil, err
	}
	if want != 0 && want != n {
		return nil, fmt.Errorf("%w: the file has %d partitions, Options.JournalPartitions is %d",
			backend.ErrPartitions, n, want)
	}
	return &Journal{s: s, n: n, wake: make(chan struct{})}, nil
}

// Partitions returns the partition count recorded in the file.
func (j *Journal) Partitions() int { return j.n }

// Append adds the entries not seen before, in one write transaction: an
// entry with a positive UpdateID is added only if its id is new to
// journal_seen (or its remembrance has run out), which it then holds for
// backend.JournalDedupTTL.
func (j *Journal) Append(ctx context.Context, entries []backend.JournalEntry) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, j.errorf("append", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	// The receiver confirms these updates to Telegram as soon as Append
	// returns, so their commit must survive a power cut too: the store
	// runs at synchronous=NORMAL (a commit survives a crash of the
	// process, not of the machine), and this one transaction is made
	// with synchronous=FULL (one fsync of the WAL per batch).
	conn, err := j.s.w.Conn(ctx)
	if err != nil {
		return 0, j.errorf("append", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
		return 0, j.errorf("append", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=NORMAL")
	tx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE
	if err != nil {
		return 0, j.errorf("append", err)
	}
	defer tx.Rollback()
	now := time.Now()
	fresh, err := j.remember(ctx, tx, entries, now)
	if err != nil {
		return 0, j.errorf("append", err)
	}
	ins := tx.StmtContext(ctx, j.s.stmts.journalInsert)
	added := 0
	for i := range entries {
		e := &entries[i]
		if e.UpdateID > 0 {
			if !fresh[e.UpdateID] {
				continue // a copy
			}
			delete(fresh, e.UpdateID) // the next copy in this batch is one
		}
		meta, err := encodeMeta(e.Meta)
		if err != nil {
			return 0, j.errorf("append", err)
		}
		if _, err := ins.ExecContext(ctx, backend.PartitionOf(e.Key, j.n), e.UpdateID, e.Key, e.Update, meta, now.UnixMicro()); err != nil {
			return 0, j.errorf("append", err)
		}
		added++
	}
	if err := tx.Commit(); err != nil {
		return 0, j.errorf("append", err)
	}
	if added > 0 {
		j.notify()
	}
	return added, nil
}

// remember records the positive update ids of entries in journal_seen,
// in one statement of the write transaction tx, and returns those that
// were new (not remembered, or remembered longer than JournalDedupTTL
// ago).
func (j *Journal) remember(ctx context.Context, tx *sql.Tx, entries []backend.JournalEntry, now time.Time) (map[int64]bool, error) {
	var list []byte
	for _, e := range entries {
		if e.UpdateID > 0 {
			list = strconv.AppendInt(append(list, ','), e.UpdateID, 10)
		}
	}
	if list == nil {
		return nil, nil
	}
	list[0] = '['
	ids, err := scanColumn[int64](tx.StmtContext(ctx, j.s.stmts.journalSeen).QueryContext(ctx,
		string(append(list, ']')), now.Add(backend.JournalDedupTTL).UnixNano(), now.UnixNano()))
	fresh := make(map[int64]bool, len(ids))
	for _, id := range ids {
		fresh[id] = true
	}
	return fresh, err
}

// notify wakes the Reads of this Store that wait for an entry.
func (j *Journal) notify() {
	j.mu.Lock()
	close(j.wake)
	j.wake = make(chan struct{})
	j.mu.Unlock()
}

// woken returns the channel the next notify closes.
func (j *Journal) woken() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.wake
}

func (j *Journal) errorf(op string, err error) error {
	return fmt.Errorf("sqlite: journal %s: %w", op, err)
}

// errorIf is errorf for an error that may be nil.
func (j *Journal) errorIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return j.errorf(op, err)
}

// check rejects an empty owner and a partition out of range.
func (j *Journal) check(p int, owner string) error {
	if owner == "" {
		return errors.New("empty owner")
	}
	return backend.CheckPartition(p, j.n)
}

// entryColumns are the columns scanEntry reads, of journal_entries (and,
// with seq as entry_seq, of journal_dead).
const entryColumns = `seq, part, update_id, key, update_json, meta, appended_at, deliveries`

// scanEntry reads the entryColumns of a row, then the columns extra
// points to.
func scanEntry(row interface{ Scan(...any) error }, extra ...any) (backend.JournalEntry, error) {
	var (
		e        backend.JournalEntry
		seq, at  int64
		meta     sql.NullString
		delivers int64
	)
	dest := append([]any{&seq, &e.Partition, &e.UpdateID, &e.Key, &e.Update, &meta, &at, &delivers}, extra...)
	if err := row.Scan(dest...); err != nil {
		return e, err
	}
	e.ID, e.Appended, e.Deliveries = strconv.FormatInt(seq, 10), time.UnixMicro(at), int(delivers)
	if meta.Valid {
		if err := json.Unmarshal([]byte(meta.String), &e.Meta); err != nil {
			return e, fmt.Errorf("entry %d: meta: %w", seq, err)
		}
	}
	return e, nil
}

// encodeMeta turns an entry's Meta into the meta column: a JSON object, or
// NULL when empty.
func encodeMeta(m map[string]string) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	return string(b), nil
}

// parseSeq turns an entry or dead letter ID back into its sequence number.
func parseSeq(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0
}
