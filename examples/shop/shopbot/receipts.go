package shopbot

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/jobs"
	"github.com/heraldbot/herald/tg"
)

// Receipts delivers each order's PNG receipt exactly once, through
// crashes: the handler sends a placeholder photo ("printing…") and, in one
// transaction, records its message with the order (shop_receipts) and
// queues a River job; the job renders the receipt on the CPU queue and
// puts it into that message with editMessageMedia. Editing is idempotent:
// a job run again after a crash edits the same message, never sends a
// second one, and Telegram's "message is not modified" counts as done.
type Receipts struct {
	jobs   *jobs.Client
	orders *service.Orders
	log    *slog.Logger
	delay  time.Duration

	mu          sync.Mutex
	placeholder string // file_id of the uploaded placeholder, reused
}

// receiptArgs is the receipt job: one per order (unique by its args).
type receiptArgs struct {
	OrderID int64 `json:"order_id"`
}

func (receiptArgs) Kind() string { return "shop_receipt" }

// InsertOpts puts receipts on the CPU queue, once per order for as long
// as River keeps the job.
func (receiptArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueCPU, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReceiptCaption is the caption of order id's rendered receipt;
// ReceiptPending is the placeholder's until it is rendered.
func ReceiptCaption(id int64) string { return fmt.Sprintf("🧾 Receipt for order #%d", id) }

// ReceiptPending is the caption of order id's placeholder.
func ReceiptPending(id int64) string { return ReceiptCaption(id) + " — printing…" }

func newReceipts(q *jobs.Client, orders *service.Orders, log *slog.Logger, delay time.Duration) (*Receipts, error) {
	r := &Receipts{jobs: q, orders: orders, log: log, delay: delay}
	if err := jobs.Handle(q, r.work); err != nil {
		return nil, fmt.Errorf("shopbot: %w", err)
	}
	return r, nil
}

// Queue sends order o's placeholder to chatID with client and queues its
// rendering, unless a placeholder was recorded for o already (the
// handler runs again after a crash: the job is queued with it).
func (r *Receipts) Queue(ctx context.Context, client *tg.Client, chatID int64, o service.Order) error {
	var have int64
	err := r.jobs.InTx(ctx, func(tx *jobs.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM shop_receipts WHERE order_id = ?", o.ID).Scan(&have)
	})
	if err != nil {
		return fmt.Errorf("receipts: %w", err)
	}
	if have > 0 {
		return nil
	}
	msg, err := r.sendPlaceholder(ctx, client, chatID, o.ID)
	if err != nil {
		return fmt.Errorf("receipts: sending the placeholder of order %d: %w", o.ID, err)
	}
	err = r.jobs.InTx(ctx, func(tx *jobs.Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO shop_receipts (order_id, chat_id, message_id)
			VALUES (?, ?, ?) ON CONFLICT (order_id) DO NOTHING`, o.ID, chatID, msg.MessageID)
		if err != nil || n == 0 {
			return err // n == 0: another delivery of the update recorded its own
		}
		_, err = r.jobs.InsertTx(ctx, tx, receiptArgs{OrderID: o.ID}, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("receipts: queueing order %d: %w", o.ID, err)
	}
	return nil
}

// sendPlaceholder sends the placeholder photo, uploading it the first
// time and reusing its file_id after.
func (r *Receipts) sendPlaceholder(ctx context.Context, client *tg.Client, chatID, orderID int64) (*tg.Message, error) {
	r.mu.Lock()
	id := r.placeholder
	r.mu.Unlock()
	p := tg.SendPhotoParams{ChatID: tg.ID(chatID), Caption: ReceiptPending(orderID)}
	if id != "" {
		p.Photo = tg.FileID(id)
		m, err := client.SendPhoto(ctx, p)
		if err == nil || !tg.IsCode(err, 400) {
			return m, err
		}
		// The file_id is no longer known (another server?): upload again.
	}
	p.Photo = tg.FileUpload("printing.png", bytes.NewReader(placeholderPNG))
	m, err := client.SendPhoto(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(m.Photo) > 0 {
		r.mu.Lock()
		r.placeholder = m.Photo[len(m.Photo)-1].FileID
		r.mu.Unlock()
	}
	return m, nil
}

// work renders one receipt and puts it into its placeholder.
func (r *Receipts) work(ctx context.Context, j *jobs.Job[receiptArgs]) error {
	id := j.Args.OrderID
	var chatID, msgID int64
	var delivered *int64
	err := r.jobs.InTx(ctx, func(tx *jobs.Tx) error {
		return tx.QueryRow(ctx, "SELECT chat_id, message_id, delivered_at FROM shop_receipts WHERE order_id = ?", id).Scan(&chatID, &msgID, &delivered)
	})
	if jobs.IsNoRows(err) {
		return river.JobCancel(fmt.Errorf("receipt of order %d: no placeholder recorded", id))
	}
	if err != nil {
		return err
	}
	if delivered != nil {
		return nil // a run before a crash got this far
	}
	o, err := r.orders.Get(ctx, id)
	if err != nil {
		return err
	}
	if r.delay > 0 {
		select { // stands for a slow printer (Config.ReceiptDelay)
		case <-time.After(r.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	img, err := RenderReceipt(o)
	if err != nil {
		return river.JobCancel(fmt.Errorf("rendering the receipt of order %d: %w", id, err))
	}
	_, err = j.Bot.EditMessageMedia(ctx, tg.EditMessageMediaParams{
		ChatID: tg.ID(chatID), MessageID: msgID,
		Media: &tg.InputMediaPhoto{Media: tg.FileUpload(fmt.Sprintf("receipt-%d.png", id), bytes.NewReader(img)), Caption: ReceiptCaption(id)},
	})
	switch {
	case err == nil, notModified(err):
	case tg.IsForbidden(err), tg.IsCode(err, 400) && strings.Contains(err.Error(), "message to edit not found"):
		// Blocked, or the placeholder was deleted: nothing to deliver to.
		r.log.Warn("receipt not delivered", "order", id, "chat_id", chatID, "err", err)
		return river.JobCancel(err)
	default:
		return fmt.Errorf("delivering the receipt of order %d: %w", id, err)
	}
	err = r.jobs.InTx(ctx, func(tx *jobs.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE shop_receipts SET delivered_at = ? WHERE order_id = ?", time.Now().Unix(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("receipts: %w", err)
	}
	return nil
}

// placeholderPNG is the "printing…" photo: a small pale square.
var placeholderPNG = func() []byte {
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = 0xee
	}
	img.SetGray(8, 8, color.Gray{Y: 0x99})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}()
