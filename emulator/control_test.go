package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestControlSendMessageRefusedLeavesNoTrace checks that a user message
// refused for a missing reply does not create the forum topic it names.
func TestControlSendMessageRefusedLeavesNoTrace(t *testing.T) {
	e, _ := startEmu(t, Options{Limits: offLimits()})
	ctx := context.Background()
	forum := tg.Chat{ID: -950, Type: "supergroup", Title: "Forum", IsForum: true}
	sayIn(t, e, ann, forum, "hi")
	_, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: 42, ReplyToMessageID: 99, Text: "reply"})
	if err == nil {
		t.Fatal("reply to a missing message succeeded")
	}
	tr, _ := e.Transcript(testToken, -950)
	if len(tr) != 1 {
		t.Fatalf("a refused message left %d entries: %+v", len(tr), tr)
	}
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: 42, Text: "new topic"})
	if err != nil || s.MessageID != 3 {
		t.Fatalf("message in a new topic = %+v, %v (want id 3 after the topic's service message 2)", s, err)
	}
}

func TestSubscribeFilterAndOverflow(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	sayIn(t, e, bob, tg.Chat{}, "hi")
	annEvents, cancelAnn, err := e.Subscribe(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer cancelAnn()
	all, cancelAll, err := e.Subscribe(testToken, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(bob.ID), Text: "to bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "to ann"}); err != nil {
		t.Fatal(err)
	}
	if ev := <-annEvents; ev.ChatID != ann.ID || ev.Message.Text != "to ann" {
		t.Fatalf("ann's first event = %+v", ev)
	}
	if ev := <-all; ev.ChatID != bob.ID {
		t.Fatalf("first event of all = %+v", ev)
	}
	// A subscriber that falls behind is dropped: its channel closes.
	for range subscriberBuffer + 1 {
		if _, err := c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(bob.ID), Action: "typing"}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range all {
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("read %d events before the close, want %d", n, subscriberBuffer)
	}
	cancelAll() // after the drop: a no-op
	if _, _, err := e.Subscribe("bad", 0); err == nil {
		t.Fatal("Subscribe with a bad token succeeded")
	}
}

func TestControlValidation(t *testing.T) {
	e, _ := startEmu(t, Options{})
	ctx := context.Background()
	for _, m := range []UserMessage{
		{Token: "bad", From: ann, Text: "x"},
		{Token: testToken, From: tg.User{}, Text: "x"},
		{Token: testToken, From: ann},
		{Token: testToken, From: ann, Text: strings.Repeat("x", 4097)},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: 5, Type: "private"}, Text: "x"},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: 5, Type: "group"}, Text: "x"},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: -5, Type: "spaceship"}, Text: "x"},
		{Token: testToken, From: ann, Photo: &Upload{Data: []byte("not a picture")}},
		{Token: testToken, From: ann, Text: "x", ReplyToMessageID: 42},
	} {
		if _, err := e.SendMessage(ctx, m); err == nil {
			t.Errorf("SendMessage(%+v) succeeded", m)
		}
	}
	if _, err := e.Transcript(testToken, 1); err == nil {
		t.Error("transcript of an unknown bot")
	}
}
