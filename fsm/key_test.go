package fsm_test

import (
	"math"
	"testing"

	"github.com/heraldbot/herald/fsm"
)

func TestKeyStrategies(t *testing.T) {
	const bot, chat, user, thread = 1, -100500, 42, 7
	tests := []struct {
		s    fsm.KeyStrategy
		want fsm.Key
	}{
		{fsm.UserInChat, fsm.Key{BotID: bot, ChatID: chat, UserID: user}},
		{fsm.Chat, fsm.Key{BotID: bot, ChatID: chat}},
		{fsm.GlobalUser, fsm.Key{BotID: bot, UserID: user}},
		{fsm.UserInTopic, fsm.Key{BotID: bot, ChatID: chat, UserID: user, ThreadID: thread}},
		{fsm.ChatTopic, fsm.Key{BotID: bot, ChatID: chat, ThreadID: thread}},
	}
	for _, tc := range tests {
		got, ok := tc.s.Key(bot, chat, user, thread)
		if !ok || got != tc.want {
			t.Errorf("%v.Key = %+v, %v; want %+v", tc.s, got, ok, tc.want)
		}
	}
	if fsm.KeyStrategy(0) != fsm.UserInChat {
		t.Error("the zero KeyStrategy is not UserInChat")
	}
	// Missing ids.
	for _, tc := range []struct {
		s                  fsm.KeyStrategy
		chat, user, thread int64
		want               bool
	}{
		{fsm.UserInChat, chat, 0, 0, false}, // a channel post: no user
		{fsm.UserInChat, 0, user, 0, false}, // an inline query: no chat
		{fsm.Chat, 0, user, 0, false},
		{fsm.Chat, chat, 0, 0, true},
		{fsm.GlobalUser, 0, user, 0, true},
		{fsm.GlobalUser, chat, 0, 0, false},
		{fsm.UserInTopic, chat, user, 0, true}, // outside topics
		{fsm.UserInTopic, chat, 0, thread, false},
		{fsm.ChatTopic, chat, 0, 0, true},
		{fsm.ChatTopic, 0, 0, thread, false},
		{fsm.KeyStrategy(99), chat, user, thread, false},
	} {
		k, ok := tc.s.Key(bot, tc.chat, tc.user, tc.thread)
		if ok != tc.want || (!ok && k != (fsm.Key{})) {
			t.Errorf("%v.Key(chat %d, user %d, thread %d) = %+v, %v; want ok=%v", tc.s, tc.chat, tc.user, tc.thread, k, ok, tc.want)
		}
	}
	if fsm.ChatTopic.String() != "ChatTopic" || fsm.KeyStrategy(99).String() != "KeyStrategy(99)" {
		t.Error("String wrong")
	}
}

// TestKeyString pins the storage key format backends rely on.
func TestKeyString(t *testing.T) {
	for k, want := range map[fsm.Key]string{
		{}: "0:0:0:0",
		{BotID: 42, ChatID: -1001987654321, UserID: 7, ThreadID: 3}:            "42:-1001987654321:7:3",
		{BotID: math.MaxInt64, ChatID: math.MinInt64, UserID: -1, ThreadID: 1}: "9223372036854775807:-9223372036854775808:-1:1",
		{BotID: 42, ChatID: 7, UserID: 7, BusinessConnectionID: "AbC-12_x"}:    "42:7:7:0:AbC-12_x",
	} {
		if got := k.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", k, got, want)
		}
	}
}
