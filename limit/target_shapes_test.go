package limit

import (
	"testing"

	"github.com/heraldbot/herald/tg"
)

// unexportedChat has the chat in an unexported field named like the
// exported one, which the limiter must not read (it cannot, without
// unsafe, and json would not send it).
type unexportedChat struct {
	chatID int64
	Text   string
}

func TestTargetOfEdgeShapes(t *testing.T) {
	var nilPtr *ownParams
	tests := []struct {
		name   string
		params any
		want   target
	}{
		{"unexported chat field", &unexportedChat{chatID: 5}, target{}},
		{"nil pointer to a pointer", &nilPtr, target{}},
		{"pointer to a pointer", func() any { p := &ownParams{Chat: -3}; return &p }(), target{chat: tg.ID(-3)}},
		{"map with non-string keys", map[int]any{1: 2}, target{}},
		{"map, unusable chat", map[string]any{"chat_id": 1.5}, target{}},
		{"map, chat id of type ChatID", map[string]any{"chat_id": tg.Username("@Big")}, target{chat: tg.Username("big")}},
	}
	for _, tt := range tests {
		if got := targetOf(tt.params); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	_ = unexportedChat{}.chatID
}
