package shopbot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/tg"
)

// TestReceiptsBackpressure: with one worker stuck on a slow Bot API and
// a queue of one, a third receipt is refused instead of piling up; Close
// gives up at its deadline, cancels the upload, and refuses receipts from
// then on.
func TestReceiptsBackpressure(t *testing.T) {
	arrived := make(chan struct{}, 10)
	release := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done(): // the upload was cancelled
		case <-release:
		}
		http.Error(w, `{"ok":false,"error_code":500,"description":"stuck"}`, http.StatusInternalServerError)
	}))
	defer api.Close()
	defer close(release)
	client, err := tg.New("1:receipts", tg.WithBaseURL(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	r := shopbot.NewReceipts(1, 1, emutest.Quiet())
	order := func(id int64) service.Order {
		return service.Order{ID: id, TotalCents: 100, Lines: []service.Line{{ProductID: 1, Name: "Mug", PriceCents: 100, Qty: 1}}}
	}
	if !r.Submit(client, 7, order(1)) {
		t.Fatal("the first receipt was refused")
	}
	select {
	case <-arrived: // the worker is busy with receipt 1
	case <-time.After(15 * time.Second):
		t.Fatal("the first receipt was not uploaded within 15 s")
	}
	if !r.Submit(client, 7, order(2)) {
		t.Fatal("the second receipt was refused though the queue has room")
	}
	if r.Submit(client, 7, order(3)) {
		t.Fatal("a third receipt was queued beyond the queue's size")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	closed := make(chan error, 1)
	go func() { closed <- r.Close(ctx) }()
	select {
	case err := <-closed:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close with a stuck upload = %v, want the deadline", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Close did not return within 15 s of its deadline")
	}
	if r.Submit(client, 7, order(4)) {
		t.Fatal("a receipt was queued after Close")
	}
	if err := r.Close(context.Background()); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}
