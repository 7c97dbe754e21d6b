package emulator

// Event is a change of a transcript, or another thing a chat shows:
// what GET /control/events streams, Subscribe delivers and
// Options.OnEvent sees.
type Event struct {
	// Type is "sent", "edited" or "deleted" for messages (Message is
	// set), "chat_action" (Action is set), "callback_answer"
	// (CallbackAnswer is set), "inline_answer" (InlineAnswer is set) or
	// "payment" (Payment is set).
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id"`
	// Message is the message after the change, in the transcript's shape.
	Message        *Entry          `json:"message,omitzero"`
	Action         string          `json:"action,omitzero"`
	CallbackAnswer *CallbackAnswer `json:"callback_answer,omitzero"`
	// InlineAnswer is set for "inline_answer": the bot answered an inline
	// query typed in the chat.
	InlineAnswer *InlineAnswer `json:"inline_answer,omitzero"`
	// Payment is set for "payment": a payment of an invoice in the chat
	// started, succeeded, failed or was refunded.
	Payment *Payment `json:"payment,omitzero"`
}

// subscriber receives a bot's events; chatID 0 means every chat.
type subscriber struct {
	chatID int64
	ch     chan Event
}

const subscriberBuffer = 256

// Subscribe returns a channel of the events of the bot of token in chat
// chatID (every chat when chatID is 0), and a function that ends the
// subscription and closes the channel. A subscriber that falls more than
// 256 events behind is dropped: its channel is closed, and it should read
// the transcript again and resubscribe. Options.OnEvent sees every event
// without loss.
func (e *Emulator) Subscribe(token string, chatID int64) (<-chan Event, func(), error) {
	b, err := e.botFor(token)
	if err != nil {
		return nil, nil, controlErr(err)
	}
	s := &subscriber{chatID: chatID, ch: make(chan Event, subscriberBuffer)}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	cancel := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[s]; ok {
			delete(b.subs, s)
			close(s.ch)
		}
	}
	return s.ch, cancel, nil
}

// emitLocked passes ev to Options.OnEvent, then sends it to the
// subscribers without blocking.
func (b *bot) emitLocked(ev Event) {
	if on := b.e.opts.OnEvent; on != nil {
		on(b.token, ev)
	}
	for s := range b.subs {
		if s.chatID != 0 && s.chatID != ev.ChatID {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			delete(b.subs, s)
			close(s.ch)
		}
	}
}

// emitMessageLocked reports a sent, edited or deleted message.
func (b *bot) emitMessageLocked(typ string, c *chat, m *message) {
	if len(b.subs) == 0 && b.e.opts.OnEvent == nil || c.business != nil {
		return
	}
	en := c.entry(m)
	b.emitLocked(Event{Type: typ, ChatID: c.info.ID, Message: &en})
}
