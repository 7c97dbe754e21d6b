package service_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shoptest"
)

// engines give a fresh database of each engine; PostgreSQL skips (or
// fails under CI=true) when it is unreachable.
var engines = map[string]func(t *testing.T) string{
	"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "shop.db") },
	"postgres": func(t *testing.T) string { return shoptest.PostgresURL(t) },
}

// onEngines runs test on a fresh database of each engine.
func onEngines(t *testing.T, test func(t *testing.T, engine string, db *service.DB)) {
	for name, dsn := range engines {
		t.Run(name, func(t *testing.T) {
			db, err := service.Open(context.Background(), dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			test(t, name, db)
		})
	}
}

// TestShopServices runs the services on each engine: catalog pages, the
// cart, ten concurrent Place calls with one key, history and stats.
func TestShopServices(t *testing.T) {
	onEngines(t, func(t *testing.T, _ string, db *service.DB) {
		ctx := context.Background()
		now := time.Unix(1_700_000_000, 0)
		page, pages, err := db.Catalog().Page(ctx, 1, 5)
		if err != nil || pages != 3 || len(page) != 5 || page[0].ID != 6 {
			t.Fatalf("page 1 = %v, %d pages, %v", page, pages, err)
		}
		if err := db.Customers().Touch(ctx, service.Customer{ID: 7, Name: "Ann"}, now); err != nil {
			t.Fatal(err)
		}
		carts := db.Carts()
		for _, id := range []int64{1, 1, 3, 3} {
			if _, err := carts.Add(ctx, 7, id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := carts.Add(ctx, 7, 999); !errors.Is(err, service.ErrNotFound) {
			t.Fatalf("adding an unknown product: %v", err)
		}
		// Taking one of two leaves one; taking the last removes the line.
		if err := carts.RemoveOne(ctx, 7, 3); err != nil {
			t.Fatal(err)
		}
		if cart, err := carts.Get(ctx, 7); err != nil || len(cart.Lines) != 2 || cart.Lines[1].Qty != 1 {
			t.Fatalf("cart after taking one of two = %+v, %v", cart, err)
		}
		if err := carts.RemoveOne(ctx, 7, 3); err != nil {
			t.Fatal(err)
		}
		cart, err := carts.Get(ctx, 7)
		if err != nil || len(cart.Lines) != 1 || cart.Lines[0].Qty != 2 || cart.TotalCents() != 2380 {
			t.Fatalf("cart = %+v, %v", cart, err)
		}
		co := service.Checkout{Name: "Ann", Phone: "+15550100", Address: "1 Main St", Slot: "Today"}
		// Concurrent Place with one key: one order.
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		for range 10 {
			wg.Go(func() {
				_, c, err := db.Orders().Place(ctx, "k1", 7, co, now)
				if err != nil {
					t.Error(err)
				}
				if c {
					mu.Lock()
					created++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if created != 1 {
			t.Fatalf("%d orders created, want 1", created)
		}
		if _, _, err := db.Orders().Place(ctx, "k2", 7, co, now); !errors.Is(err, service.ErrEmptyCart) {
			t.Fatalf("second order from an empty cart: %v", err)
		}
		hist, err := db.Orders().History(ctx, 7, 10)
		if err != nil || len(hist) != 1 || hist[0].TotalCents != 2380 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		ord, err := db.Orders().Get(ctx, hist[0].ID)
		if err != nil || len(ord.Lines) != 1 || ord.Phone != co.Phone {
			t.Fatalf("order = %+v, %v", ord, err)
		}
		st, err := db.Orders().Stats(ctx)
		if err != nil || st != (service.Stats{Customers: 1, Orders: 1, RevenueCents: 2380}) {
			t.Fatalf("stats = %+v, %v", st, err)
		}
		ids, err := db.Customers().IDs(ctx, 0, 10)
		if err != nil || len(ids) != 1 || ids[0] != 7 {
			t.Fatalf("ids = %v, %v", ids, err)
		}
	})
}
