package herald

import (
	"context"
	"slices"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// Every kind of update reaches the handler registered for it and no other,
// and the Context finds its chat and sender; the scheduler's key follows.
func TestEveryKindRoutesWithItsChatAndSender(t *testing.T) {
	ann := tg.User{ID: 7, FirstName: "Ann"}
	group := tg.Chat{ID: -100, Type: "supergroup"}
	msg := func() *tg.Message { return &tg.Message{MessageID: 1, Chat: group, From: &ann, Text: "hi"} }
	type register func(r *Router, h Handler, f ...Filter)
	cases := []struct {
		kind         UpdateKind
		reg          register
		u            tg.Update
		chat, sender int64 // 0: none
	}{
		{KindMessage, (*Router).Message, tg.Update{Message: msg()}, -100, 7},
		{KindEditedMessage, (*Router).EditedMessage, tg.Update{EditedMessage: msg()}, -100, 7},
		{KindChannelPost, (*Router).ChannelPost, tg.Update{ChannelPost: &tg.Message{MessageID: 1, Chat: tg.Chat{ID: -200, Type: "channel"}}}, -200, 0},
		{KindEditedChannelPost, (*Router).EditedChannelPost, tg.Update{EditedChannelPost: &tg.Message{MessageID: 1, Chat: tg.Chat{ID: -200, Type: "channel"}}}, -200, 0},
		{KindBusinessConnection, (*Router).BusinessConnection, tg.Update{BusinessConnection: &tg.BusinessConnection{ID: "b", User: ann}}, 0, 7},
		{KindBusinessMessage, (*Router).BusinessMessage, tg.Update{BusinessMessage: msg()}, -100, 7},
		{KindEditedBusinessMessage, (*Router).EditedBusinessMessage, tg.Update{EditedBusinessMessage: msg()}, -100, 7},
		{KindDeletedBusinessMessages, (*Router).DeletedBusinessMessages, tg.Update{DeletedBusinessMessages: &tg.BusinessMessagesDeleted{Chat: group}}, -100, 0},
		{KindGuestMessage, (*Router).GuestMessage, tg.Update{GuestMessage: msg()}, -100, 7},
		{KindMessageReaction, (*Router).MessageReaction, tg.Update{MessageReaction: &tg.MessageReactionUpdated{Chat: group, User: &ann}}, -100, 7},
		{KindMessageReactionCount, (*Router).MessageReactionCount, tg.Update{MessageReactionCount: &tg.MessageReactionCountUpdated{Chat: group}}, -100, 0},
		{KindInlineQuery, (*Router).InlineQuery, tg.Update{InlineQuery: &tg.InlineQuery{ID: "q", From: ann, Query: "tea"}}, 0, 7},
		{KindChosenInlineResult, (*Router).ChosenInlineResult, tg.Update{ChosenInlineResult: &tg.ChosenInlineResult{ResultID: "r", From: ann}}, 0, 7},
		{KindCallbackQuery, (*Router).CallbackQuery, tg.Update{CallbackQuery: &tg.CallbackQuery{ID: "c", From: ann, Message: msg()}}, -100, 7},
		{KindCallbackQuery, (*Router).CallbackQuery, tg.Update{CallbackQuery: &tg.CallbackQuery{ID: "c", From: ann,
			Message: &tg.InaccessibleMessage{Chat: group, MessageID: 1}}}, -100, 7},
		{KindCallbackQuery, (*Router).CallbackQuery, tg.Update{CallbackQuery: &tg.CallbackQuery{ID: "c", From: ann, InlineMessageID: "i"}}, 0, 7},
		{KindShippingQuery, (*Router).ShippingQuery, tg.Update{ShippingQuery: &tg.ShippingQuery{ID: "s", From: ann}}, 0, 7},
		{KindPreCheckoutQuery, (*Router).PreCheckoutQuery, tg.Update{PreCheckoutQuery: &tg.PreCheckoutQuery{ID: "p", From: ann}}, 0, 7},
		{KindPurchasedPaidMedia, (*Router).PurchasedPaidMedia, tg.Update{PurchasedPaidMedia: &tg.PaidMediaPurchased{From: ann}}, 0, 7},
		{KindPoll, (*Router).Poll, tg.Update{Poll: &tg.Poll{ID: "p"}}, 0, 0},
		{KindPollAnswer, (*Router).PollAnswer, tg.Update{PollAnswer: &tg.PollAnswer{PollID: "p", User: &ann}}, 0, 7},
		{KindMyChatMember, (*Router).MyChatMember, tg.Update{MyChatMember: &tg.ChatMemberUpdated{Chat: group, From: ann}}, -100, 7},
		{KindChatMember, (*Router).ChatMember, tg.Update{ChatMember: &tg.ChatMemberUpdated{Chat: group, From: ann}}, -100, 7},
		{KindChatJoinRequest, (*Router).ChatJoinRequest, tg.Update{ChatJoinRequest: &tg.ChatJoinRequest{Chat: group, From: ann}}, -100, 7},
		{KindChatBoost, (*Router).ChatBoost, tg.Update{ChatBoost: &tg.ChatBoostUpdated{Chat: group}}, -100, 0},
		{KindRemovedChatBoost, (*Router).RemovedChatBoost, tg.Update{RemovedChatBoost: &tg.ChatBoostRemoved{Chat: group}}, -100, 0},
		{KindManagedBot, (*Router).ManagedBot, tg.Update{ManagedBot: &tg.ManagedBotUpdated{User: ann, Bot: tg.User{ID: 9, IsBot: true}}}, 0, 7},
		{KindSubscription, (*Router).Subscription, tg.Update{Subscription: &tg.BotSubscriptionUpdated{User: ann, InvoicePayload: "plan", State: "canceled"}}, 0, 7},
	}
	covered := UpdateKind(0)
	for i, tc := range cases {
		covered |= tc.kind
		t.Run(tc.kind.String(), func(t *testing.T) {
			b := newTestBot(t)
			var ran []UpdateKind
			for _, other := range cases {
				other.reg(b.Router(), func(c *Context) error {
					ran = append(ran, c.Kind())
					if got := idOf(c.Chat()); got != tc.chat {
						t.Errorf("Chat %d, want %d", got, tc.chat)
					}
					if got := userID(c.Sender()); got != tc.sender {
						t.Errorf("Sender %d, want %d", got, tc.sender)
					}
					return nil
				})
			}
			u := tc.u
			u.UpdateID = int64(1000 + i)
			if err := b.HandleUpdate(context.Background(), &u); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ran, []UpdateKind{tc.kind}) {
				t.Fatalf("handlers ran for %v, want only %v", ran, tc.kind)
			}
			want := tc.chat
			if want == 0 {
				want = tc.sender
			}
			if want == 0 {
				want = u.UpdateID
			}
			if got := UpdateKey(&u); got != want {
				t.Errorf("UpdateKey %d, want %d", got, want)
			}
		})
	}
	if missing := AllKinds &^ KindUnknown &^ covered; missing != 0 {
		t.Errorf("kinds without a case: %v", missing)
	}
}

func idOf(c *tg.Chat) int64 {
	if c == nil {
		return 0
	}
	return c.ID
}

func userID(u *tg.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// The Command filter takes several names, with or without the slash,
// in any case, and only this bot's commands.
func TestCommandFilterFunction(t *testing.T) {
	f := Command("/Start", "help")
	for text, want := range map[string]bool{
		"/start": true, "/START x": true, "/help@herald_test_bot": true, "/help@other_bot": false,
		"/stop": false, "start": false, "/": false, "": false,
	} {
		b := newTestBot(t)
		c := newContext(context.Background(), b, textUpdate(1, 1, text), new(scratch))
		if got := f(c); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
		if want && c.Command() == "" {
			t.Errorf("%q: no command recorded", text)
		}
	}
	cb := newContext(context.Background(), newTestBot(t), callbackUpdate(1, "/start"), new(scratch))
	if f(cb) {
		t.Error("a callback's data matched as a command")
	}
}

func TestContentTypeOf(t *testing.T) {
	loc := &tg.Location{Latitude: 1, Longitude: 2}
	for want, m := range map[string]*tg.Message{
		"text":       {Text: "hi"},
		"photo":      {Photo: []tg.PhotoSize{{FileID: "p"}}, Caption: "c"},
		"animation":  {Animation: &tg.Animation{FileID: "a"}, Document: &tg.Document{FileID: "a"}},
		"document":   {Document: &tg.Document{FileID: "d"}},
		"video":      {Video: &tg.Video{FileID: "v"}},
		"audio":      {Audio: &tg.Audio{FileID: "a"}},
		"voice":      {Voice: &tg.Voice{FileID: "v"}},
		"video_note": {VideoNote: &tg.VideoNote{FileID: "n"}},
		"sticker":    {Sticker: &tg.Sticker{FileID: "s"}},
		"venue":      {Venue: &tg.Venue{Location: *loc, Title: "t"}, Location: loc},
		"location":   {Location: loc},
		"contact":    {Contact: &tg.Contact{PhoneNumber: "1", FirstName: "A"}},
		"poll":       {Poll: &tg.Poll{ID: "p"}},
		"dice":       {Dice: &tg.Dice{Emoji: "🎲", Value: 3}},
		"story":      {Story: &tg.Story{ID: 1}},
		"other":      {NewChatTitle: "renamed"},
	} {
		if got := ContentTypeOf(m); got != want {
			t.Errorf("ContentTypeOf = %q, want %q", got, want)
		}
	}
}
