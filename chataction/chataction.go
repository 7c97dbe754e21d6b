package chataction

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Interval is how often an action is repeated: Telegram shows one for 5 s.
const Interval = 4500 * time.Millisecond

// The actions of sendChatAction.
const (
	Typing          = "typing"
	UploadPhoto     = "upload_photo"
	RecordVideo     = "record_video"
	UploadVideo     = "upload_video"
	RecordVoice     = "record_voice"
	UploadVoice     = "upload_voice"
	UploadDocument  = "upload_document"
	ChooseSticker   = "choose_sticker"
	FindLocation    = "find_location"
	RecordVideoNote = "record_video_note"
	UploadVideoNote = "upload_video_note"
)

// Keep runs fn while showing action in the update's chat: it sends the
// action at once and every Interval until fn returns or c ends, and
// returns fn's error. Its own send failures are logged, not returned.
// Without a chat (an inline query, say) it just runs fn.
func Keep(c *herald.Context, action string, fn func() error) error {
	p, ok := Params(c, action)
	if !ok {
		return fn()
	}
	var log *slog.Logger
	if b := c.Bot(); b != nil {
		log = b.Logger()
	}
	stop := Start(c, c.Client(), p, log)
	defer stop()
	return fn()
}

// Middleware keeps action alive while the rest of the chain runs; use it
// as inner middleware (Router.UseInner, UseInnerIf) so that it starts
// only once a handler was chosen.
func Middleware(action string) herald.Handler {
	return func(c *herald.Context) error {
		return Keep(c, action, c.Next)
	}
}

// Params returns the sendChatAction parameters for action in the
// update's chat: its forum topic and business connection included. It
// reports false when the update has no chat.
func Params(c *herald.Context, action string) (tg.SendChatActionParams, bool) {
	chat := c.Chat()
	if chat == nil {
		return tg.SendChatActionParams{}, false
	}
	p := tg.SendChatActionParams{ChatID: tg.ID(chat.ID), Action: action}
	if m := c.Message(); m != nil {
		if m.IsTopicMessage {
			p.MessageThreadID = m.MessageThreadID
		}
		p.BusinessConnectionID = m.BusinessConnectionID
	}
	return p, true
}

// Start sends p through client at once and every Interval in the
// background until stop is called or ctx ends. stop ends the repeats
// (cancelling a send in flight) and returns when the sender has ended;
// it may be called more than once. Send failures are logged to log at
// debug level (nil: not logged); after a 400 or 403 the repeats stop.
func Start(ctx context.Context, client *tg.Client, p tg.SendChatActionParams, log *slog.Logger) (stop func()) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			if _, err := client.SendChatAction(ctx, p); err != nil {
				if ctx.Err() != nil {
					return // stopped: the failure is ours
				}
				log.DebugContext(ctx, "chataction: sendChatAction failed", "action", p.Action, "err", err)
				if permanent(err) {
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// permanent reports the Bot API's answers that a repeat would get again:
// the chat is not found, the bot was blocked or kicked.
func permanent(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && (e.Code == http.StatusBadRequest || e.Code == http.StatusForbidden)
}
