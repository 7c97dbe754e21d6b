package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// applicationID marks a file as Herald's (PRAGMA application_id, "HRLD"),
// so that Open refuses another program's database instead of adding tables
// to it.
const applicationID = 0x48524c44

// migrations turn schema version i into version i+1 (PRAGMA user_version).
// Append only: a released migration is never edited. Each runs in the same
// transaction as the version bump.
var migrations = []string{
	// 1: conversation records, marks (dropped by 4), locks.
	`
CREATE TABLE fsm_records (
	key        TEXT    NOT NULL PRIMARY KEY, -- backend.Key.String()
	state      TEXT    NOT NULL,
	data       BLOB,                         -- NULL: no data
	version    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0    -- Unix ns; 0: never
) WITHOUT ROWID;
CREATE INDEX fsm_records_expiry ON fsm_records (expires_at) WHERE expires_at > 0;

CREATE TABLE marks (
	name       TEXT    NOT NULL PRIMARY KEY,
	expires_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX marks_expiry ON marks (expires_at) WHERE expires_at > 0;

CREATE TABLE locks (
	name       TEXT    NOT NULL PRIMARY KEY,
	token      INTEGER NOT NULL,             -- fencing token of the holder
	expires_at INTEGER NOT NULL              -- end of the lease, Unix ns
) WITHOUT ROWID;
CREATE INDEX locks_expiry ON locks (expires_at);

-- The last fencing token handed out, for every name: tokens stay
-- increasing although released and expired lock rows are deleted.
CREATE TABLE lock_tokens (
	id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	last INTEGER NOT NULL
);
INSERT INTO lock_tokens (id, last) VALUES (1, 0);
`,
	// 2: broadcast campaigns and their recipients (package broadcast).
	`
CREATE TABLE broadcast_campaigns (
	id          INTEGER NOT NULL PRIMARY KEY,
	name        TEXT    NOT NULL,
	message     TEXT    NOT NULL,            -- broadcast.Message as JSON
	paid        INTEGER NOT NULL,            -- allow_paid_broadcast
	created_at  INTEGER NOT NULL,            -- Unix ns
	total       INTEGER NOT NULL,
	lease_owner TEXT    NOT NULL DEFAULT '', -- runner sending it; '': none
	lease_until INTEGER NOT NULL DEFAULT 0   -- end of its lease, Unix ns
);

CREATE TABLE broadcast_recipients (
	campaign   INTEGER NOT NULL,
	seq        INTEGER NOT NULL,             -- position in the campaign, from 1
	chat       INTEGER NOT NULL,
	status     TEXT    NOT NULL,             -- pending, sending, sent, blocked, failed, skipped
	message_id INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL DEFAULT 0,   -- Unix ns
	PRIMARY KEY (campaign, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX broadcast_recipients_chat ON broadcast_recipients (campaign, chat);
CREATE INDEX broadcast_recipients_status ON broadcast_recipients (campaign, status, seq);
`,
	// 3: claims (backend.Claims): pending with a lease, then done for a ttl.
	`
CREATE TABLE claims (
	name       TEXT    NOT NULL PRIMARY KEY,
	owner      TEXT    NOT NULL,             -- the claim attempt that took it
	done       INTEGER NOT NULL DEFAULT 0,   -- 0: pending, 1: done
	expires_at INTEGER NOT NULL              -- end of the lease or of the done mark, Unix ns
) WITHOUT ROWID;
CREATE INDEX claims_expiry ON claims (expires_at);
`,
	// 4: the outbound limiter's buckets and 429 pauses (backend.LimitStore),
	// shared by the processes that open the file; marks, superseded by
	// claims, go.
	`
CREATE TABLE limit_buckets (
	bot   INTEGER NOT NULL,                  -- the bot's id
	scope INTEGER NOT NULL,                  -- backend.LimitScope: a bucket, or a pause
	chat  TEXT    NOT NULL,                  -- the chat's id or @username; '' for the bot's own
	tat   INTEGER NOT NULL,                  -- Unix ns: when the bucket is at rest again, or the pause ends
	PRIMARY KEY (bot, scope, chat)
) WITHOUT ROWID;
CREATE INDEX limit_buckets_tat ON limit_buckets (tat);

DROP TABLE marks;
`,
	// 5: the update journal (backend.Journal, journal.go): entries in
	// partitions, the update ids seen, partition leases, the workers alive,
	// dead letters and the partition count (its row is written by Open).
	`
CREATE TABLE journal_entries (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- the entry's ID and order; never reused
	part        INTEGER NOT NULL,             -- backend.PartitionOf(key, partitions)
	update_id   INTEGER NOT NULL,
	key         INTEGER NOT NULL,
	update_json BLOB,                         -- the update as received
	meta        TEXT,                         -- JSON object of strings; NULL: none
	appended_at INTEGER NOT NULL,             -- Unix µs
	owner       TEXT,                         -- delivered to; NULL: never delivered
	deliveries  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX journal_entries_waiting ON journal_entries (part, seq) WHERE owner IS NULL;
CREATE INDEX journal_entries_pending ON journal_entries (part, seq) WHERE owner IS NOT NULL;

-- Update ids appended within backend.JournalDedupTTL, acknowledged or not.
CREATE TABLE journal_seen (
	update_id  INTEGER NOT NULL PRIMARY KEY,
	expires_at INTEGER NOT NULL              -- Unix ns
) WITHOUT ROWID;
CREATE INDEX journal_seen_expiry ON journal_seen (expires_at);

CREATE TABLE journal_owners (
	part       INTEGER NOT NULL PRIMARY KEY,
	owner      TEXT    NOT NULL,
	expires_at INTEGER NOT NULL              -- end of the lease, Unix ns
) WITHOUT ROWID;

-- The workers alive (backend.JournalWorkers): a row per announcement.
CREATE TABLE journal_workers (
	owner      TEXT    NOT NULL PRIMARY KEY,
	expires_at INTEGER NOT NULL              -- end of the announcement, Unix ns
) WITHOUT ROWID;

CREATE TABLE journal_dead (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- the dead letter's ID; never reused
	part        INTEGER NOT NULL,
	entry_seq   INTEGER NOT NULL,             -- the entry's ID when it died
	update_id   INTEGER NOT NULL,
	key         INTEGER NOT NULL,
	update_json BLOB,
	meta        TEXT,
	appended_at INTEGER NOT NULL,             -- Unix µs
	deliveries  INTEGER NOT NULL,
	reason      TEXT    NOT NULL,
	died_at     INTEGER NOT NULL              -- Unix µs
);

-- The partition count, fixed when the first Open of this schema wrote it.
CREATE TABLE journal_meta (
	id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	partitions INTEGER NOT NULL CHECK (partitions > 0)
);
`,
}

// SchemaVersion is the schema version (PRAGMA user_version) this package
// writes: len(migrations).
const SchemaVersion = 5

// ErrSchemaTooNew is returned by Open for a file written by a newer version
// of Herald. The file is left untouched.
var ErrSchemaTooNew = errors.New("database schema is newer than this version of Herald supports")

// ErrNotHerald is returned by Open for an SQLite file that belongs to
// another program.
var ErrNotHerald = errors.New("not a Herald database")

// migrate brings the database to len(list), inside one immediate
// transaction (the write pool uses _txlock=immediate), so that two
// processes opening a fresh file at once do not both migrate, and a failed
// migration leaves the file as it was.
func migrate(ctx context.Context, db *sql.DB, list []string) error {
	// Fast path without a write lock: already current.
	v, app, err := readVersion(ctx, db)
	if err != nil {
		return err
	}
	if err := checkVersion(v, app, len(list)); err != nil || v == len(list) {
		return err
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	// Read again under the write lock: another process may have migrated.
	v, app, err = readVersion(ctx, tx)
	if err != nil {
		return err
	}
	if err := checkVersion(v, app, len(list)); err != nil || v == len(list) {
		return err
	}
	if v == 0 {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: schema version 0 but %d objects exist", ErrNotHerald, n)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	for i := v; i < len(list); i++ {
		if _, err := tx.ExecContext(ctx, list[i]); err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(list))); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readVersion(ctx context.Context, q queryer) (version, app int, err error) {
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	if err := q.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return 0, 0, fmt.Errorf("read application id: %w", err)
	}
	return version, app, nil
}

func checkVersion(version, app, current int) error {
	switch {
	case app != 0 && app != applicationID:
		return fmt.Errorf("%w: application_id is %#x", ErrNotHerald, app)
	case app == 0 && version != 0:
		return fmt.Errorf("%w: application_id unset, user_version %d", ErrNotHerald, version)
	case version > current:
		return fmt.Errorf("%w: file has schema version %d, this build knows up to %d; upgrade Herald", ErrSchemaTooNew, version, current)
	case version < 0:
		return fmt.Errorf("%w: schema version %d", ErrNotHerald, version)
	}
	return nil
}
