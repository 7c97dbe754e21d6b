package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound is returned for a product or order that does not exist.
var ErrNotFound = errors.New("not found")

// Product is an item of the catalog. Prices are in cents.
type Product struct {
	ID          int64
	Name        string
	Description string
	PriceCents  int64
}

// Price formats the product's price.
func (p Product) Price() string { return Money(p.PriceCents) }

// Money formats cents as dollars: Money(1250) = "$12.50".
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// seedProducts is the demo catalog, inserted when missing.
var seedProducts = []Product{
	{1, "Espresso beans", "Dark roast, 250 g", 1190},
	{2, "Filter beans", "Light roast, 250 g", 1090},
	{3, "Pour-over kettle", "Gooseneck, 1 l", 4500},
	{4, "Hand grinder", "Conical burrs", 6900},
	{5, "Paper filters", "100 pieces", 490},
	{6, "Ceramic mug", "350 ml, white", 1500},
	{7, "Milk jug", "Stainless steel, 600 ml", 1900},
	{8, "Scale", "0.1 g, with timer", 3200},
	{9, "Cold brew bottle", "1 l, glass", 2800},
	{10, "Tamper", "58 mm, steel", 2400},
	{11, "Cleaning tablets", "50 pieces", 990},
	{12, "Gift card", "Worth $25", 2500},
}

// Catalog lists the shop's products.
type Catalog struct{ db *DB }

// Catalog returns the catalog service.
func (d *DB) Catalog() *Catalog { return &Catalog{db: d} }

// Page returns the products of page (from 0) with size products per page,
// and the number of pages (at least 1). A page past the end is the last.
func (c *Catalog) Page(ctx context.Context, page, size int) ([]Product, int, error) {
	if size <= 0 {
		size = 5
	}
	var total int
	if err := c.db.db.QueryRowContext(ctx, "SELECT count(*) FROM shop_products").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("catalog: %w", err)
	}
	pages := max(1, (total+size-1)/size)
	page = min(max(page, 0), pages-1)
	rows, err := c.db.db.QueryContext(ctx, c.db.q(
		"SELECT id, name, description, price_cents FROM shop_products ORDER BY id LIMIT ? OFFSET ?"), size, page*size)
	if err != nil {
		return nil, 0, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, &p.PriceCents); err != nil {
			return nil, 0, fmt.Errorf("catalog: %w", err)
		}
		out = append(out, p)
	}
	return out, pages, rows.Err()
}

// Product returns one product, or ErrNotFound.
func (c *Catalog) Product(ctx context.Context, id int64) (Product, error) {
	p := Product{ID: id}
	err := c.db.db.QueryRowContext(ctx, c.db.q(
		"SELECT name, description, price_cents FROM shop_products WHERE id = ?"), id).
		Scan(&p.Name, &p.Description, &p.PriceCents)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("product %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("catalog: %w", err)
	}
	return p, nil
}
