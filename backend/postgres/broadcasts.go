package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/jackc/pgx/v5"

	"github.com/heraldbot/herald/backend"
)

// broadcasts is the Store seen as a backend.BroadcastStore (tables
// broadcast_campaigns and broadcast_recipients). Each state change is one
// statement; the campaign's runner lease is a compare-and-set, so of two
// runners in different processes only one sends.
type broadcasts Store

var _ backend.BroadcastStore = (*broadcasts)(nil)

// Create implements backend.BroadcastStore in one statement: the campaign
// and its recipients, numbered in the order given with repeated chats kept
// once at their first place, are inserted together or not at all.
func (b *broadcasts) Create(ctx context.Context, c backend.Campaign, recipients []int64, now time.Time) (backend.Campaign, error) {
	if err := c.Message.Validate(); err != nil {
		return backend.Campaign{}, err
	}
	msg, err := json.Marshal(c.Message)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("postgres: broadcast: %w", err)
	}
	if recipients == nil {
		recipients = []int64{} // an empty array, not NULL
	}
	now = now.Truncate(time.Microsecond) // what the column keeps
	err = b.pool.QueryRow(ctx, b.sql.campaignCreate, c.Name, msg, c.Paid, now, recipients).Scan(&c.ID, &c.Total)
	if err != nil {
		return backend.Campaign{}, fmt.Errorf("postgres: broadcast: create: %w", err)
	}
	c.Created = now
	return c, nil
}

func scanCampaign(row pgx.Row) (backend.Campaign, error) {
	var (
		c   backend.Campaign
		msg []byte
	)
	if err := row.Scan(&c.ID, &c.Name, &msg, &c.Paid, &c.Created, &c.Total); err != nil {
		return c, err
	}
	if err := json.Unmarshal(msg, &c.Message); err != nil {
		return c, fmt.Errorf("campaign %d: message: %w", c.ID, err)
	}
	return c, nil
}

// Campaign implements backend.BroadcastStore.
func (b *broadcasts) Campaign(ctx context.Context, id int64) (backend.Campaign, error) {
	c, err := scanCampaign(b.pool.QueryRow(ctx, b.sql.campaign, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("campaign %d: %w", id, backend.ErrCampaignNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("postgres: broadcast: %w", err)
	}
	return c, nil
}

// Campaigns implements backend.BroadcastStore.
func (b *broadcasts) Campaigns(ctx context.Context) ([]backend.Campaign, error) {
	rows, err := b.pool.Query(ctx, b.sql.campaigns)
	if err != nil {
		return nil, fmt.Errorf("postgres: broadcast: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (backend.Campaign, error) { return scanCampaign(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: broadcast: %w", err)
	}
	return out, nil
}

// Lease implements backend.BroadcastStore: one statement, the
// compare-and-set and then the lease in force.
func (b *broadcasts) Lease(ctx context.Context, id int64, expect, owner string, until, now time.Time) (backend.CampaignLease, bool, error) {
	var u *time.Time
	if owner != "" {
		u = &until
	}
	var (
		l     backend.CampaignLease
		set   bool
		lease *time.Time
	)
	err := b.pool.QueryRow(ctx, b.sql.lease, id, expect, owner, u, now).Scan(&set, &l.Owner, &lease)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, false, fmt.Errorf("campaign %d: %w", id, backend.ErrCampaignNotFound)
	}
	if err != nil {
		return l, false, fmt.Errorf("postgres: broadcast: lease: %w", err)
	}
	if l.Owner != "" && lease != nil {
		l.Until = *lease
	}
	return l, set, nil
}

// Recipients implements backend.BroadcastStore.
func (b *broadcasts) Recipients(ctx context.Context, id int64, s backend.RecipientStatus, after int64, n int) ([]backend.Recipient, error) {
	rows, err := b.pool.Query(ctx, b.sql.recipients, id, string(s), after, n)
	if err != nil {
		return nil, fmt.Errorf("postgres: broadcast: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (backend.Recipient, error) {
		var (
			r       backend.Recipient
			status  string
			updated *time.Time
		)
		err := row.Scan(&r.Seq, &r.Chat, &status, &r.MessageID, &r.Error, &r.Attempts, &updated)
		r.Status = backend.RecipientStatus(status)
		if updated != nil {
			r.Updated = *updated
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: broadcast: %w", err)
	}
	return out, nil
}

// Begin implements backend.BroadcastStore.
func (b *broadcasts) Begin(ctx context.Context, id, chat int64, now time.Time) error {
	return b.update(ctx, id, chat, b.sql.begin, now)
}

// Finish implements backend.BroadcastStore.
func (b *broadcasts) Finish(ctx context.Context, id int64, r backend.Recipient, now time.Time) error {
	if !r.Status.Valid() {
		return fmt.Errorf("postgres: broadcast: finish chat %d: invalid status %q", r.Chat, r.Status)
	}
	return b.update(ctx, id, r.Chat, b.sql.finish, string(r.Status), r.MessageID, r.Error, r.Attempts, now)
}

// update runs query, an UPDATE of one open recipient; when it changes
// nothing, the recipient is either final (fine) or unknown
// (ErrCampaignNotFound).
func (b *broadcasts) update(ctx context.Context, id, chat int64, query string, args ...any) error {
	tag, err := b.pool.Exec(ctx, query, append([]any{id, chat}, args...)...)
	if err != nil {
		return fmt.Errorf("postgres: broadcast: campaign %d chat %d: %w", id, chat, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := b.pool.QueryRow(ctx, b.sql.recipientExists, id, chat).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: broadcast: campaign %d chat %d: %w", id, chat, err)
	}
	if !exists {
		return fmt.Errorf("campaign %d chat %d: %w", id, chat, backend.ErrCampaignNotFound)
	}
	return nil
}

// Progress implements backend.BroadcastStore in one statement.
func (b *broadcasts) Progress(ctx context.Context, id int64) (backend.CampaignProgress, error) {
	var (
		p      backend.CampaignProgress
		exists bool
	)
	err := b.pool.QueryRow(ctx, b.sql.progress, id).Scan(&exists,
		&p.Total, &p.Pending, &p.Sending, &p.Sent, &p.Blocked, &p.Failed, &p.Skipped)
	if err != nil {
		return backend.CampaignProgress{}, fmt.Errorf("postgres: broadcast: %w", err)
	}
	if !exists {
		return backend.CampaignProgress{}, fmt.Errorf("campaign %d: %w", id, backend.ErrCampaignNotFound)
	}
	return p, nil
}
