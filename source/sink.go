package source

import (
	"context"
	"errors"

	"github.com/heraldbot/herald/tg"
)

// Reply is a Bot API call a webhook may return in the body of its 2xx
// answer (Telegram executes it; its result is not reported). Only the
// inline Webhook mode can carry it; see Ack.
type Reply struct {
	// Method is the Bot API method, e.g. "sendMessage".
	Method string
	// Params are the method's parameters: a tg params struct, a map, or
	// nil. They must encode to a JSON object and cannot hold uploads.
	Params any
}

// Ack is called exactly once when an update has been handled, or has
// failed and the failure was reported. Only then may a source confirm the
// update to Telegram: the polling offset moves past it, and an inline
// webhook answers 2xx. reply is nil unless the handler wants its call
// answered inline (webhook inline mode only; other sources log and drop
// it). An Ack is safe to call from any goroutine; calls after the first
// are ignored.
type Ack func(reply *Reply)

// Sink receives updates from a source: in Herald it is the scheduler.
// The update and ack belong to the sink once it accepted them.
type Sink interface {
	// Submit hands u to the sink, blocking while the sink is full
	// (backpressure) until ctx is done, in which case it returns an error
	// and u was not accepted (ack will not be called).
	Submit(ctx context.Context, u *tg.Update, ack Ack) error
	// TrySubmit is Submit without waiting: when the sink is full it
	// returns an error matching ErrFull (errors.Is) at once.
	TrySubmit(u *tg.Update, ack Ack) error
}

// ErrFull is returned (possibly wrapped) by Sink.TrySubmit when the sink
// cannot take another update now.
var ErrFull = errors.New("source: sink is full")
