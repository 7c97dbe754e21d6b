package herald

import (
	"context"

	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// Context is what handlers and middleware receive for one update. It is a
// context.Context (cancelled on shutdown or handler timeout), so it can be
// passed straight to client calls: c.Client().SendMessage(c, …).
//
// A Context belongs to one update. After the handler returns it may still
// be used as a context.Context and to read the update, but Command, Args,
// Groups, Next and typed values are gone.
type Context struct {
	context.Context

	// Update is the update being handled.
	Update *tg.Update

	bot    *Bot
	client *tg.Client
	kind   UpdateKind

	// *scratch holds what routing and filters leave for the handler. It is
	// pooled and detached when the update is done, so the Context itself
	// stays small: handlers pass it to code (net/http) that may keep it.
	*scratch
}

// scratch is the per-update working state of dispatching.
type scratch struct {
	frames   []frame
	frameBuf [8]frame
	handled  bool
	route    string // Route
	cmd      parsedCommand
	command  string
	args     string
	groups   []string
	values   []value
	response *source.Reply // set by ReplyInResponse
	fsm      *fsm.Context  // the update's conversation, made on first use
	fsmErr   error         // a state read that failed in a filter
}

// value is a typed per-update value stored by a Key.
type value struct {
	key any
	val any
}

// reset clears a pooled scratch for the next update.
func (s *scratch) reset() {
	s.frames = s.frameBuf[:0]
	s.handled, s.route = false, ""
	s.cmd = parsedCommand{}
	s.command, s.args, s.groups = "", "", nil
	s.fsm, s.fsmErr, s.response = nil, nil, nil
	clear(s.values)
	s.values = s.values[:0]
}

// newContext builds the Context of one update around a reset scratch.
func newContext(ctx context.Context, b *Bot, u *tg.Update, s *scratch) *Context {
	s.reset()
	c := &Context{Context: ctx, Update: u, bot: b, kind: KindOf(u), scratch: s}
	if b != nil {
		c.client = b.client
	}
	return c
}

// Kind returns the kind of the update.
func (c *Context) Kind() UpdateKind { return c.kind }

// Client returns the Bot API client, with the bot's middleware (limits,
// retries) in its Caller chain.
func (c *Context) Client() *tg.Client { return c.client }

// Bot returns the bot that received the update.
func (c *Context) Bot() *Bot { return c.bot }

// Message returns the message of the update: a new, edited, channel,
// business or guest message, or the message of a callback query when it is
// still accessible. It is nil for other updates.
func (c *Context) Message() *tg.Message { return updateMessage(c.Update, c.kind) }

// CallbackQuery returns the callback query of the update, or nil.
func (c *Context) CallbackQuery() *tg.CallbackQuery { return c.Update.CallbackQuery }

// Chat returns the chat the update happened in, or nil when it has none
// (inline queries, polls, …).
func (c *Context) Chat() *tg.Chat { return updateChat(c.Update, c.kind) }

// Sender returns the user who caused the update, or nil when there is none
// (channel posts, poll updates). For a message an anonymous group admin
// sent it is Telegram's GroupAnonymousBot user; the message's SenderChat is
// then the group itself.
func (c *Context) Sender() *tg.User { return updateSender(c.Update, c.kind) }

// BusinessConnectionID returns the business connection the update came
// through: a business message, its edit or deletion, the connection
// itself, or a callback query on a message the bot sent on a business
// account's behalf. It is "" for everything else. Answers to such an
// update go back through the same connection (ReplyWith fills it in) and
// its conversation is keyed by it (see FSM).
func (c *Context) BusinessConnectionID() string {
	switch u := c.Update; c.kind {
	case KindBusinessConnection:
		if u.BusinessConnection != nil {
			return u.BusinessConnection.ID
		}
	case KindDeletedBusinessMessages:
		if u.DeletedBusinessMessages != nil {
			return u.DeletedBusinessMessages.BusinessConnectionID
		}
	}
	if m := c.Message(); m != nil {
		return m.BusinessConnectionID
	}
	return ""
}

// Text returns the text or caption of the update's message, or the data of
// a callback query, or the query of an inline query.
func (c *Context) Text() string {
	switch c.kind {
	case KindCallbackQuery:
		return c.Update.CallbackQuery.Data
	case KindInlineQuery:
		return c.Update.InlineQuery.Query
	}
	if m := c.Message(); m != nil {
		if m.Text != "" {
			return m.Text
		}
		return m.Caption
	}
	return ""
}

// Command returns the command matched by a Command filter, without the slash
// and bot name ("start" for "/start@my_bot 42").
func (c *Context) Command() string { return c.command }

// Args returns the text after the command matched by a Command filter.
func (c *Context) Args() string { return c.args }

// Groups returns the submatches of the last TextRegexp filter that matched.
func (c *Context) Groups() []string { return c.groups }

// WithContext returns a Context for the rest of the chain that carries ctx
// (a deadline, a value) and shares everything else with c. Middleware use
// it instead of changing c.Context, which other goroutines may be reading:
//
//	return c.WithContext(ctx).Next()
func (c *Context) WithContext(ctx context.Context) *Context {
	c2 := *c
	c2.Context = ctx
	return &c2
}
