package emulator

import (
	"context"
	"strconv"
	"time"

	"github.com/heraldbot/herald/tg"
)

// PreCheckoutTimeout is how long a bot has to answer a pre-checkout
// query; an unanswered one fails the payment, as on Telegram.
const PreCheckoutTimeout = 10 * time.Second

// Payment states.
const (
	PaymentPending  = "pending"  // the pre-checkout query waits for the bot
	PaymentPaid     = "paid"     // the bot said ok: successful_payment was sent
	PaymentDeclined = "declined" // the bot said not ok, with an error message
	PaymentExpired  = "expired"  // the bot did not answer in time
	PaymentRefunded = "refunded" // paid, then refunded by refundStarPayment
)

// Payment is a user's payment of an invoice, from the pre-checkout query
// on: what GET /control/payments/{id} returns and "payment" events carry.
type Payment struct {
	PreCheckoutQueryID string `json:"pre_checkout_query_id"`
	UserID             int64  `json:"user_id"`
	ChatID             int64  `json:"chat_id"`
	// MessageID is the invoice's message.
	MessageID   int64  `json:"message_id"`
	Currency    string `json:"currency"`
	TotalAmount int64  `json:"total_amount"`
	// Status is one of PaymentPending, PaymentPaid, PaymentDeclined,
	// PaymentExpired and PaymentRefunded.
	Status string `json:"status"`
	// ErrorMessage is the bot's reason for declining.
	ErrorMessage string `json:"error_message,omitzero"`
	// TelegramPaymentChargeID is set once paid.
	TelegramPaymentChargeID string `json:"telegram_payment_charge_id,omitzero"`
}

// checkout is a payment in progress or done.
type checkout struct {
	Payment
	user    tg.User
	payload string
	link    string // the invoice link paid, if not a message
	date    int64  // when paid
	timer   *time.Timer
}

// InvoicePayment is a user paying an invoice message or an invoice link
// (see PayInvoice).
type InvoicePayment struct {
	Token string  `json:"token"`
	From  tg.User `json:"from"`
	// ChatID and MessageID name the invoice message.
	ChatID    int64 `json:"chat_id,omitzero"`
	MessageID int64 `json:"message_id,omitzero"`
	// Link is an invoice link of createInvoiceLink, instead; its payment
	// is in the private chat of the user with the bot.
	Link string `json:"link,omitzero"`
}

// PaymentStarted is the result of PayInvoice.
type PaymentStarted struct {
	// UpdateID is the pre_checkout_query update (0 if the bot's
	// allowed_updates exclude it: the payment then expires).
	UpdateID           int64  `json:"update_id"`
	PreCheckoutQueryID string `json:"pre_checkout_query_id"`
}

// PayInvoice makes a user pay an invoice, or an invoice link, in Telegram Stars: a
// pre_checkout_query update is queued, and the payment succeeds when the
// bot answers it with ok within PreCheckoutTimeout (a successful_payment
// message from the user follows), and fails otherwise. Payment tells how
// it ended; a "payment" event reports every change.
func (e *Emulator) PayInvoice(ctx context.Context, p InvoicePayment) (PaymentStarted, error) {
	b, err := e.actionBot(ctx, p.Token, p.From)
	if err != nil {
		return PaymentStarted{}, err
	}
	if e.blockedBy(p.From.ID, b.id) {
		return PaymentStarted{}, controlErrorf("user %d has blocked this bot; unblock it first", p.From.ID)
	}
	from := e.touchUser(p.From)
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, inv, err := b.invoiceToPayLocked(p, from)
	if err != nil {
		return PaymentStarted{}, err
	}
	for _, co := range b.checkouts {
		if co.UserID == from.ID && co.ChatID == ch.info.ID && co.MessageID == p.MessageID && co.link == p.Link {
			switch co.Status {
			case PaymentPending:
				return PaymentStarted{}, controlErrorf("the payment of this invoice is waiting for the bot (%s)", co.PreCheckoutQueryID)
			case PaymentPaid:
				return PaymentStarted{}, controlErrorf("user %d has paid this invoice already", from.ID)
			}
		}
	}
	ch.members[from.ID] = from
	b.checkoutSeq++
	id := strconv.FormatInt(b.id, 10) + "9" + strconv.FormatInt(b.checkoutSeq, 10)
	co := &checkout{
		Payment: Payment{
			PreCheckoutQueryID: id, UserID: from.ID, ChatID: ch.info.ID, MessageID: p.MessageID,
			Currency: inv.Currency, TotalAmount: inv.total(), Status: PaymentPending,
		},
		user: from, payload: inv.Payload, link: p.Link,
	}
	b.checkouts[id] = co
	q := tg.PreCheckoutQuery{ID: id, From: from, Currency: inv.Currency, TotalAmount: inv.total(), InvoicePayload: inv.Payload}
	uid := b.enqueueLocked("pre_checkout_query", from.ID, func(u *tg.Update) { u.PreCheckoutQuery = &q })
	co.timer = time.AfterFunc(PreCheckoutTimeout, func() { b.expireCheckout(co) })
	b.emitPaymentLocked(co)
	return PaymentStarted{UpdateID: uid, PreCheckoutQueryID: id}, nil
}

// invoiceToPayLocked finds the invoice a payment names, and the chat its
// payment message goes to.
func (b *bot) invoiceToPayLocked(p InvoicePayment, from tg.User) (*chat, *invoiceContent, error) {
	if p.Link != "" {
		inv := b.invoiceLinks[p.Link]
		if inv == nil {
			return nil, nil, controlErrorf("no invoice link %q of this bot", p.Link)
		}
		ch, err := b.chatForUserLocked(tg.Chat{}, from)
		return ch, inv, err
	}
	ch := b.chats[p.ChatID]
	if ch == nil {
		return nil, nil, controlErr(errChatNotFound)
	}
	m := ch.live(p.MessageID)
	if m == nil || m.invoice == nil {
		return nil, nil, controlErrorf("message %d of chat %d is not an invoice", p.MessageID, p.ChatID)
	}
	return ch, m.invoice, nil
}

// expireCheckout fails a payment whose pre-checkout query was not
// answered in time.
func (b *bot) expireCheckout(co *checkout) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if co.Status != PaymentPending {
		return
	}
	co.Status = PaymentExpired
	b.emitPaymentLocked(co)
}

// Payment returns a payment by its pre-checkout query id.
func (e *Emulator) Payment(token, preCheckoutQueryID string) (Payment, bool) {
	b, aerr := e.knownBot(token)
	if aerr != nil {
		return Payment{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	co := b.checkouts[preCheckoutQueryID]
	if co == nil {
		return Payment{}, false
	}
	return co.Payment, true
}

func (b *bot) emitPaymentLocked(co *checkout) {
	p := co.Payment
	b.emitLocked(Event{Type: "payment", ChatID: co.ChatID, Payment: &p})
}

func answerPreCheckoutQuery(c *call) (any, *apiError) {
	ok, reason := c.p.bool("ok"), c.p.str("error_message")
	if !ok && reason == "" {
		return nil, badRequest("error_message is required when ok is false")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	co := b.checkouts[c.p.str("pre_checkout_query_id")]
	if co == nil || co.Status != PaymentPending {
		return nil, errQueryTooOld
	}
	co.timer.Stop()
	if !ok {
		co.Status, co.ErrorMessage = PaymentDeclined, reason
		b.emitPaymentLocked(co)
		return true, nil
	}
	b.chargeSeq++
	co.Status = PaymentPaid
	co.TelegramPaymentChargeID = "stxemu" + strconv.FormatInt(b.id, 10) + "_" + strconv.FormatInt(b.chargeSeq, 10)
	co.date = time.Now().Unix()
	b.charges[co.TelegramPaymentChargeID] = co
	b.ledger = append(b.ledger, starEntry{co: co, date: co.date})
	b.serviceMessageLocked(co, func(m *tg.Message) {
		m.SuccessfulPayment = &tg.SuccessfulPayment{
			Currency: co.Currency, TotalAmount: co.TotalAmount, InvoicePayload: co.payload,
			TelegramPaymentChargeID: co.TelegramPaymentChargeID,
		}
	})
	b.emitPaymentLocked(co)
	return true, nil
}

// serviceMessageLocked posts a service message of the paying user into
// the invoice's chat, filled in by fill, and queues its message update.
func (b *bot) serviceMessageLocked(co *checkout, fill func(*tg.Message)) {
	ch := b.chats[co.ChatID]
	if ch == nil {
		return
	}
	u := co.user
	m := &tg.Message{MessageID: ch.newMessageID(), Date: time.Now().Unix(), Chat: ch.info, From: &u}
	fill(m)
	b.storeLocked(ch, &message{m: m})
	snapshot := *m
	b.enqueueLocked("message", ch.info.ID, func(u *tg.Update) { u.Message = &snapshot })
}
