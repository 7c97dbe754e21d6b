package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// statements are prepared once at Open. database/sql re-prepares them on
// each pool connection as needed.
type statements struct {
	get, insert, update, delete *sql.Stmt // fsm_records
	renew, unlock               *sql.Stmt // locks
	claim, claimStatus          *sql.Stmt // claims
	extend, finish, release     *sql.Stmt // claims
	limitGet, limitSet          *sql.Stmt // limit_buckets, in a Take's transaction
	limitPause                  *sql.Stmt // limit_buckets
	journalSeen, journalInsert  *sql.Stmt // journal_seen, journal_entries, in an Append's transaction
	journalWaiting              *sql.Stmt // journal_entries, in a Read's transaction
	journalDeliver, journalAck  *sql.Stmt // journal_entries
	journalAny                  *sql.Stmt // journal_entries, read pool
	journalOwn, journalDisown   *sql.Stmt // journal_owners
	all                         []*sql.Stmt
}

func (st *statements) prepare(ctx context.Context, r, w *sql.DB) error {
	var err error
	p := func(db *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = db.PrepareContext(ctx, q)
		if s != nil {
			st.all = append(st.all, s)
		}
		return s
	}
	st.get = p(r, `SELECT state, data, data IS NOT NULL, version FROM fsm_records
		WHERE key = ?1 AND (expires_at = 0 OR expires_at > ?2)`)
	// Create, or replace a row that has expired (it counts as absent).
	st.insert = p(w, `INSERT INTO fsm_records (key, state, data, version, expires_at)
		VALUES (?1, ?2, ?3, 1, ?4)
		ON CONFLICT (key) DO UPDATE SET
			state = excluded.state, data = excluded.data,
			version = 1, expires_at = excluded.expires_at
		WHERE fsm_records.expires_at != 0 AND fsm_records.expires_at <= ?5`)
	st.update = p(w, `UPDATE fsm_records
		SET state = ?2, data = ?3, version = version + 1, expires_at = ?4
		WHERE key = ?1 AND version = ?5 AND (expires_at = 0 OR expires_at > ?6)`)
	st.delete = p(w, `DELETE FROM fsm_records WHERE key = ?1`)
	st.renew = p(w, `UPDATE locks SET expires_at = ?3
		WHERE name = ?1 AND token = ?2 AND expires_at > ?4`)
	st.unlock = p(w, `DELETE FROM locks WHERE name = ?1 AND token = ?2`)
	// Create, or take over a row whose lease or done mark has run out; a
	// row comes back only when this call took the name.
	st.claim = p(w, `INSERT INTO claims (name, owner, done, expires_at) VALUES (?1, ?2, 0, ?3)
		ON CONFLICT (name) DO UPDATE SET
			owner = excluded.owner, done = 0, expires_at = excluded.expires_at
		WHERE claims.expires_at <= ?4
		RETURNING 1`)
	st.claimStatus = p(r, `SELECT done FROM claims WHERE name = ?1 AND expires_at > ?2`)
	st.extend = p(w, `UPDATE claims SET expires_at = ?3
		WHERE name = ?1 AND owner = ?2 AND done = 0 AND expires_at > ?4`)
	st.finish = p(w, `UPDATE claims SET done = 1, expires_at = ?3
		WHERE name = ?1 AND owner = ?2 AND done = 0 AND expires_at > ?4`)
	st.release = p(w, `DELETE FROM claims WHERE name = ?1 AND owner = ?2 AND done = 0`)
	st.limitGet = p(w, `SELECT tat FROM limit_buckets WHERE bot = ?1 AND scope = ?2 AND chat = ?3`)
	st.limitSet = p(w, `INSERT INTO limit_buckets (bot, scope, chat, tat) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (bot, scope, chat) DO UPDATE SET tat = excluded.tat`)
	// A pause never shortens one in force.
	st.limitPause = p(w, `INSERT INTO limit_buckets (bot, scope, chat, tat) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (bot, scope, chat) DO UPDATE SET tat = max(limit_buckets.tat, excluded.tat)`)
	st.prepareJournal(p, r, w)
	return err
}

// prepareJournal prepares the journal's statements with p.
func (st *statements) prepareJournal(p func(*sql.DB, string) *sql.Stmt, r, w *sql.DB) {
	// Remember the update ids of the JSON array ?1, renewing those whose
	// remembrance ran out; the ids that were new come back, once each.
	// (WHERE true: an INSERT … SELECT needs one before ON CONFLICT.)
	st.journalSeen = p(w, `INSERT INTO journal_seen (update_id, expires_at)
		SELECT value, ?2 FROM json_each(?1) WHERE true
		ON CONFLICT (update_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE journal_seen.expires_at <= ?3
		RETURNING update_id`)
	st.journalInsert = p(w, `INSERT INTO journal_entries (part, update_id, key, update_json, meta, appended_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6)`)
	st.journalWaiting = p(w, `SELECT seq FROM journal_entries
		WHERE part = ?1 AND owner IS NULL ORDER BY seq LIMIT ?2`)
	// ?1 is a JSON array of seqs.
	st.journalDeliver = p(w, `UPDATE journal_entries SET owner = ?2, deliveries = 1
		WHERE seq IN (SELECT value FROM json_each(?1)) AND owner IS NULL RETURNING `+entryColumns)
	st.journalAck = p(w, `DELETE FROM journal_entries WHERE seq = ?1 AND part = ?2`)
	// ?1 is a JSON array of partitions.
	st.journalAny = p(r, `SELECT EXISTS (SELECT 1 FROM journal_entries
		WHERE owner IS NULL AND part IN (SELECT value FROM json_each(?1)))`)
	// Take a free partition, or one whose lease ran out, or renew one's own
	// lease; a row comes back only then.
	st.journalOwn = p(w, `INSERT INTO journal_owners (part, owner, expires_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (part) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE journal_owners.owner = excluded.owner OR journal_owners.expires_at <= ?4
		RETURNING 1`)
	st.journalDisown = p(w, `DELETE FROM journal_owners WHERE part = ?1 AND owner = ?2`)
}

func (st *statements) close() error {
	var err error
	for _, s := range st.all {
		err = errors.Join(err, s.Close())
	}
	st.all = nil
	return err
}
