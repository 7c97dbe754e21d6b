package emulator

import (
	"time"

	"github.com/heraldbot/herald/tg"
)

// starEntry is one Star transaction of a bot: a payment received or, when
// refund is set, a payment given back.
type starEntry struct {
	co     *checkout
	refund bool
	date   int64
}

func (s starEntry) transaction() tg.StarTransaction {
	partner := &tg.TransactionPartnerUser{TransactionType: "invoice_payment", User: s.co.user, InvoicePayload: s.co.payload}
	t := tg.StarTransaction{ID: s.co.TelegramPaymentChargeID, Amount: s.co.TotalAmount, Date: s.date}
	if s.refund {
		t.Receiver = partner
	} else {
		t.Source = partner
	}
	return t
}

func refundStarPayment(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	co := b.charges[c.p.str("telegram_payment_charge_id")]
	switch {
	case co == nil || co.UserID != c.p.int("user_id"):
		return nil, badRequest("CHARGE_NOT_FOUND")
	case co.Status == PaymentRefunded:
		return nil, badRequest("CHARGE_ALREADY_REFUNDED")
	}
	co.Status = PaymentRefunded
	b.ledger = append(b.ledger, starEntry{co: co, refund: true, date: time.Now().Unix()})
	b.serviceMessageLocked(co, func(m *tg.Message) {
		m.RefundedPayment = &tg.RefundedPayment{
			Currency: co.Currency, TotalAmount: co.TotalAmount, InvoicePayload: co.payload,
			TelegramPaymentChargeID: co.TelegramPaymentChargeID,
		}
	})
	b.emitPaymentLocked(co)
	return true, nil
}

func getStarTransactions(c *call) (any, *apiError) {
	offset, limit := c.p.int("offset"), c.p.int("limit")
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	out := tg.StarTransactions{Transactions: []tg.StarTransaction{}}
	for i := max(offset, 0); i < int64(len(b.ledger)) && int64(len(out.Transactions)) < limit; i++ {
		out.Transactions = append(out.Transactions, b.ledger[i].transaction())
	}
	return out, nil
}

func getMyStarBalance(c *call) (any, *apiError) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for _, s := range b.ledger {
		if s.refund {
			n -= s.co.TotalAmount
		} else {
			n += s.co.TotalAmount
		}
	}
	return tg.StarAmount{Amount: n}, nil
}
