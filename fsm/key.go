package fsm

import (
	"errors"
	"strconv"
)

// KeyStrategy decides whose conversation an update belongs to, i.e. which
// ids make up its [Key]. The zero value is [UserInChat]. The topic is a
// forum topic or a channel direct-messages topic. Whatever the strategy,
// the runtime adds the business connection an update came through
// (Key.BusinessConnectionID), so a business account's chat with a user
// and the bot's own chat with them are separate conversations.
type KeyStrategy int

const (
	// UserInChat keys by chat and user: each user has their own
	// conversation in each chat (the default, and the usual choice). In
	// a private chat this is the same as one conversation per user.
	UserInChat KeyStrategy = iota
	// Chat keys by chat only: everyone in a group shares one conversation.
	Chat
	// GlobalUser keys by user only: a user has one conversation across
	// every chat with the bot.
	GlobalUser
	// UserInTopic keys by chat, user and forum topic: a user has their
	// own conversation in each topic. Outside topics (thread id 0) it
	// behaves like UserInChat.
	UserInTopic
	// ChatTopic keys by chat and forum topic: everyone in a topic shares
	// one conversation. Outside topics (thread id 0) it behaves like Chat.
	ChatTopic
)

// ErrNoKey reports that an update lacks an id its key strategy needs: no
// user (a channel post) for UserInChat, UserInTopic and GlobalUser, or no
// chat (an inline query) for UserInChat, Chat, UserInTopic and ChatTopic.
var ErrNoKey = errors.New("fsm: the update has no chat or user for the key strategy")

// Key returns the key of a conversation under strategy s. Ids the strategy
// does not use are zeroed. ok is false when an id the strategy needs is
// zero (no chat or no user); threadID may always be zero (no topic).
// An unknown strategy also gives ok=false.
func (s KeyStrategy) Key(botID, chatID, userID, threadID int64) (key Key, ok bool) {
	key.BotID = botID
	switch s {
	case UserInChat:
		key.ChatID, key.UserID = chatID, userID
		ok = chatID != 0 && userID != 0
	case Chat:
		key.ChatID = chatID
		ok = chatID != 0
	case GlobalUser:
		key.UserID = userID
		ok = userID != 0
	case UserInTopic:
		key.ChatID, key.UserID, key.ThreadID = chatID, userID, threadID
		ok = chatID != 0 && userID != 0
	case ChatTopic:
		key.ChatID, key.ThreadID = chatID, threadID
		ok = chatID != 0
	}
	if !ok {
		return Key{}, false
	}
	return key, true
}

// String returns the strategy's Go name ("UserInChat", …).
func (s KeyStrategy) String() string {
	switch s {
	case UserInChat:
		return "UserInChat"
	case Chat:
		return "Chat"
	case GlobalUser:
		return "GlobalUser"
	case UserInTopic:
		return "UserInTopic"
	case ChatTopic:
		return "ChatTopic"
	}
	return "KeyStrategy(" + strconv.Itoa(int(s)) + ")"
}
