package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrEmptyCart is returned by Place when the cart has nothing to order.
var ErrEmptyCart = errors.New("the cart is empty")

// Checkout is what a customer fills in to order their cart.
type Checkout struct {
	Name, Phone, Address, Slot string
}

// Order is a placed order.
type Order struct {
	ID         int64
	CustomerID int64
	Checkout
	Lines      []Line
	TotalCents int64
	CreatedAt  time.Time
}

// Orders places orders and lists them.
type Orders struct{ db *DB }

// Orders returns the order service.
func (d *DB) Orders() *Orders { return &Orders{db: d} }

// Place turns the customer's cart into an order, in one transaction: the
// order, its lines (at today's prices) and emptying the cart commit
// together or not at all. key makes it idempotent: a second Place with the
// same key, even concurrent or from another process, creates nothing and
// returns the first order with created false. An empty cart is
// ErrEmptyCart.
func (o *Orders) Place(ctx context.Context, key string, customerID int64, co Checkout, now time.Time) (ord Order, created bool, err error) {
	if key == "" {
		return Order{}, false, errors.New("orders: empty idempotency key")
	}
	err = o.db.inTx(ctx, func(tx *sql.Tx) error {
		if id, ok, err := o.byKey(ctx, tx, key); err != nil || ok {
			ord.ID = id
			return err
		}
		lines, err := cartLines(ctx, o.db, tx, customerID)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			// Under PostgreSQL's read committed, a concurrent Place with
			// this key may have emptied the cart since byKey looked.
			if id, ok, err := o.byKey(ctx, tx, key); err != nil || ok {
				ord.ID = id
				return err
			}
			return ErrEmptyCart
		}
		total := Cart{Lines: lines}.TotalCents()
		// ON CONFLICT DO NOTHING: a concurrent Place with the same key
		// (PostgreSQL; SQLite serialises writers) waits for the other
		// transaction and then inserts nothing.
		err = tx.QueryRowContext(ctx, o.db.q(`INSERT INTO shop_orders
			(idem_key, customer_id, name, phone, address, slot, total_cents, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING RETURNING id`),
			key, customerID, co.Name, co.Phone, co.Address, co.Slot, total, now.Unix()).Scan(&ord.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return errLostRace
		}
		if err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := tx.ExecContext(ctx, o.db.q(`INSERT INTO shop_order_items
				(order_id, product_id, name, price_cents, qty) VALUES (?, ?, ?, ?, ?)`),
				ord.ID, l.ProductID, l.Name, l.PriceCents, l.Qty); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, o.db.q("DELETE FROM shop_cart_items WHERE customer_id = ?"), customerID); err != nil {
			return err
		}
		created = true
		return nil
	})
	if errors.Is(err, errLostRace) {
		id, ok, kerr := o.byKey(ctx, o.db.db, key)
		if kerr != nil || !ok {
			return Order{}, false, fmt.Errorf("orders: reading the order of key %q: %w", key, errors.Join(err, kerr))
		}
		ord.ID, err = id, nil
	}
	if errors.Is(err, ErrEmptyCart) {
		return Order{}, false, err
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("orders: placing: %w", err)
	}
	ord, err = o.Get(ctx, ord.ID)
	return ord, created, err
}

// errLostRace means another transaction inserted the same key first.
var errLostRace = errors.New("orders: another transaction placed this order")

// byKey finds the order placed with key.
func (o *Orders) byKey(ctx context.Context, q querier, key string) (int64, bool, error) {
	var id int64
	err := q.QueryRowContext(ctx, o.db.q("SELECT id FROM shop_orders WHERE idem_key = ?"), key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// Get returns an order with its lines, or ErrNotFound.
func (o *Orders) Get(ctx context.Context, id int64) (Order, error) {
	ord := Order{ID: id}
	var created int64
	err := o.db.db.QueryRowContext(ctx, o.db.q(`SELECT customer_id, name, phone, address, slot, total_cents, created_at
		FROM shop_orders WHERE id = ?`), id).Scan(&ord.CustomerID, &ord.Name, &ord.Phone, &ord.Address, &ord.Slot, &ord.TotalCents, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return ord, fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ord, fmt.Errorf("orders: %w", err)
	}
	ord.CreatedAt = time.Unix(created, 0)
	rows, err := o.db.db.QueryContext(ctx, o.db.q(`SELECT product_id, name, price_cents, qty
		FROM shop_order_items WHERE order_id = ? ORDER BY product_id`), id)
	if err != nil {
		return ord, fmt.Errorf("orders: %w", err)
	}
	if ord.Lines, err = scanLines(rows); err != nil {
		return ord, fmt.Errorf("orders: %w", err)
	}
	return ord, nil
}

// History returns the customer's latest orders, newest first, without
// their lines.
func (o *Orders) History(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	rows, err := o.db.db.QueryContext(ctx, o.db.q(`SELECT id, name, phone, address, slot, total_cents, created_at
		FROM shop_orders WHERE customer_id = ? ORDER BY id DESC LIMIT ?`), customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		ord := Order{CustomerID: customerID}
		var created int64
		if err := rows.Scan(&ord.ID, &ord.Name, &ord.Phone, &ord.Address, &ord.Slot, &ord.TotalCents, &created); err != nil {
			return nil, fmt.Errorf("orders: %w", err)
		}
		ord.CreatedAt = time.Unix(created, 0)
		out = append(out, ord)
	}
	return out, rows.Err()
}

// Stats are the shop's figures for its admins.
type Stats struct {
	Customers, Orders int64
	RevenueCents      int64
}

// Stats counts customers, orders and revenue.
func (o *Orders) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := o.db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM shop_customers),
		(SELECT count(*) FROM shop_orders),
		(SELECT CAST(coalesce(sum(total_cents), 0) AS BIGINT) FROM shop_orders)`).Scan(&s.Customers, &s.Orders, &s.RevenueCents)
	if err != nil {
		return s, fmt.Errorf("orders: stats: %w", err)
	}
	return s, nil
}
