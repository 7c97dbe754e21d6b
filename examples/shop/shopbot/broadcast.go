package shopbot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// broadcastTimeout bounds one broadcast.
const broadcastTimeout = 30 * time.Minute

// broadcaster runs at most one broadcast at a time, off the update path.
// Messages go out at limit.Bulk priority: the outbound limiter sends
// customers' replies first. (Package broadcast adds durable, resumable
// campaigns with per-recipient status for larger audiences.)
type broadcaster struct {
	log     *slog.Logger
	mu      sync.Mutex
	running bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newBroadcaster(log *slog.Logger) *broadcaster {
	ctx, cancel := context.WithCancel(context.Background())
	return &broadcaster{log: log, ctx: ctx, cancel: cancel}
}

// start sends text to every customer and then reports to reportChat. It
// returns false if a broadcast is already running or the shop is closing.
func (b *broadcaster) start(client *tg.Client, customers *service.Customers, reportChat int64, text string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running || b.ctx.Err() != nil {
		return false
	}
	b.running = true
	b.wg.Go(func() {
		defer func() {
			b.mu.Lock()
			b.running = false
			b.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(limit.WithPriority(b.ctx, limit.Bulk), broadcastTimeout)
		defer cancel()
		sent, failed := b.run(ctx, client, customers, text)
		outcome := "done"
		if ctx.Err() != nil {
			outcome = "stopped early"
		}
		report := fmt.Sprintf("📣 Broadcast %s: %d sent, %d failed.", outcome, sent, failed)
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer rcancel()
		if _, err := client.SendMessage(rctx, tg.SendMessageParams{ChatID: tg.ID(reportChat), Text: report}); err != nil {
			b.log.Warn("broadcast report failed", "err", err)
		}
	})
	return true
}

// run sends to the customers page by page; failures (a customer who
// blocked the bot) are counted, not retried.
func (b *broadcaster) run(ctx context.Context, client *tg.Client, customers *service.Customers, text string) (sent, failed int) {
	var after int64
	for ctx.Err() == nil {
		ids, err := customers.IDs(ctx, after, 500)
		if err != nil {
			b.log.Error("broadcast: listing customers", "err", err)
			return sent, failed
		}
		if len(ids) == 0 {
			return sent, failed
		}
		for _, id := range ids {
			if _, err := client.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(id), Text: text}); err != nil {
				if ctx.Err() != nil {
					return sent, failed
				}
				failed++
				b.log.Debug("broadcast: not delivered", "chat_id", id, "err", err)
				continue
			}
			sent++
		}
		after = ids[len(ids)-1]
	}
	return sent, failed
}

// stop cancels a running broadcast and waits for it.
func (b *broadcaster) stop() {
	b.cancel()
	b.wg.Wait()
}
