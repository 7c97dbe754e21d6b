package emulator

import (
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

func getChat(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		i := ch.info
		full := tg.ChatFullInfo{
			ID: i.ID, Type: i.Type, Title: i.Title, Username: i.Username,
			FirstName: i.FirstName, LastName: i.LastName, IsForum: i.IsForum,
			MaxReactionCount: 11,
		}
		if n := len(ch.pinned); n > 0 {
			if m := ch.live(ch.pinned[n-1]); m != nil {
				full.PinnedMessage = m.m
			}
		}
		return full, nil
	})
}

// memberLocked returns user id's membership in ch.
func (c *call) memberLocked(ch *chat, id int64) (tg.ChatMember, *apiError) {
	if id == c.b.id {
		if ch.info.Type == "private" {
			return &tg.ChatMemberMember{User: c.b.me()}, nil
		}
		return &tg.ChatMemberAdministrator{
			User: c.b.me(), CanManageChat: true, CanDeleteMessages: true, CanRestrictMembers: true,
			CanChangeInfo: true, CanInviteUsers: true, CanPinMessages: true, CanManageTopics: ch.info.IsForum,
			CanPostMessages: ch.info.Type == "channel", CanEditMessages: ch.info.Type == "channel",
		}, nil
	}
	if u, ok := ch.members[id]; ok {
		if ch.info.Type == "private" && c.e.blockedBy(id, c.b.id) {
			return &tg.ChatMemberBanned{User: u}, nil
		}
		return &tg.ChatMemberMember{User: u}, nil
	}
	u, ok := c.e.lookupUser(id)
	if !ok {
		return nil, errUserNotFound
	}
	return &tg.ChatMemberLeft{User: u}, nil
}

func getChatMember(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		return c.memberLocked(ch, c.p.int("user_id"))
	})
}

func getChatMemberCount(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) { return len(ch.members) + 1, nil })
}

func getChatAdministrators(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		if ch.info.Type == "private" {
			return nil, badRequest("there are no administrators in the private chat")
		}
		admin, _ := c.memberLocked(ch, c.b.id)
		return []tg.ChatMember{admin}, nil
	})
}

func pinChatMessage(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		m := ch.live(c.p.int("message_id"))
		if m == nil {
			return nil, errPinNotFound
		}
		ch.unpin(m.m.MessageID)
		ch.pinned = append(ch.pinned, m.m.MessageID)
		c.b.emitMessageLocked("edited", ch, m)
		return true, nil
	})
}

func unpinChatMessage(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		id := c.p.int("message_id")
		if id == 0 {
			if len(ch.pinned) == 0 {
				return true, nil
			}
			id = ch.pinned[len(ch.pinned)-1]
		}
		if !slices.Contains(ch.pinned, id) {
			return nil, badRequest("message to unpin not found")
		}
		ch.unpin(id)
		if m := ch.live(id); m != nil {
			c.b.emitMessageLocked("edited", ch, m)
		}
		return true, nil
	})
}

func unpinAllChatMessages(c *call) (any, *apiError) {
	return c.withChat(func(ch *chat) (any, *apiError) {
		old := ch.pinned
		ch.pinned = nil
		for _, id := range old {
			if m := ch.live(id); m != nil {
				c.b.emitMessageLocked("edited", ch, m)
			}
		}
		return true, nil
	})
}

func createForumTopic(c *call) (any, *apiError) {
	name := c.p.str("name")
	if n := utf16Len(name); n < 1 || n > 128 || strings.TrimSpace(name) == "" {
		return nil, badRequest("TOPIC_TITLE_EMPTY")
	}
	return c.withChat(func(ch *chat) (any, *apiError) {
		if !ch.info.IsForum {
			return nil, badRequest("the chat is not a forum")
		}
		color := c.p.int("icon_color")
		if color == 0 {
			color = defaultTopicColor
		}
		return c.b.addTopicLocked(ch, name, color, c.b.me()), nil
	})
}

// defaultTopicColor is the icon color of a topic created without one.
const defaultTopicColor = 7322096

// addTopicLocked creates a forum topic with its service message.
func (b *bot) addTopicLocked(ch *chat, name string, color int64, by tg.User) *tg.ForumTopic {
	id := ch.newMessageID()
	topic := &tg.ForumTopic{MessageThreadID: id, Name: name, IconColor: color}
	ch.topics[id] = topic
	b.storeLocked(ch, &message{m: &tg.Message{
		MessageID: id, MessageThreadID: id, Date: time.Now().Unix(), Chat: ch.info, From: &by,
		ForumTopicCreated: &tg.ForumTopicCreated{Name: name, IconColor: color},
	}, fromBot: by.ID == b.id})
	return topic
}
