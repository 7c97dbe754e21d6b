package herald_test

import (
	"context"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// TestFSMKeyOfUpdate checks which ids an update's conversation key takes:
// the business connection it came through (the bot's own chat with a user
// and a business account's chat with them share the chat id), a forum
// topic, and a channel direct-messages topic.
func TestFSMKeyOfUpdate(t *testing.T) {
	ann := &tg.User{ID: 7, FirstName: "Ann"}
	private := tg.Chat{ID: 7, Type: "private"}
	tests := []struct {
		name     string
		strategy fsm.KeyStrategy
		u        tg.Update
		want     fsm.Key
	}{
		{"own chat", fsm.UserInChat, tg.Update{Message: &tg.Message{Chat: private, From: ann, Text: "x"}},
			fsm.Key{BotID: 1, ChatID: 7, UserID: 7}},
		{"business message", fsm.UserInChat,
			tg.Update{BusinessMessage: &tg.Message{Chat: private, From: ann, Text: "x", BusinessConnectionID: "bc1"}},
			fsm.Key{BotID: 1, ChatID: 7, UserID: 7, BusinessConnectionID: "bc1"}},
		{"business message, by user", fsm.GlobalUser,
			tg.Update{EditedBusinessMessage: &tg.Message{Chat: private, From: ann, Text: "x", BusinessConnectionID: "bc1"}},
			fsm.Key{BotID: 1, UserID: 7, BusinessConnectionID: "bc1"}},
		{"deleted business messages", fsm.Chat,
			tg.Update{DeletedBusinessMessages: &tg.BusinessMessagesDeleted{BusinessConnectionID: "bc2", Chat: private, MessageIDs: []int64{1}}},
			fsm.Key{BotID: 1, ChatID: 7, BusinessConnectionID: "bc2"}},
		{"callback on a business message", fsm.UserInChat,
			tg.Update{CallbackQuery: &tg.CallbackQuery{ID: "q", From: *ann, Data: "d",
				Message: &tg.Message{MessageID: 3, Chat: private, BusinessConnectionID: "bc3"}}},
			fsm.Key{BotID: 1, ChatID: 7, UserID: 7, BusinessConnectionID: "bc3"}},
		{"forum topic", fsm.ChatTopic,
			tg.Update{Message: &tg.Message{Chat: tg.Chat{ID: -100, Type: "supergroup", IsForum: true}, From: ann, Text: "x",
				MessageThreadID: 5, IsTopicMessage: true}},
			fsm.Key{BotID: 1, ChatID: -100, ThreadID: 5}},
		{"direct-messages topic", fsm.ChatTopic,
			tg.Update{Message: &tg.Message{Chat: tg.Chat{ID: -200, Type: "supergroup", IsDirectMessages: true}, From: ann, Text: "x",
				DirectMessagesTopic: &tg.DirectMessagesTopic{TopicID: 9, User: ann}}},
			fsm.Key{BotID: 1, ChatID: -200, ThreadID: 9}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			b, err := herald.New("1:x", herald.WithFSM(store, herald.FSMConfig{Strategy: tc.strategy}),
				herald.WithErrorReply(""), herald.WithLogger(quiet()))
			if err != nil {
				t.Fatal(err)
			}
			var got fsm.Key
			b.Router().Any(func(c *herald.Context) error { got = c.FSM().Key(); return nil })
			u := tc.u
			u.UpdateID = int64(i + 1)
			if err := b.HandleUpdate(context.Background(), &u); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("key = %+v, want %+v", got, tc.want)
			}
		})
	}
}
