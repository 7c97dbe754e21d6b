package emulator

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald/tg"
)

// starsCurrency is the currency of payments in Telegram Stars, the only
// payments the emulator models.
const starsCurrency = "XTR"

// invoiceContent is an invoice as the bot described it: sendInvoice's
// parameters, or an InputInvoiceMessageContent of an inline result.
type invoiceContent struct {
	Title          string            `json:"title"`
	Description    string            `json:"description"`
	Payload        string            `json:"payload"`
	ProviderToken  string            `json:"provider_token"`
	Currency       string            `json:"currency"`
	Prices         []tg.LabeledPrice `json:"prices"`
	StartParameter string            `json:"start_parameter"`
}

// total is the invoice's amount, in Stars.
func (inv *invoiceContent) total() int64 {
	var n int64
	for _, p := range inv.Prices {
		n += p.Amount
	}
	return n
}

// invoice is the Invoice of the message that shows inv.
func (inv *invoiceContent) invoice() *tg.Invoice {
	return &tg.Invoice{
		Title: inv.Title, Description: inv.Description, StartParameter: inv.StartParameter,
		Currency: inv.Currency, TotalAmount: inv.total(),
	}
}

// check validates an invoice against the spec's limits and Telegram
// Stars' rules: currency XTR, no provider token, exactly one price.
func (inv *invoiceContent) check() *apiError {
	switch n := utf8.RuneCountInString(inv.Title); {
	case n < 1 || n > 32:
		return badRequest("invoice title must be 1-32 characters")
	}
	switch n := utf8.RuneCountInString(inv.Description); {
	case n < 1 || n > 255:
		return badRequest("invoice description must be 1-255 characters")
	}
	if len(inv.Payload) < 1 || len(inv.Payload) > 128 {
		return badRequest("INVOICE_PAYLOAD_INVALID")
	}
	if inv.Currency != starsCurrency {
		return badRequest("the Herald emulator models payments in Telegram Stars only: currency must be XTR, not %q", inv.Currency)
	}
	if inv.ProviderToken != "" {
		return badRequest("provider_token must be empty for payments in Telegram Stars")
	}
	if len(inv.Prices) != 1 {
		return badRequest("payments in Telegram Stars must have exactly one price, not %d", len(inv.Prices))
	}
	for _, p := range inv.Prices {
		if strings.TrimSpace(p.Label) == "" {
			return badRequest("price label must be non-empty")
		}
		if p.Amount <= 0 {
			return badRequest("CURRENCY_TOTAL_AMOUNT_INVALID")
		}
	}
	return nil
}

// invoiceParams reads and checks the invoice of sendInvoice or
// createInvoiceLink.
func invoiceParams(c *call) (*invoiceContent, *apiError) {
	p := c.p
	inv := &invoiceContent{
		Title: p.str("title"), Description: p.str("description"), Payload: p.str("payload"),
		ProviderToken: p.str("provider_token"), Currency: p.str("currency"), StartParameter: p.str("start_parameter"),
	}
	if _, err := p.decode("prices", &inv.Prices); err != nil {
		return nil, badRequest("can't parse prices JSON array")
	}
	if aerr := inv.check(); aerr != nil {
		return nil, aerr
	}
	return inv, nil
}

func sendInvoice(c *call) (any, *apiError) {
	inv, aerr := invoiceParams(c)
	if aerr != nil {
		return nil, aerr
	}
	mk, _, aerr := c.parseMarkup()
	if aerr != nil {
		return nil, aerr
	}
	if mk.inline == nil && mk.raw != nil {
		return nil, badRequest("reply markup of an invoice must be an inline keyboard")
	}
	if mk.inline != nil && len(mk.inline.InlineKeyboard) > 0 && !firstIsPay(mk.inline) {
		return nil, badRequest("the first button of an invoice's inline keyboard must be a Pay button")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	t, aerr := c.limitedTargetLocked(1)
	if aerr != nil {
		return nil, aerr
	}
	m := c.newBotMessageLocked(t)
	m.m.Invoice, m.invoice = inv.invoice(), inv
	m.m.ReplyMarkup, m.markup = mk.inline, mk.raw
	b.storeLocked(t.ch, m)
	return m.m, nil
}

// firstIsPay reports whether the first button of mk is a Pay button, as
// Telegram requires of an invoice's keyboard.
func firstIsPay(mk *tg.InlineKeyboardMarkup) bool {
	return len(mk.InlineKeyboard) > 0 && len(mk.InlineKeyboard[0]) > 0 && mk.InlineKeyboard[0][0].Pay
}

// invoiceLinkPrefix starts the emulator's invoice links, as "https://t.me/$"
// starts Telegram's.
const invoiceLinkPrefix = "https://t.me/$emu"

func createInvoiceLink(c *call) (any, *apiError) {
	inv, aerr := invoiceParams(c)
	if aerr != nil {
		return nil, aerr
	}
	if c.p.int("subscription_period") != 0 {
		return nil, badRequest("subscriptions are not modelled by the Herald emulator")
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	b.linkSeq++
	link := invoiceLinkPrefix + strconv.FormatInt(b.id, 10) + "_" + strconv.FormatInt(b.linkSeq, 10)
	b.invoiceLinks[link] = inv
	return link, nil
}
