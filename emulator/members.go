package emulator

import (
	"context"
	"time"

	"github.com/heraldbot/herald/tg"
)

// MemberChange is a user joining or leaving a group or supergroup (see
// AddMember and RemoveMember).
type MemberChange struct {
	// Token is the bot's token; the bot is created if new.
	Token string `json:"token"`
	// Chat is the group or supergroup (negative ID); it is created, with
	// the bot in it, if the bot does not know it yet.
	Chat tg.Chat `json:"chat"`
	// User joins or leaves; at least ID (> 0) is needed.
	User tg.User `json:"user"`
	// By is the member who adds or removes User; the zero value means
	// User joins or leaves on their own.
	By tg.User `json:"by,omitzero"`
}

// MemberChanged is the result of AddMember and RemoveMember: the service
// message (new_chat_members or left_chat_member) and the update ids
// queued, 0 for an update the bot's allowed_updates leave out (the
// chat_member update unless the bot asked for it).
type MemberChanged struct {
	ChatID             int64 `json:"chat_id"`
	MessageID          int64 `json:"message_id"`
	MessageUpdateID    int64 `json:"message_update_id"`
	ChatMemberUpdateID int64 `json:"chat_member_update_id"`
}

// AddMember makes m.User a member of the group m.Chat: the chat gets a
// new_chat_members service message, and the bot a message update with it
// and a chat_member update (left → member) if it asked for those.
func (e *Emulator) AddMember(ctx context.Context, m MemberChange) (MemberChanged, error) {
	return e.changeMember(ctx, m, true)
}

// RemoveMember makes m.User leave the group m.Chat (or be removed by
// m.By): a left_chat_member service message, and a chat_member update
// (member → left) if the bot asked for those.
func (e *Emulator) RemoveMember(ctx context.Context, m MemberChange) (MemberChanged, error) {
	return e.changeMember(ctx, m, false)
}

func (e *Emulator) changeMember(ctx context.Context, m MemberChange, join bool) (MemberChanged, error) {
	b, err := e.actionBot(ctx, m.Token, m.User)
	if err != nil {
		return MemberChanged{}, err
	}
	if m.Chat.Type == "" {
		m.Chat.Type = "group"
	}
	switch {
	case m.Chat.Type != "group" && m.Chat.Type != "supergroup":
		return MemberChanged{}, controlErrorf("members join and leave groups and supergroups, not a %s", m.Chat.Type)
	case m.User.ID == b.id || m.By.ID == b.id:
		return MemberChanged{}, controlErrorf("user and by must be users, not the bot")
	case m.By.ID < 0:
		return MemberChanged{}, controlErrorf("by.id must be a positive user id")
	}
	user := e.touchUser(m.User)
	by := user
	if m.By.ID != 0 && m.By.ID != user.ID {
		by = e.touchUser(m.By)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.chats[m.Chat.ID]
	isMember := false
	if ch != nil {
		_, isMember = ch.members[user.ID]
	}
	switch {
	case join && isMember:
		return MemberChanged{}, controlErrorf("user %d is already a member of chat %d", user.ID, m.Chat.ID)
	case !join && !isMember:
		return MemberChanged{}, controlErrorf("user %d is not a member of chat %d", user.ID, m.Chat.ID)
	}
	if by.ID != user.ID {
		if ch, err = b.chatForUserLocked(m.Chat, by); err != nil {
			return MemberChanged{}, err
		}
	}
	if join {
		if ch, err = b.chatForUserLocked(m.Chat, user); err != nil {
			return MemberChanged{}, err
		}
	} else {
		delete(ch.members, user.ID)
	}

	now := time.Now().Unix()
	var oldM, newM tg.ChatMember = &tg.ChatMemberLeft{User: user}, &tg.ChatMemberMember{User: user}
	msg := &tg.Message{Date: now, Chat: ch.info, From: &by}
	if join {
		msg.NewChatMembers = []tg.User{user}
	} else {
		oldM, newM = newM, oldM
		left := user
		msg.LeftChatMember = &left
	}
	out := MemberChanged{ChatID: ch.info.ID}
	out.ChatMemberUpdateID = b.enqueueLocked("chat_member", ch.info.ID, func(u *tg.Update) {
		u.ChatMember = &tg.ChatMemberUpdated{Chat: ch.info, From: by, Date: now, OldChatMember: oldM, NewChatMember: newM}
	})
	msg.MessageID = ch.newMessageID()
	b.storeLocked(ch, &message{m: msg})
	snapshot := *msg
	out.MessageID = msg.MessageID
	out.MessageUpdateID = b.enqueueLocked("message", ch.info.ID, func(u *tg.Update) { u.Message = &snapshot })
	return out, nil
}
