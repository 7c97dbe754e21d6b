package service

import (
	"context"
	"database/sql"
	"fmt"
)

// Line is a product in a cart or an order, with its quantity.
type Line struct {
	ProductID  int64
	Name       string
	PriceCents int64
	Qty        int64
}

// SubtotalCents is price × quantity.
func (l Line) SubtotalCents() int64 { return l.PriceCents * l.Qty }

// Cart is a customer's cart.
type Cart struct {
	Lines []Line
}

// TotalCents is the sum of the lines.
func (c Cart) TotalCents() int64 {
	var t int64
	for _, l := range c.Lines {
		t += l.SubtotalCents()
	}
	return t
}

// Count is the number of items.
func (c Cart) Count() int64 {
	var n int64
	for _, l := range c.Lines {
		n += l.Qty
	}
	return n
}

// Empty reports whether the cart has no items.
func (c Cart) Empty() bool { return len(c.Lines) == 0 }

// MaxQty bounds one product's quantity in a cart.
const MaxQty = 99

// Carts keeps customers' carts in the database, so they survive restarts
// and are shared by every instance of the bot.
type Carts struct{ db *DB }

// Carts returns the cart service.
func (d *DB) Carts() *Carts { return &Carts{db: d} }

// Add puts one more of the product in the customer's cart (up to MaxQty)
// and returns the new quantity. An unknown product is ErrNotFound.
func (c *Carts) Add(ctx context.Context, customerID, productID int64) (int64, error) {
	if _, err := c.db.Catalog().Product(ctx, productID); err != nil {
		return 0, err
	}
	var qty int64
	err := c.db.db.QueryRowContext(ctx, c.db.q(`INSERT INTO shop_cart_items (customer_id, product_id, qty) VALUES (?, ?, 1)
		ON CONFLICT (customer_id, product_id) DO UPDATE SET qty = CASE WHEN shop_cart_items.qty < ? THEN shop_cart_items.qty + 1 ELSE shop_cart_items.qty END
		RETURNING qty`), customerID, productID, MaxQty).Scan(&qty)
	if err != nil {
		return 0, fmt.Errorf("cart: %w", err)
	}
	return qty, nil
}

// RemoveOne takes one of the product out of the cart, and the line with
// it when that was the last one.
func (c *Carts) RemoveOne(ctx context.Context, customerID, productID int64) error {
	return c.db.inTx(ctx, func(tx *sql.Tx) error {
		// Delete first: decrementing first would turn a 2 into a 1 that the
		// delete then removes.
		if _, err := tx.ExecContext(ctx, c.db.q(`DELETE FROM shop_cart_items
			WHERE customer_id = ? AND product_id = ? AND qty = 1`), customerID, productID); err != nil {
			return fmt.Errorf("cart: %w", err)
		}
		if _, err := tx.ExecContext(ctx, c.db.q(`UPDATE shop_cart_items SET qty = qty - 1
			WHERE customer_id = ? AND product_id = ? AND qty > 1`), customerID, productID); err != nil {
			return fmt.Errorf("cart: %w", err)
		}
		return nil
	})
}

// Clear empties the cart.
func (c *Carts) Clear(ctx context.Context, customerID int64) error {
	_, err := c.db.db.ExecContext(ctx, c.db.q("DELETE FROM shop_cart_items WHERE customer_id = ?"), customerID)
	if err != nil {
		return fmt.Errorf("cart: %w", err)
	}
	return nil
}

// Get returns the customer's cart.
func (c *Carts) Get(ctx context.Context, customerID int64) (Cart, error) {
	lines, err := cartLines(ctx, c.db, c.db.db, customerID)
	return Cart{Lines: lines}, err
}

// cartLines reads a cart's lines with current prices, in product order.
func cartLines(ctx context.Context, d *DB, q querier, customerID int64) ([]Line, error) {
	rows, err := q.QueryContext(ctx, d.q(`SELECT p.id, p.name, p.price_cents, c.qty
		FROM shop_cart_items c JOIN shop_products p ON p.id = c.product_id
		WHERE c.customer_id = ? ORDER BY p.id`), customerID)
	if err != nil {
		return nil, fmt.Errorf("cart: %w", err)
	}
	lines, err := scanLines(rows)
	if err != nil {
		return nil, fmt.Errorf("cart: %w", err)
	}
	return lines, nil
}

// scanLines reads and closes rows of (product_id, name, price_cents, qty).
func scanLines(rows *sql.Rows) ([]Line, error) {
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ProductID, &l.Name, &l.PriceCents, &l.Qty); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
