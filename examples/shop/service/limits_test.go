package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
)

// TestServiceLimits: pages out of range, the quantity cap, removing what
// is not in the cart, unknown orders, empty keys, and the cart's sums.
func TestServiceLimits(t *testing.T) {
	onEngines(t, func(t *testing.T, name string, db *service.DB) {
		ctx := context.Background()
		if db.Engine() != service.Engine(name) {
			t.Fatalf("engine %q, want %q", db.Engine(), name)
		}

		for _, tc := range []struct{ page, size, wantFirst, wantLen, wantPages int }{
			{99, 5, 11, 2, 3}, // past the end: the last page
			{-3, 5, 1, 5, 3},  // before the start: the first
			{0, 0, 1, 5, 3},   // no size: 5
			{0, 12, 1, 12, 1}, // all on one page
			{1, 12, 1, 12, 1},
		} {
			ps, pages, err := db.Catalog().Page(ctx, tc.page, tc.size)
			if err != nil || pages != tc.wantPages || len(ps) != tc.wantLen || ps[0].ID != int64(tc.wantFirst) {
				t.Errorf("Page(%d, %d) = %d products from %v, %d pages, %v; want %d from #%d, %d pages",
					tc.page, tc.size, len(ps), ps, pages, err, tc.wantLen, tc.wantFirst, tc.wantPages)
			}
		}
		if _, err := db.Catalog().Product(ctx, 0); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("Product(0) = %v", err)
		}

		carts := db.Carts()
		var qty int64
		for range service.MaxQty + 2 {
			var err error
			if qty, err = carts.Add(ctx, 8, 5); err != nil {
				t.Fatal(err)
			}
		}
		if qty != service.MaxQty {
			t.Fatalf("quantity after %d adds = %d, want the cap %d", service.MaxQty+2, qty, service.MaxQty)
		}
		if err := carts.RemoveOne(ctx, 8, 6); err != nil { // not in the cart
			t.Fatal(err)
		}
		if _, err := carts.Add(ctx, 8, 6); err != nil {
			t.Fatal(err)
		}
		cart, err := carts.Get(ctx, 8)
		if err != nil || cart.Empty() || cart.Count() != service.MaxQty+1 || cart.TotalCents() != service.MaxQty*490+1500 {
			t.Fatalf("cart = %+v (count %d, total %d), %v", cart, cart.Count(), cart.TotalCents(), err)
		}
		if other, err := carts.Get(ctx, 9); err != nil || !other.Empty() {
			t.Fatalf("another customer's cart = %+v, %v", other, err)
		}
		if err := carts.Clear(ctx, 8); err != nil {
			t.Fatal(err)
		}
		if cart, err := carts.Get(ctx, 8); err != nil || !cart.Empty() {
			t.Fatalf("cart after Clear = %+v, %v", cart, err)
		}

		now := time.Unix(1_700_000_000, 0)
		if _, _, err := db.Orders().Place(ctx, "", 8, service.Checkout{}, now); err == nil {
			t.Error("Place with an empty key: no error")
		}
		if _, _, err := db.Orders().Place(ctx, "edge-1", 8, service.Checkout{}, now); !errors.Is(err, service.ErrEmptyCart) {
			t.Errorf("Place of an empty cart = %v", err)
		}
		// The empty cart does not burn the key: filled, it orders.
		if _, err := carts.Add(ctx, 8, 1); err != nil {
			t.Fatal(err)
		}
		ord, created, err := db.Orders().Place(ctx, "edge-1", 8, service.Checkout{Name: "Bo"}, now)
		if err != nil || !created || ord.TotalCents != 1190 || !ord.CreatedAt.Equal(now) {
			t.Fatalf("Place = %+v, %v, %v", ord, created, err)
		}
		// The same key again, from a full cart: the first order, unchanged cart.
		if _, err := carts.Add(ctx, 8, 2); err != nil {
			t.Fatal(err)
		}
		again, created, err := db.Orders().Place(ctx, "edge-1", 8, service.Checkout{Name: "Bo"}, now)
		if err != nil || created || again.ID != ord.ID || again.TotalCents != 1190 {
			t.Fatalf("Place again = %+v, %v, %v", again, created, err)
		}
		if cart, err := carts.Get(ctx, 8); err != nil || cart.Count() != 1 {
			t.Fatalf("a repeated Place touched the cart: %+v, %v", cart, err)
		}
		if _, err := db.Orders().Get(ctx, ord.ID+100); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("Get of an unknown order = %v", err)
		}
		if hist, err := db.Orders().History(ctx, 9, 10); err != nil || len(hist) != 0 {
			t.Errorf("history of a customer without orders = %+v, %v", hist, err)
		}

		// Touch renames and keeps one row per customer.
		cs := db.Customers()
		for i, n := range []string{"Al", "Alan"} {
			if err := cs.Touch(ctx, service.Customer{ID: 8, Name: n}, now.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []int64{3, 12} {
			if err := cs.Touch(ctx, service.Customer{ID: id, Name: "X"}, now); err != nil {
				t.Fatal(err)
			}
		}
		if ids, err := cs.IDs(ctx, 3, 10); err != nil || len(ids) != 2 || ids[0] != 8 || ids[1] != 12 {
			t.Fatalf("IDs after 3 = %v, %v", ids, err)
		}
		if ids, err := cs.IDs(ctx, 0, 1); err != nil || len(ids) != 1 || ids[0] != 3 {
			t.Fatalf("IDs page of one = %v, %v", ids, err)
		}
	})
}

// TestOpenErrors: an empty address, and a server that is not there.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := service.Open(ctx, ""); err == nil {
		t.Error("Open(\"\"): no error")
	}
	// Port 1 on loopback refuses at once.
	if _, err := service.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Error("Open of an unreachable PostgreSQL: no error")
	}
}

func TestMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 1250: "$12.50", -1999: "-$19.99"} {
		if got := service.Money(cents); got != want {
			t.Errorf("Money(%d) = %q, want %q", cents, got, want)
		}
	}
	if got := (service.Product{PriceCents: 490}).Price(); got != "$4.90" {
		t.Errorf("Price = %q", got)
	}
}
