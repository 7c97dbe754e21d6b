package emulator

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

func TestChatMemberStatuses(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	sayIn(t, e, bob, tg.Chat{ID: -800, Type: "group"}, "hey")
	// Ann is known but not in the group: left.
	mem, err := c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-800), UserID: ann.ID})
	if err != nil || mem.Status() != "left" {
		t.Fatalf("ann in the group = %#v, %v", mem, err)
	}
	mem, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(ann.ID), UserID: 123456})
	if err != nil || mem.Status() != "member" {
		t.Fatalf("bot in the private chat = %#v, %v", mem, err)
	}
	if err := e.BlockBot(ann.ID, ""); err != nil {
		t.Fatal(err)
	}
	mem, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(ann.ID), UserID: ann.ID})
	if err != nil || mem.Status() != "kicked" {
		t.Fatalf("ann after blocking = %#v, %v", mem, err)
	}
	// Unblocking one bot after blocking them all keeps the others blocked.
	const other = "777:other-bot"
	if _, err := e.AddBot(other); err != nil {
		t.Fatal(err)
	}
	if err := e.UnblockBot(ann.ID, testToken); err != nil {
		t.Fatal(err)
	}
	if e.blockedBy(ann.ID, 123456) || !e.blockedBy(ann.ID, 777) {
		t.Fatalf("blocked: test bot %v, other %v", e.blockedBy(ann.ID, 123456), e.blockedBy(ann.ID, 777))
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "back"}); err != nil {
		t.Fatal(err)
	}
	if err := e.BlockBot(ann.ID, "777:wrong"); err == nil {
		t.Fatal("blocking with a wrong token succeeded")
	}
}

func TestForumTopicValidation(t *testing.T) {
	e, _, c, ctx := startBot(t)
	forum := tg.Chat{ID: -900, Type: "supergroup", Title: "Forum", IsForum: true}
	sayIn(t, e, ann, forum, "hi")
	sayIn(t, e, ann, tg.Chat{ID: -901, Type: "supergroup"}, "hi")
	_, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: "   "})
	wantAPIError(t, err, 400, "Bad Request: TOPIC_TITLE_EMPTY")
	_, err = c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: strings.Repeat("n", 129)})
	wantAPIError(t, err, 400, "Bad Request: TOPIC_TITLE_EMPTY")
	_, err = c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-901), Name: "News"})
	if !tg.IsCode(err, 400) {
		t.Fatalf("topic in a non-forum: %v", err)
	}
	topic, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: "News", IconColor: 16766590})
	if err != nil || topic.IconColor != 16766590 {
		t.Fatalf("topic = %+v, %v", topic, err)
	}
	// A reply in a topic inherits the topic.
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: topic.MessageThreadID, Text: "in topic"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-900), Text: "reply", ReplyParameters: &tg.ReplyParameters{MessageID: s.MessageID}})
	if err != nil || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage {
		t.Fatalf("reply in topic = %+v, %v", m, err)
	}
}

func TestForumTopicsAndChannels(t *testing.T) {
	e, _, c, ctx := startBot(t)
	forum := tg.Chat{ID: -1009, Type: "supergroup", Title: "Forum", IsForum: true}
	if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	topic, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-1009), Name: "News"})
	if err != nil || topic.Name != "News" || topic.MessageThreadID == 0 {
		t.Fatalf("topic = %+v, %v", topic, err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1009), MessageThreadID: topic.MessageThreadID, Text: "in topic"})
	if err != nil || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage {
		t.Fatalf("topic message = %+v, %v", m, err)
	}
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1009), MessageThreadID: 999, Text: "nowhere"})
	wantAPIError(t, err, 400, "Bad Request: message thread not found")
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: topic.MessageThreadID, Text: "reply in topic"})
	if err != nil {
		t.Fatal(err)
	}

	channel := tg.Chat{ID: -1010, Type: "channel", Title: "Announcements"}
	cs, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: channel, Text: "post"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: s.UpdateID})
	if err != nil || len(ups) != 2 || ups[0].Message.MessageThreadID != topic.MessageThreadID || ups[1].UpdateID != cs.UpdateID ||
		ups[1].ChannelPost == nil || ups[1].ChannelPost.SenderChat.ID != -1010 || ups[1].ChannelPost.From != nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	pm, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1010), Text: "bot post"})
	if err != nil || pm.SenderChat == nil || pm.From != nil {
		t.Fatalf("channel post = %+v, %v", pm, err)
	}
}
