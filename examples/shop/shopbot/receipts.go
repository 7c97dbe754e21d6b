package shopbot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/tg"
)

// Receipts renders PNG receipts and sends them, in a bounded pool of
// workers off the update path: a handler queues the order and returns at
// once; the photo follows when it is ready. The queue is bounded too: when
// it is full, Submit refuses instead of piling up memory.
type Receipts struct {
	log    *slog.Logger
	jobs   chan receiptJob
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

type receiptJob struct {
	client *tg.Client
	chatID int64
	order  service.Order
}

// NewReceipts starts workers (default 2) with room for queue waiting
// receipts (default 64).
func NewReceipts(workers, queue int, log *slog.Logger) *Receipts {
	if workers <= 0 {
		workers = 2
	}
	if queue <= 0 {
		queue = 64
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Receipts{log: log, jobs: make(chan receiptJob, queue), ctx: ctx, cancel: cancel}
	for range workers {
		r.wg.Go(r.work)
	}
	return r
}

// Submit queues the receipt of o for chatID, sent with client. It returns
// false when the queue is full or the pool is closed.
func (r *Receipts) Submit(client *tg.Client, chatID int64, o service.Order) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	select {
	case r.jobs <- receiptJob{client: client, chatID: chatID, order: o}:
		return true
	default:
		r.log.Warn("receipt queue full; receipt not sent", "order", o.ID)
		return false
	}
}

// Close stops taking receipts and waits for the queued ones until ctx
// ends; then it cancels those still being sent.
func (r *Receipts) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.jobs)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}

func (r *Receipts) work() {
	for j := range r.jobs {
		r.send(j)
	}
}

// send renders and uploads one receipt; a panic while rendering is
// logged, not allowed to take the bot down.
func (r *Receipts) send(j receiptJob) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("receipt worker panicked", "order", j.order.ID, "panic", v)
		}
	}()
	png, err := RenderReceipt(j.order)
	if err != nil {
		r.log.Error("rendering a receipt", "order", j.order.ID, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	_, err = j.client.SendPhoto(ctx, tg.SendPhotoParams{
		ChatID:  tg.ID(j.chatID),
		Photo:   tg.FileUpload(fmt.Sprintf("receipt-%d.png", j.order.ID), bytes.NewReader(png)),
		Caption: fmt.Sprintf("🧾 Receipt for order #%d", j.order.ID),
	})
	if err != nil {
		r.log.Error("sending a receipt", "order", j.order.ID, "chat_id", j.chatID, "err", err)
	}
}
