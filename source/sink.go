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

// Ack is called exactly once with the outcome of an update the sink
// accepted. With err nil the update was handled (or its failure was
// reported to the user as part of handling it): only then may a source
// confirm it to Telegram, the polling offset moving past it and an inline
// webhook answering 2xx. reply is nil unless the handler wants its call
// answered inline (webhook inline mode only; other sources log and drop
// it).
//
// A non-nil err means the update was not handled because the bot's own
// infrastructure failed (a store unreachable, the shutdown deadline
// passed): the source must not confirm it. An inline webhook answers 503
// with Retry-After, so Telegram delivers it again; the poller keeps the
// offset before it and submits it again when getUpdates returns it again.
// An Ack is safe to call from any goroutine; calls after the first are
// ignored.
type Ack func(reply *Reply, err error)

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

// BatchSink is a Sink that keeps what it takes durably (an update
// journal) and takes a poller's whole getUpdates batch at once. A Poller
// whose sink is a BatchSink hands it each batch with one SubmitBatch call
// and confirms the batch to Telegram as soon as the call returned nil:
// every update is then fetched once, however long its handler takes.
type BatchSink interface {
	Sink
	// SubmitBatch stores ups, in update_id order, all or none. It blocks
	// while the sink holds more than it should (backpressure) until ctx is
	// done. nil means every update is stored and may be confirmed; an
	// error means none is, and the poller fetches the batch again.
	SubmitBatch(ctx context.Context, ups []*tg.Update) error
}
