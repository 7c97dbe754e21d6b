package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald/backend"
)

// Broadcasts is a backend.BroadcastStore in the Store's file: campaigns and the
// state of every recipient (tables broadcast_campaigns and
// broadcast_recipients), so that a campaign resumes after a crash or a
// restart. Each state change is one committed statement.
type Broadcasts struct{ s *Store }

var _ backend.BroadcastStore = (*Broadcasts)(nil)

// Broadcasts returns the store of broadcast campaigns kept in s's file
// (a *Broadcasts).
func (s *Store) Broadcasts() backend.BroadcastStore { return &Broadcasts{s: s} }

// Create implements backend.BroadcastStore, in one transaction.
func (b *Broadcasts) Create(ctx context.Context, c backend.Campaign, recipients []int64, now time.Time) (backend.Campaign, error) {
	if err := c.Message.Validate(); err != nil {
		return backend.Campaign{}, err
	}
	msg, err := json.Marshal(c.Message)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	tx, err := b.s.w.BeginTx(ctx, nil)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO broadcast_campaigns (name, message, paid, created_at, total)
		VALUES (?1, ?2, ?3, ?4, 0)`, c.Name, string(msg), c.Paid, now.UnixNano())
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO broadcast_recipients (campaign, seq, chat, status)
		VALUES (?1, ?2, ?3, 'pending') ON CONFLICT (campaign, chat) DO NOTHING`)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	defer ins.Close()
	for _, chat := range recipients {
		res, err := ins.ExecContext(ctx, c.ID, c.Total+1, chat)
		if err != nil {
			return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			c.Total++
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE broadcast_campaigns SET total = ?2 WHERE id = ?1`, c.ID, c.Total); err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return backend.Campaign{}, fmt.Errorf("sqlite: broadcast: create: %w", err)
	}
	c.Created = time.Unix(0, now.UnixNano())
	return c, nil
}

const campaignColumns = `id, name, message, paid, created_at, total`

func scanCampaign(row interface{ Scan(...any) error }) (backend.Campaign, error) {
	var (
		c       backend.Campaign
		msg     string
		created int64
	)
	if err := row.Scan(&c.ID, &c.Name, &msg, &c.Paid, &created, &c.Total); err != nil {
		return c, err
	}
	c.Created = time.Unix(0, created)
	if err := json.Unmarshal([]byte(msg), &c.Message); err != nil {
		return c, fmt.Errorf("campaign %d: message: %w", c.ID, err)
	}
	return c, nil
}

// Campaign implements backend.BroadcastStore.
func (b *Broadcasts) Campaign(ctx context.Context, id int64) (backend.Campaign, error) {
	c, err := scanCampaign(b.s.r.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM broadcast_campaigns WHERE id = ?1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("campaign %d: %w", id, backend.ErrCampaignNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	return c, nil
}

// Campaigns implements backend.BroadcastStore.
func (b *Broadcasts) Campaigns(ctx context.Context) ([]backend.Campaign, error) {
	rows, err := b.s.r.QueryContext(ctx, `SELECT `+campaignColumns+` FROM broadcast_campaigns ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	defer rows.Close()
	var out []backend.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: broadcast: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	return out, nil
}

// Lease implements backend.BroadcastStore: one conditional UPDATE, so that of
// two runners in different processes only one gets a free lease.
func (b *Broadcasts) Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (backend.CampaignLease, bool, error) {
	u := until.UnixNano()
	if owner == "" {
		u = 0
	}
	n, err := rowsAffected(b.s.w.ExecContext(ctx, `UPDATE broadcast_campaigns SET lease_owner = ?2, lease_until = ?3
		WHERE id = ?1 AND (lease_owner = ?4 OR lease_owner = '' OR lease_until <= ?5)`,
		id, owner, u, expect, now.UnixNano()))
	if err != nil {
		return backend.CampaignLease{}, false, fmt.Errorf("sqlite: broadcast: lease: %w", err)
	}
	var l backend.CampaignLease
	var lu int64
	err = b.s.w.QueryRowContext(ctx, `SELECT lease_owner, lease_until FROM broadcast_campaigns WHERE id = ?1`, id).Scan(&l.Owner, &lu)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, fmt.Errorf("campaign %d: %w", id, backend.ErrCampaignNotFound)
	}
	if err != nil {
		return l, false, fmt.Errorf("sqlite: broadcast: lease: %w", err)
	}
	if l.Owner != "" {
		l.Until = time.Unix(0, lu)
	}
	return l, n == 1, nil
}

// Recipients implements backend.BroadcastStore.
func (b *Broadcasts) Recipients(ctx context.Context, id int64, s backend.RecipientStatus, after int64, n int) ([]backend.Recipient, error) {
	rows, err := b.s.r.QueryContext(ctx, `SELECT seq, chat, status, message_id, error, attempts, updated_at
		FROM broadcast_recipients WHERE campaign = ?1 AND status = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4`,
		id, string(s), after, n)
	if err != nil {
		return nil, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	defer rows.Close()
	out := make([]backend.Recipient, 0, min(n, 256))
	for rows.Next() {
		var (
			r       backend.Recipient
			status  string
			updated int64
		)
		if err := rows.Scan(&r.Seq, &r.Chat, &status, &r.MessageID, &r.Error, &r.Attempts, &updated); err != nil {
			return nil, fmt.Errorf("sqlite: broadcast: %w", err)
		}
		r.Status = backend.RecipientStatus(status)
		if updated != 0 {
			r.Updated = time.Unix(0, updated)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	return out, nil
}

// Begin implements backend.BroadcastStore.
func (b *Broadcasts) Begin(ctx context.Context, id, chat int64, now time.Time) error {
	return b.update(ctx, id, chat, `UPDATE broadcast_recipients SET status = 'sending', updated_at = ?3
		WHERE campaign = ?1 AND chat = ?2 AND status IN ('pending', 'sending')`, now.UnixNano())
}

// Finish implements backend.BroadcastStore.
func (b *Broadcasts) Finish(ctx context.Context, id int64, r backend.Recipient, now time.Time) error {
	if !r.Status.Valid() {
		return fmt.Errorf("sqlite: broadcast: finish chat %d: invalid status %q", r.Chat, r.Status)
	}
	return b.update(ctx, id, r.Chat, `UPDATE broadcast_recipients
		SET status = ?3, message_id = ?4, error = ?5, attempts = ?6, updated_at = ?7
		WHERE campaign = ?1 AND chat = ?2 AND status IN ('pending', 'sending')`,
		string(r.Status), r.MessageID, r.Error, r.Attempts, now.UnixNano())
}

// update runs an UPDATE of one open recipient; when it changes nothing,
// the recipient is either final (fine) or unknown (ErrNotFound).
func (b *Broadcasts) update(ctx context.Context, id, chat int64, query string, args ...any) error {
	res, err := b.s.w.ExecContext(ctx, query, append([]any{id, chat}, args...)...)
	if err != nil {
		return fmt.Errorf("sqlite: broadcast: campaign %d chat %d: %w", id, chat, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	err = b.s.w.QueryRowContext(ctx, `SELECT 1 FROM broadcast_recipients WHERE campaign = ?1 AND chat = ?2`, id, chat).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("campaign %d chat %d: %w", id, chat, backend.ErrCampaignNotFound)
	}
	return err
}

// Progress implements backend.BroadcastStore.
func (b *Broadcasts) Progress(ctx context.Context, id int64) (backend.CampaignProgress, error) {
	if _, err := b.Campaign(ctx, id); err != nil {
		return backend.CampaignProgress{}, err
	}
	rows, err := b.s.r.QueryContext(ctx, `SELECT status, count(*) FROM broadcast_recipients
		WHERE campaign = ?1 GROUP BY status`, id)
	if err != nil {
		return backend.CampaignProgress{}, fmt.Errorf("sqlite: broadcast: %w", err)
	}
	defer rows.Close()
	var p backend.CampaignProgress
	for rows.Next() {
		var (
			status string
			n      int
		)
		if err := rows.Scan(&status, &n); err != nil {
			return p, fmt.Errorf("sqlite: broadcast: %w", err)
		}
		p.Total += n
		switch backend.RecipientStatus(status) {
		case backend.RecipientPending:
			p.Pending = n
		case backend.RecipientSending:
			p.Sending = n
		case backend.RecipientSent:
			p.Sent = n
		case backend.RecipientBlocked:
			p.Blocked = n
		case backend.RecipientFailed:
			p.Failed = n
		default:
			p.Skipped += n
		}
	}
	return p, rows.Err()
}
