package postgres

import "strings"

// queries are the statements a Store runs, with the schema filled in. pgx
// prepares each once per connection (its statement cache).
type queries struct {
	get, create, update, delete string

	lockAcquire, lockRenew, lockUnlock string

	claim, claimExtend, claimFinish, claimRelease string

	limitTake, limitPause string

	campaignCreate, campaign, campaigns, lease           string
	recipients, begin, finish, recipientExists, progress string
}

// buildQueries returns the statements for the schema whose quoted name is
// schema: "{s}" in the texts below stands for it.
func buildQueries(schema string) queries {
	r := strings.NewReplacer("{s}", schema)
	q := queries{
		get: `SELECT state, data, version FROM {s}.fsm_records
			WHERE key = $1 AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
		// A create overwrites only an expired row; the version restarts at 1.
		create: `INSERT INTO {s}.fsm_records AS r (key, state, data, version, expires_at)
			VALUES ($1, $2, $3, 1, CASE WHEN $4::bigint > 0 THEN clock_timestamp() + $4::bigint * interval '1 microsecond' END)
			ON CONFLICT (key) DO UPDATE
				SET state = excluded.state, data = excluded.data, version = 1, expires_at = excluded.expires_at
				WHERE r.expires_at IS NOT NULL AND r.expires_at <= clock_timestamp()`,
		update: `UPDATE {s}.fsm_records
			SET state = $2, data = $3, version = version + 1,
			    expires_at = CASE WHEN $4::bigint > 0 THEN clock_timestamp() + $4::bigint * interval '1 microsecond' END
			WHERE key = $1 AND version = $5 AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
		delete: `DELETE FROM {s}.fsm_records WHERE key = $1`,

		lockAcquire: `SELECT {s}.lock_acquire($1, $2)`,
		// Only a lease still in force is renewed, as in Redis: one that ran
		// out, was released (a renewal still on its way when Unlock ran must
		// not bring it back) or taken over is lost.
		lockRenew: `UPDATE {s}.locks SET expires_at = clock_timestamp() + $3::bigint * interval '1 microsecond'
			WHERE name = $1 AND token = $2 AND expires_at > clock_timestamp()`,
		// Unlock ends the lease now but keeps the row (see lock_acquire),
		// and wakes the waiters of every process through NOTIFY, sent at
		// commit.
		lockUnlock: `WITH u AS (
				UPDATE {s}.locks SET expires_at = clock_timestamp() WHERE name = $1 AND token = $2 RETURNING name
			)
			SELECT CASE WHEN octet_length(name) < 7000 THEN pg_notify($3, name) END FROM u`,

		claim: `SELECT {s}.claim($1, $2, $3)`,
		claimExtend: `UPDATE {s}.claims SET expires_at = clock_timestamp() + $3::bigint * interval '1 microsecond'
			WHERE name = $1 AND owner = $2 AND NOT done AND expires_at > clock_timestamp()`,
		claimFinish: `UPDATE {s}.claims SET done = true, expires_at = clock_timestamp() + $3::bigint * interval '1 microsecond'
			WHERE name = $1 AND owner = $2 AND NOT done AND expires_at > clock_timestamp()`,
		claimRelease: `DELETE FROM {s}.claims WHERE name = $1 AND owner = $2 AND NOT done`,

		limitTake: `SELECT wait, which FROM {s}.limit_take($1, $2, $3, $4, $5, $6)`,
		// A pause is the later of the one in force and now + $3 µs.
		limitPause: `INSERT INTO {s}.limit_state AS p (bot, key, tat) VALUES ($1, $2, {s}.now_us() + $3)
			ON CONFLICT (bot, key) DO UPDATE SET tat = greatest(p.tat, excluded.tat)`,

		// $5 is the recipients in order; d numbers the distinct ones by
		// their first place.
		campaignCreate: `WITH d AS (
				SELECT chat, row_number() OVER (ORDER BY min(i)) AS seq
				FROM unnest($5::bigint[]) WITH ORDINALITY AS u(chat, i) GROUP BY chat
			), c AS (
				INSERT INTO {s}.broadcast_campaigns (name, message, paid, created_at, total)
				VALUES ($1, $2, $3, $4, (SELECT count(*) FROM d)) RETURNING id, total
			), r AS (
				INSERT INTO {s}.broadcast_recipients (campaign, seq, chat, status)
				SELECT c.id, d.seq, d.chat, 'pending' FROM c, d
			)
			SELECT id, total FROM c`,
		campaign:  `SELECT id, name, message, paid, created_at, total FROM {s}.broadcast_campaigns WHERE id = $1`,
		campaigns: `SELECT id, name, message, paid, created_at, total FROM {s}.broadcast_campaigns ORDER BY id DESC`,
		// One statement: the compare-and-set, then the lease in force
		// (from the update, or as it was when it did not apply).
		lease: `WITH u AS (
				UPDATE {s}.broadcast_campaigns SET lease_owner = $3, lease_until = $4
				WHERE id = $1 AND (lease_owner = $2 OR lease_owner = '' OR lease_until <= $5)
				RETURNING lease_owner, lease_until
			)
			SELECT true, lease_owner, lease_until FROM u
			UNION ALL
			SELECT false, lease_owner, lease_until FROM {s}.broadcast_campaigns
			WHERE id = $1 AND NOT EXISTS (SELECT FROM u)`,
		recipients: `SELECT seq, chat, status, message_id, error, attempts, updated_at
			FROM {s}.broadcast_recipients WHERE campaign = $1 AND status = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
		begin: `UPDATE {s}.broadcast_recipients SET status = 'sending', updated_at = $3
			WHERE campaign = $1 AND chat = $2 AND status IN ('pending', 'sending')`,
		finish: `UPDATE {s}.broadcast_recipients
			SET status = $3, message_id = $4, error = $5, attempts = $6, updated_at = $7
			WHERE campaign = $1 AND chat = $2 AND status IN ('pending', 'sending')`,
		recipientExists: `SELECT EXISTS (SELECT FROM {s}.broadcast_recipients WHERE campaign = $1 AND chat = $2)`,
		progress: `SELECT EXISTS (SELECT FROM {s}.broadcast_campaigns WHERE id = $1),
				count(*),
				count(*) FILTER (WHERE status = 'pending'),
				count(*) FILTER (WHERE status = 'sending'),
				count(*) FILTER (WHERE status = 'sent'),
				count(*) FILTER (WHERE status = 'blocked'),
				count(*) FILTER (WHERE status = 'failed'),
				count(*) FILTER (WHERE status = 'skipped')
			FROM {s}.broadcast_recipients WHERE campaign = $1`,
	}
	for _, p := range []*string{
		&q.get, &q.create, &q.update, &q.delete,
		&q.lockAcquire, &q.lockRenew, &q.lockUnlock,
		&q.claim, &q.claimExtend, &q.claimFinish, &q.claimRelease,
		&q.limitTake, &q.limitPause,
		&q.campaignCreate, &q.campaign, &q.campaigns, &q.lease,
		&q.recipients, &q.begin, &q.finish, &q.recipientExists, &q.progress,
	} {
		*p = r.Replace(*p)
	}
	return q
}
