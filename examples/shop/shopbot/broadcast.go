package shopbot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/tg"
)

// A shop broadcast is a campaign of package broadcast, kept in the bot's
// engine (Bot.Broadcasts): every recipient's state is stored, so a
// broadcast survives the instance that started it and nobody gets it
// twice. Its name says whom to report to: "shop:<chat>:<message id>" of
// the /broadcast command that made it.
const campaignPrefix = "shop:"

// broadcastLease is how long a campaign stays with an instance that
// stopped renewing it (a dead instance on another machine); one on the
// same machine is taken over at once.
const broadcastLease = 15 * time.Second

// reportLease bounds how long one instance may take to send a report
// before another one may send it.
const reportLease = time.Minute

// resumeWindow: campaigns older than this are left alone by the resumer.
const resumeWindow = 24 * time.Hour

// broadcaster runs the shop's campaigns in the background, off the update
// path, at limit.Bulk priority (broadcast.Run), so that the outbound
// limiter sends customers' replies first. Any instance may run any
// campaign; the campaign's lease in the engine lets one run it at a time,
// and every instance looks, every so often, for campaigns that nobody
// runs (their instance stopped or died) and resumes them.
type broadcaster struct {
	log    *slog.Logger
	send   func(ctx context.Context, client *tg.Client, store broadcast.Store, id int64, opts broadcast.Options) (broadcast.Progress, error)
	every  time.Duration
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	running  map[int64]bool
	attached bool
}

func newBroadcaster(log *slog.Logger, every time.Duration,
	send func(context.Context, *tg.Client, broadcast.Store, int64, broadcast.Options) (broadcast.Progress, error)) *broadcaster {
	if send == nil {
		send = broadcast.Run
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &broadcaster{log: log, send: send, every: every, ctx: ctx, cancel: cancel, running: map[int64]bool{}}
}

// broadcast handles "/broadcast <text>": it stores a campaign to every
// customer, once however often the command is delivered, starts it and
// says so.
func (h *handlers) broadcast(c *herald.Context) error {
	text := strings.TrimSpace(c.Args())
	if text == "" {
		_, err := c.Reply("Usage: /broadcast <text> — sends the text to every customer.")
		return err
	}
	bot := c.Bot()
	store := bot.Broadcasts()
	if store == nil {
		_, err := c.Reply("Broadcasts need a storage engine (herald.WithBackend); this shop has none.")
		return err
	}
	name := fmt.Sprintf("%s%d:%d", campaignPrefix, c.Chat().ID, c.Message().MessageID)
	// The reply is inside Once: an instance that dies after creating the
	// campaign and before answering leaves the command to be run again,
	// and create finds the campaign it made.
	_, err := c.Once("shop-broadcast:"+name, OrderTTL, func() error {
		camp, err := createCampaign(c, store, h.customers.Get(c), name, "📣 "+text)
		if err != nil {
			return err
		}
		h.shop.broadcasts.run(bot, camp.ID)
		_, err = c.Reply(fmt.Sprintf("Broadcast started to %d customers; I will report when it is done.", camp.Total))
		return err
	})
	return err
}

// createCampaign returns the campaign called name, storing it first, with
// every customer as a recipient, if it does not exist yet.
func createCampaign(ctx context.Context, store backend.BroadcastStore, customers *service.Customers, name, text string) (backend.Campaign, error) {
	camps, err := store.Campaigns(ctx)
	if err != nil {
		return backend.Campaign{}, err
	}
	for _, c := range camps {
		if c.Name == name {
			return c, nil
		}
	}
	var ids []int64
	for after := int64(0); ; {
		page, err := customers.IDs(ctx, after, 500)
		if err != nil {
			return backend.Campaign{}, err
		}
		if len(page) == 0 {
			break
		}
		ids = append(ids, page...)
		after = page[len(page)-1]
	}
	return store.Create(ctx, backend.Campaign{Name: name, Message: backend.CampaignMessage{Text: text}}, ids, time.Now())
}

// run sends campaign id in the background unless this instance runs it
// already; when it is done, the admin who started it gets the report.
func (b *broadcaster) run(bot *herald.Bot, id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx.Err() != nil || b.running[id] {
		return
	}
	b.running[id] = true
	b.wg.Go(func() {
		defer func() {
			b.mu.Lock()
			delete(b.running, id)
			b.mu.Unlock()
		}()
		store := bot.Broadcasts()
		p, err := b.send(b.ctx, bot.Client(), store, id, broadcast.Options{LeaseTTL: broadcastLease, Logger: b.log})
		switch {
		case errors.Is(err, broadcast.ErrBusy):
			return // another instance runs it
		case err != nil:
			if b.ctx.Err() == nil {
				b.log.Error("broadcast stopped; it will be resumed", "campaign", id, "err", err)
			}
			return
		case p.Remaining() > 0:
			return
		}
		camp, err := store.Campaign(b.ctx, id)
		if err != nil {
			b.log.Error("broadcast report", "campaign", id, "err", err)
			return
		}
		b.report(bot, camp, p)
	})
}

// report tells the admin who started camp how it went, once across the
// instances sharing the engine (its claims).
func (b *broadcaster) report(bot *herald.Bot, camp backend.Campaign, p backend.CampaignProgress) {
	chat, ok := reportChat(camp.Name)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	var claims backend.Claims
	if e := bot.Backend(); e != nil {
		claims = e.Claims()
	}
	name, owner := "shop-broadcast-report:"+strconv.FormatInt(camp.ID, 10), rand.Text()
	if claims != nil {
		st, err := claims.Claim(ctx, name, owner, reportLease)
		if err != nil || st != backend.Claimed {
			return // reported, or being reported, elsewhere (or try again later)
		}
	}
	text := fmt.Sprintf("📣 Broadcast done: %d sent, %d failed.", p.Sent, p.Blocked+p.Failed+p.Skipped)
	_, err := bot.Client().SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(chat), Text: text})
	if claims == nil {
		return
	}
	if err != nil {
		b.log.Warn("broadcast report failed; it will be tried again", "campaign", camp.ID, "err", err)
		_ = claims.Release(context.WithoutCancel(ctx), name, owner)
		return
	}
	if err := claims.Finish(context.WithoutCancel(ctx), name, owner, 2*resumeWindow); err != nil {
		b.log.Warn("broadcast report sent but not recorded", "campaign", camp.ID, "err", err)
	}
}

// reportChat reads the admin's chat from a campaign's name.
func reportChat(name string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, campaignPrefix)
	if !ok {
		return 0, false
	}
	chat, _, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(chat, 10, 64)
	return id, err == nil
}

// attach starts looking for the shop's campaigns that nobody runs or
// whose report was not sent, every b.every.
func (b *broadcaster) attach(bot *herald.Bot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.attached || b.every < 0 || bot.Broadcasts() == nil || b.ctx.Err() != nil {
		return
	}
	b.attached = true
	b.wg.Go(func() {
		t := time.NewTicker(b.every)
		defer t.Stop()
		for {
			select {
			case <-b.ctx.Done():
				return
			case <-t.C:
				b.resume(bot)
			}
		}
	})
}

// resume runs the recent campaigns that have recipients left and are not
// run here, and reports the finished ones nobody reported.
func (b *broadcaster) resume(bot *herald.Bot) {
	store := bot.Broadcasts()
	camps, err := store.Campaigns(b.ctx)
	if err != nil {
		if b.ctx.Err() == nil {
			b.log.Warn("broadcasts: listing campaigns", "err", err)
		}
		return
	}
	for _, c := range camps { // newest first
		if time.Since(c.Created) > resumeWindow {
			break
		}
		if !strings.HasPrefix(c.Name, campaignPrefix) || b.isRunning(c.ID) {
			continue
		}
		p, err := store.Progress(b.ctx, c.ID)
		if err != nil {
			continue
		}
		if p.Remaining() > 0 {
			b.run(bot, c.ID)
		} else {
			b.report(bot, c, p)
		}
	}
}

func (b *broadcaster) isRunning(id int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.running[id]
}

// stop ends the campaigns this instance runs (they stay in the engine, to
// be resumed) and waits for them.
func (b *broadcaster) stop() {
	b.mu.Lock()
	b.cancel()
	b.mu.Unlock()
	b.wg.Wait()
}
