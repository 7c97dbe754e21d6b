package shopbot

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
)

// TestReceiptDateNamesTheMonth: the receipt prints the order's own month
// (it printed "JAN" for every month: the layout held the literal).
func TestReceiptDateNamesTheMonth(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, time.March, 5, 14, 7, 0, 0, time.UTC), "05 MAR 2026 14:07 UTC"},
		{time.Date(2026, time.November, 30, 9, 0, 0, 0, time.UTC), "30 NOV 2026 09:00 UTC"},
	} {
		lines := receiptLines(service.Order{ID: 1, CreatedAt: tc.at})
		if !slices.Contains(lines, tc.want) {
			t.Errorf("receipt of an order made %v: lines %q, want one %q", tc.at, lines, tc.want)
		}
	}
}
