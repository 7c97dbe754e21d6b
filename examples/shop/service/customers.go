package service

import (
	"context"
	"fmt"
	"time"
)

// Customer is someone who talked to the shop.
type Customer struct {
	ID   int64 // the Telegram user id, but this package does not care
	Name string
}

// Customers records who uses the shop, for broadcasts and statistics.
type Customers struct{ db *DB }

// Customers returns the customer service.
func (d *DB) Customers() *Customers { return &Customers{db: d} }

// Touch records that the customer was seen now, creating or renaming them.
func (c *Customers) Touch(ctx context.Context, cu Customer, now time.Time) error {
	_, err := c.db.db.ExecContext(ctx, c.db.q(`INSERT INTO shop_customers (id, name, first_seen, last_seen) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`),
		cu.ID, cu.Name, now.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("customers: %w", err)
	}
	return nil
}

// IDs returns up to limit customer ids greater than after, in order: a
// page of recipients for a broadcast (pass the last id to get the next).
func (c *Customers) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	rows, err := c.db.db.QueryContext(ctx, c.db.q(
		"SELECT id FROM shop_customers WHERE id > ? ORDER BY id LIMIT ?"), after, limit)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("customers: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
