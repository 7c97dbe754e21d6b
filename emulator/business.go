package emulator

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

// businessConn is a business account connected to a bot: a user who lets
// the bot read and answer the private chats of their account. Those chats
// are kept apart from the bot's own: the bot's chat with a customer and
// the business account's chat with the same customer have the same id.
type businessConn struct {
	info  tg.BusinessConnection
	chats map[int64]*chat // by the customer's id
}

// BusinessConnect connects a user's business account to a bot (see
// ConnectBusiness).
type BusinessConnect struct {
	// Token is the bot's token; the bot is created if new.
	Token string `json:"token"`
	// User is the business account's owner; at least ID (> 0).
	User tg.User `json:"user"`
	// ReadOnly takes away the right to reply (can_reply); by default the
	// bot may answer on the account's behalf.
	ReadOnly bool `json:"read_only,omitzero"`
}

// BusinessMessage is a message written in a chat of a connected business
// account (see SendBusinessMessage).
type BusinessMessage struct {
	Token        string `json:"token"`
	ConnectionID string `json:"connection_id"`
	// From is who writes: a customer (any user but the owner), or the
	// account's owner answering by hand.
	From tg.User `json:"from"`
	// ChatID is the customer whose chat it is; it defaults to From's id
	// and is needed when the owner writes.
	ChatID int64  `json:"chat_id,omitzero"`
	Text   string `json:"text"`
}

var (
	errBusinessConn      = badRequest("BUSINESS_CONNECTION_INVALID")
	errBusinessDisabled  = badRequest("BUSINESS_CONNECTION_DISABLED: the business account disconnected the bot")
	errBusinessPeer      = badRequest("BUSINESS_PEER_INVALID: the chat is not a chat of this business account")
	errBusinessCantReply = forbidden("the business account did not allow the bot to reply")
)

// ConnectBusiness connects u's business account to the bot and queues a
// business_connection update. Connecting again re-enables the existing
// connection with the rights given.
func (e *Emulator) ConnectBusiness(ctx context.Context, in BusinessConnect) (tg.BusinessConnection, error) {
	b, err := e.actionBot(ctx, in.Token, in.User)
	if err != nil {
		return tg.BusinessConnection{}, err
	}
	if in.User.ID == b.id {
		return tg.BusinessConnection{}, controlErrorf("user.id must not be the bot's id")
	}
	owner := e.touchUser(in.User)
	b.mu.Lock()
	defer b.mu.Unlock()
	var bc *businessConn
	for _, c := range b.business {
		if c.info.User.ID == owner.ID {
			bc = c
		}
	}
	if bc == nil {
		b.bizSeq++
		id := "biz" + strconv.FormatInt(b.id, 10) + "x" + strconv.FormatInt(b.bizSeq, 10)
		bc = &businessConn{chats: make(map[int64]*chat)}
		bc.info = tg.BusinessConnection{ID: id, User: owner, UserChatID: owner.ID}
		b.business[id] = bc
	}
	bc.info.User, bc.info.Date, bc.info.IsEnabled = owner, time.Now().Unix(), true
	bc.info.Rights = &tg.BusinessBotRights{CanReply: !in.ReadOnly, CanReadMessages: true}
	b.queueConnectionLocked(bc)
	return bc.info, nil
}

// DisconnectBusiness disables the connection id of the bot of token, as
// the account's owner does in their settings, and queues a
// business_connection update with is_enabled false.
func (e *Emulator) DisconnectBusiness(ctx context.Context, token, id string) (tg.BusinessConnection, error) {
	if err := ctx.Err(); err != nil {
		return tg.BusinessConnection{}, err
	}
	b, aerr := e.knownBot(token)
	if aerr != nil {
		return tg.BusinessConnection{}, controlErr(aerr)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bc := b.business[id]
	if bc == nil {
		return tg.BusinessConnection{}, controlErr(errBusinessConn)
	}
	bc.info.IsEnabled, bc.info.Date = false, time.Now().Unix()
	b.queueConnectionLocked(bc)
	return bc.info, nil
}

func (b *bot) queueConnectionLocked(bc *businessConn) {
	info := bc.info
	b.enqueueLocked("business_connection", info.UserChatID, func(u *tg.Update) { u.BusinessConnection = &info })
}

// SendBusinessMessage writes a message in a chat of a connected business
// account and queues a business_message update for the bot.
func (e *Emulator) SendBusinessMessage(ctx context.Context, in BusinessMessage) (Sent, error) {
	b, err := e.actionBot(ctx, in.Token, in.From)
	if err != nil {
		return Sent{}, err
	}
	switch {
	case strings.TrimSpace(in.Text) == "":
		return Sent{}, controlErr(errTextEmpty)
	case utf16Len(in.Text) > 4096:
		return Sent{}, controlErr(errTextTooLong)
	}
	from := e.touchUser(in.From)
	b.mu.Lock()
	defer b.mu.Unlock()
	bc := b.business[in.ConnectionID]
	switch {
	case bc == nil:
		return Sent{}, controlErr(errBusinessConn)
	case !bc.info.IsEnabled:
		return Sent{}, controlErr(errBusinessDisabled)
	}
	owner := bc.info.User
	customerID := in.ChatID
	if customerID == 0 {
		customerID = from.ID
	}
	if customerID == owner.ID || customerID == b.id {
		return Sent{}, controlErrorf("chat_id must be a customer's user id, not the owner's or the bot's")
	}
	customer, ok := e.lookupUser(customerID)
	if !ok {
		return Sent{}, controlErrorf("unknown user %d: a customer writes first", customerID)
	}
	if from.ID != customer.ID && from.ID != owner.ID {
		return Sent{}, controlErrorf("from must be the customer or the business account's owner")
	}
	ch := bc.chatLocked(customer)
	msg := &tg.Message{
		MessageID: ch.newMessageID(), Date: time.Now().Unix(), Chat: ch.info, From: &from,
		Text: in.Text, Entities: commandEntities(in.Text), BusinessConnectionID: bc.info.ID,
	}
	ch.add(&message{m: msg}, b.e.opts.MaxMessagesPerChat)
	snapshot := *msg
	uid := b.enqueueLocked("business_message", ch.info.ID, func(u *tg.Update) { u.BusinessMessage = &snapshot })
	return Sent{UpdateID: uid, MessageID: msg.MessageID, ChatID: ch.info.ID}, nil
}

// chatLocked returns the account's chat with customer, made if new.
func (bc *businessConn) chatLocked(customer tg.User) *chat {
	ch := bc.chats[customer.ID]
	if ch == nil {
		ch = newChat(tg.Chat{ID: customer.ID, Type: "private", FirstName: customer.FirstName,
			LastName: customer.LastName, Username: customer.Username})
		ch.business = bc
		bc.chats[customer.ID] = ch
	}
	ch.members[customer.ID] = customer
	return ch
}

// BusinessTranscript returns the messages of the business account's chat
// with a customer, oldest first, as Transcript does for the bot's chats.
func (e *Emulator) BusinessTranscript(token, connectionID string, chatID int64) ([]Entry, error) {
	b, err := e.knownBot(token)
	if err != nil {
		return nil, controlErr(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bc := b.business[connectionID]
	if bc == nil {
		return nil, controlErr(errBusinessConn)
	}
	return bc.chats[chatID].transcript()
}

// chatLocked resolves the chat a method's chat_id names: one of the bot's
// chats or, when the method takes business_connection_id and it is given,
// a chat of that business account, which the bot may answer in only when
// the connection is enabled and allows replies.
func (c *call) chatLocked() (*chat, *apiError) {
	if !c.p.has("business_connection_id") || !c.takes("business_connection_id") {
		return c.b.resolveChatLocked(c.p.str("chat_id"))
	}
	bc := c.b.business[c.p.str("business_connection_id")]
	switch {
	case bc == nil:
		return nil, errBusinessConn
	case !bc.info.IsEnabled:
		return nil, errBusinessDisabled
	case bc.info.Rights == nil || !bc.info.Rights.CanReply:
		return nil, errBusinessCantReply
	}
	v := strings.TrimSpace(c.p.str("chat_id"))
	if v == "" {
		return nil, errChatIDEmpty
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errBusinessPeer
	}
	ch := bc.chats[id]
	if ch == nil {
		return nil, errBusinessPeer
	}
	return ch, nil
}

// getBusinessConnection answers with the connection
// business_connection_id names.
func getBusinessConnection(c *call) (any, *apiError) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	bc := c.b.business[c.p.str("business_connection_id")]
	if bc == nil {
		return nil, errBusinessConn
	}
	return bc.info, nil
}
