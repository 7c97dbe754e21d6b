package emulator

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/tg"
)

// bot is one bot's whole view of the world: its chats, files, commands,
// update queue and webhook. mu guards everything but the atomic counters.
type bot struct {
	e     *Emulator
	id    int64
	token string
	// profile is the bot's User (getMe); RegisterBot may rename it.
	profile atomic.Pointer[tg.User]
	lim     limiter
	stats   botStats

	mu        sync.Mutex
	chats     map[int64]*chat
	byName    map[string]int64 // lower-case public username (no @) → chat id
	commands  map[string][]tg.BotCommand
	files     map[string]*storedFile // by file_id
	paths     map[string]*storedFile // by file_path
	fileSeq   int64
	callbacks map[string]*callbackState
	cbSeq     int64
	groupSeq  int64 // media groups
	queue     updateQueue
	poll      *pollState
	hook      *webhookState
	subs      map[*subscriber]struct{}
	business  map[string]*businessConn // by connection id
	bizSeq    int64

	inlineQueries map[string]*inlineQueryState // by inline_query id
	inlineSeq     int64
	inlineMsgs    map[string]inlineRef // messages sent via the bot, by inline_message_id
	inlineMsgSeq  int64

	checkouts   map[string]*checkout // payments, by pre_checkout_query id
	checkoutSeq int64
	charges     map[string]*checkout // paid ones, by telegram_payment_charge_id
	chargeSeq   int64
	ledger      []starEntry // Star transactions, oldest first

	invoiceLinks map[string]*invoiceContent // createInvoiceLink's, by link
	linkSeq      int64
}

func newBot(e *Emulator, id int64, token string) *bot {
	b := &bot{
		e:         e,
		id:        id,
		token:     token,
		stats:     botStats{methods: make([]atomic.Int64, len(e.methods.list))},
		chats:     make(map[int64]*chat),
		byName:    make(map[string]int64),
		commands:  make(map[string][]tg.BotCommand),
		files:     make(map[string]*storedFile),
		paths:     make(map[string]*storedFile),
		callbacks: make(map[string]*callbackState),
		queue:     newUpdateQueue(e.opts.FirstUpdateID),
		subs:      make(map[*subscriber]struct{}),
		business:  make(map[string]*businessConn),

		inlineQueries: make(map[string]*inlineQueryState),
		inlineMsgs:    make(map[string]inlineRef),
		checkouts:     make(map[string]*checkout),
		charges:       make(map[string]*checkout),
		invoiceLinks:  make(map[string]*invoiceContent),
	}
	b.profile.Store(&tg.User{
		ID: id, IsBot: true, FirstName: "Bot " + strconv.FormatInt(id, 10), Username: "emu" + strconv.FormatInt(id, 10) + "_bot",
		CanJoinGroups: true, CanReadAllGroupMessages: true,
		SupportsInlineQueries: true, // every bot takes inline queries (inline.go)
	})
	return b
}

// me returns the bot's User, as getMe answers it.
func (b *bot) me() tg.User { return *b.profile.Load() }

func (b *bot) info() BotInfo {
	u := b.me()
	return BotInfo{ID: b.id, Username: u.Username, FirstName: u.FirstName, Token: b.token}
}

// memberChangedLocked records that a user blocked or unblocked the bot:
// Telegram sends a my_chat_member update for the private chat.
func (b *bot) memberChangedLocked(u tg.User, blocked bool) {
	ch := b.chats[u.ID]
	if ch == nil {
		return
	}
	botUser := b.me()
	var oldM, newM tg.ChatMember = &tg.ChatMemberMember{User: botUser}, &tg.ChatMemberBanned{User: botUser}
	if !blocked {
		oldM, newM = newM, oldM
	}
	b.enqueueLocked("my_chat_member", u.ID, func(upd *tg.Update) {
		upd.MyChatMember = &tg.ChatMemberUpdated{
			Chat: ch.info, From: u, Date: time.Now().Unix(),
			OldChatMember: oldM, NewChatMember: newM,
		}
	})
}

// botStats are counters read by Stats.
type botStats struct {
	methods          []atomic.Int64 // requests per method, by methodInfo.index
	unknown          atomic.Int64   // requests for methods not in the spec
	tooMany          atomic.Int64
	errors           atomic.Int64
	updatesQueued    atomic.Int64
	updatesDelivered atomic.Int64
	updatesConfirmed atomic.Int64
	updatesDropped   atomic.Int64
	hookDeliveries   atomic.Int64
	hookFailures     atomic.Int64
}

// Stats are one bot's counters since it was created.
type Stats struct {
	BotID int64 `json:"bot_id"`
	// Requests counts Bot API requests per method (canonical name);
	// requests for unknown methods are under "unknown".
	Requests map[string]int64 `json:"requests"`
	// TooManyRequests counts 429 answers.
	TooManyRequests int64 `json:"too_many_requests"`
	// Errors counts all answers with ok=false, 429s included.
	Errors int64 `json:"errors"`
	// UpdatesQueued counts updates created for the bot.
	UpdatesQueued int64 `json:"updates_queued"`
	// UpdatesDelivered counts updates returned by getUpdates or
	// delivered by webhook (a re-fetched update counts again).
	UpdatesDelivered int64 `json:"updates_delivered"`
	// UpdatesConfirmed counts updates confirmed by an offset or a
	// successful webhook delivery, and then forgotten.
	UpdatesConfirmed int64 `json:"updates_confirmed"`
	// UpdatesDropped counts updates dropped unconfirmed (drop_pending_updates,
	// a negative offset, or the queue cap).
	UpdatesDropped int64 `json:"updates_dropped"`
	// UpdatesPending is the number of updates waiting now.
	UpdatesPending int64 `json:"updates_pending"`
	// WebhookDeliveries counts webhook requests made; WebhookFailures
	// those that failed (non-2xx, timeout, connection error).
	WebhookDeliveries int64 `json:"webhook_deliveries"`
	WebhookFailures   int64 `json:"webhook_failures"`
}

// Stats returns the counters of the bot of token.
func (e *Emulator) Stats(token string) (Stats, error) {
	b, err := e.knownBot(token)
	if err != nil {
		return Stats{}, controlErr(err)
	}
	s := Stats{
		BotID:             b.id,
		Requests:          make(map[string]int64),
		TooManyRequests:   b.stats.tooMany.Load(),
		Errors:            b.stats.errors.Load(),
		UpdatesQueued:     b.stats.updatesQueued.Load(),
		UpdatesDelivered:  b.stats.updatesDelivered.Load(),
		UpdatesConfirmed:  b.stats.updatesConfirmed.Load(),
		UpdatesDropped:    b.stats.updatesDropped.Load(),
		WebhookDeliveries: b.stats.hookDeliveries.Load(),
		WebhookFailures:   b.stats.hookFailures.Load(),
	}
	for i := range b.stats.methods {
		if n := b.stats.methods[i].Load(); n > 0 {
			s.Requests[e.methods.list[i].name] = n
		}
	}
	if n := b.stats.unknown.Load(); n > 0 {
		s.Requests["unknown"] = n
	}
	b.mu.Lock()
	s.UpdatesPending = int64(b.queue.len())
	b.mu.Unlock()
	return s, nil
}
