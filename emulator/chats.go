package emulator

import (
	"slices"
	"strconv"
	"strings"

	"github.com/heraldbot/herald/tg"
)

// chat is one chat as one bot sees it.
type chat struct {
	info      tg.Chat
	nextMsgID int64
	msgs      []*message // in order; the oldest are forgotten past the cap
	byID      map[int64]*message
	pinned    []int64 // pinned message ids, most recent last
	topics    map[int64]*tg.ForumTopic
	members   map[int64]tg.User // users seen in the chat
	files     []string          // file ids stored for this chat, oldest first

	// ephemeral are the ephemeral messages (message_id 0, shown to one
	// user) by ephemeral_message_id; they are in msgs too.
	ephemeral       map[int64]*message
	nextEphemeralID int64

	// business is the business connection whose account's chat this is;
	// nil for the bot's own chats.
	business *businessConn
}

func newChat(info tg.Chat) *chat {
	return &chat{
		info: info, nextMsgID: 1, byID: make(map[int64]*message), members: make(map[int64]tg.User),
		ephemeral: make(map[int64]*message), nextEphemeralID: 1,
	}
}

func (c *chat) isGroup() bool {
	return c.info.Type == "group" || c.info.Type == "supergroup" || c.info.Type == "channel"
}

// add appends m, forgetting the oldest messages beyond limit.
func (c *chat) add(m *message, limit int) {
	c.msgs = append(c.msgs, m)
	if id := m.m.EphemeralMessageID; id != 0 {
		c.ephemeral[id] = m
	} else {
		c.byID[m.m.MessageID] = m
	}
	if over := len(c.msgs) - limit; over > 0 {
		for _, old := range c.msgs[:over] {
			if id := old.m.EphemeralMessageID; id != 0 {
				delete(c.ephemeral, id)
			} else {
				delete(c.byID, old.m.MessageID)
			}
		}
		clear(c.msgs[:over])
		c.msgs = c.msgs[over:]
	}
}

// newMessageID allocates the chat's next message id.
func (c *chat) newMessageID() int64 {
	id := c.nextMsgID
	c.nextMsgID++
	return id
}

// newEphemeralID allocates the chat's next ephemeral message id.
func (c *chat) newEphemeralID() int64 {
	id := c.nextEphemeralID
	c.nextEphemeralID++
	return id
}

// liveEphemeral returns the ephemeral message id shown to the user
// receiver if it exists and was not deleted.
func (c *chat) liveEphemeral(id, receiver int64) *message {
	m := c.ephemeral[id]
	if m == nil || m.deleted || m.m.ReceiverUser == nil || m.m.ReceiverUser.ID != receiver {
		return nil
	}
	return m
}

// unpin removes id from the pinned messages.
func (c *chat) unpin(id int64) {
	c.pinned = slices.DeleteFunc(c.pinned, func(x int64) bool { return x == id })
}

// setSender makes m a post of the channel c, or else a message from from.
func (c *chat) setSender(m *tg.Message, from tg.User) {
	if c.info.Type == "channel" {
		sc := c.info
		m.SenderChat = &sc
	} else {
		m.From = &from
	}
}

// storeLocked adds a new message to ch and reports it.
func (b *bot) storeLocked(ch *chat, m *message) {
	ch.add(m, b.e.opts.MaxMessagesPerChat)
	b.emitMessageLocked("sent", ch, m)
}

// live returns the message id if it exists and was not deleted.
func (c *chat) live(id int64) *message {
	m := c.byID[id]
	if m == nil || m.deleted {
		return nil
	}
	return m
}

// resolveChat finds the chat a chat_id parameter names: a number, or an
// @username of a public chat.
func (b *bot) resolveChatLocked(v string) (*chat, *apiError) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, errChatIDEmpty
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		id, ok := b.byName[strings.ToLower(name)]
		if !ok {
			return nil, errChatNotFound
		}
		return b.chats[id], nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	c := b.chats[id]
	if c == nil {
		return nil, errChatNotFound
	}
	return c, nil
}

// chatForUserLocked returns (creating it) the chat described by info,
// adding u as a member. info.ID 0 means the private chat with u.
func (b *bot) chatForUserLocked(info tg.Chat, u tg.User) (*chat, error) {
	if info.ID == 0 {
		info.ID = u.ID
	}
	if info.Type == "" {
		if info.ID > 0 {
			info.Type = "private"
		} else {
			info.Type = "group"
		}
	}
	switch info.Type {
	case "private":
		if info.ID != u.ID {
			return nil, controlErrorf("a private chat's id must be the user's id (%d)", u.ID)
		}
		info = tg.Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
	case "group", "supergroup", "channel":
		if info.ID >= 0 {
			return nil, controlErrorf("a %s chat needs a negative id", info.Type)
		}
		if info.Title == "" {
			info.Title = strings.ToUpper(info.Type[:1]) + info.Type[1:] + " " + strconv.FormatInt(-info.ID, 10)
		}
		if info.Type != "supergroup" {
			info.IsForum = false
		}
		info.FirstName, info.LastName = "", ""
	default:
		return nil, controlErrorf("unknown chat type %q (want private, group, supergroup or channel)", info.Type)
	}
	c := b.chats[info.ID]
	if c == nil {
		c = newChat(info)
		b.chats[info.ID] = c
	} else {
		// Keep the chat's identity; refresh names and titles.
		if info.Type != c.info.Type {
			return nil, controlErrorf("chat %d is a %s, not a %s", info.ID, c.info.Type, info.Type)
		}
		if info.Title == "" {
			info.Title = c.info.Title
		}
		info.IsForum = info.IsForum || c.info.IsForum
		if c.info.Username != "" && info.Username == "" {
			info.Username = c.info.Username
		}
		c.info = info
	}
	if c.info.Username != "" && c.info.Type != "private" {
		b.byName[strings.ToLower(c.info.Username)] = c.info.ID
	}
	if c.info.IsForum && c.topics == nil {
		c.topics = make(map[int64]*tg.ForumTopic)
	}
	c.members[u.ID] = u
	return c, nil
}

// ChatInfo describes a chat a bot knows.
type ChatInfo struct {
	// Chat is the chat as getChat would describe it.
	Chat tg.Chat `json:"chat"`
	// Messages is the number of messages in the transcript.
	Messages int `json:"messages"`
}

// Chats returns the chats the bot of token knows, by id.
func (e *Emulator) Chats(token string) ([]ChatInfo, error) {
	b, err := e.knownBot(token)
	if err != nil {
		return nil, controlErr(err)
	}
	b.mu.Lock()
	out := make([]ChatInfo, 0, len(b.chats))
	for _, c := range b.chats {
		out = append(out, ChatInfo{Chat: c.info, Messages: len(c.msgs)})
	}
	b.mu.Unlock()
	sortBy(out, func(c ChatInfo) int64 { return c.Chat.ID })
	return out, nil
}
