package limit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// Every method of the table exists in the Bot API, and the type switch
// reads the generated parameters of each (the reflection fallback is for
// other shapes).
func TestMethodTableMatchesTheAPI(t *testing.T) {
	known := make(map[string]bool)
	for _, m := range tg.Methods() {
		known[m.Name] = true
	}
	client := reflect.TypeFor[*tg.Client]()
	for method, how := range DefaultMethods() {
		if !known[method] {
			t.Errorf("%s is not a Bot API method", method)
			continue
		}
		m, ok := client.MethodByName(strings.ToUpper(method[:1]) + method[1:])
		if !ok || m.Type.NumIn() < 3 {
			t.Errorf("%s: no generated Client method with parameters", method)
			continue
		}
		p := reflect.New(m.Type.In(2)) // *XxxParams
		p.Elem().FieldByName("ChatID").Set(reflect.ValueOf(tg.ID(-100)))
		tgt, ok := knownTarget(p.Interface())
		if !ok {
			t.Errorf("%s: %s is not in knownTarget's type switch", method, m.Type.In(2))
			continue
		}
		if id, _ := tgt.chat.Int64(); id != -100 || !tgt.isGroup() {
			t.Errorf("%s: chat = %v, want -100 (a group)", method, tgt.chat)
		}
		if via := reflectTarget(p.Interface()); via != tgt {
			t.Errorf("%s: reflection reads %+v, the type switch %+v", method, via, tgt)
		}
		if how == PerItem && tgt.items != 0 {
			t.Errorf("%s: %d items in empty params", method, tgt.items)
		}
	}
	for _, never := range []string{"getUpdates", "answerCallbackQuery", "sendChatAction", "getChat", "deleteMessage", "sendMessageDraft"} {
		if DefaultMethods()[never] != NotCounted {
			t.Errorf("%s counts", never)
		}
	}
}

type ownParams struct {
	Chat  int64    `json:"chat_id"`
	Paid  bool     `json:"allow_paid_broadcast"`
	IDs   []int64  `json:"message_ids"`
	Other []string `json:"other"`
}

func TestTargetOf(t *testing.T) {
	tests := []struct {
		name   string
		params any
		want   target
		group  bool
	}{
		{"generated pointer", &tg.SendMessageParams{ChatID: tg.ID(7), AllowPaidBroadcast: true}, target{chat: tg.ID(7), paid: true}, false},
		{"generated value", tg.SendMessageParams{ChatID: tg.ID(-5)}, target{chat: tg.ID(-5)}, true},
		{"media group", &tg.SendMediaGroupParams{ChatID: tg.ID(7), Media: make([]tg.InputMedia, 4)}, target{chat: tg.ID(7), items: 4}, false},
		{"copy messages", &tg.CopyMessagesParams{ChatID: tg.ID(7), MessageIDs: []int64{1, 2, 3}}, target{chat: tg.ID(7), items: 3}, false},
		{"username, any case", &tg.SendMessageParams{ChatID: tg.Username("@News_Room")}, target{chat: tg.Username("news_room")}, true},
		{"inline edit", &tg.EditMessageTextParams{InlineMessageID: "abc"}, target{}, false},
		{"own struct", &ownParams{Chat: 9, Paid: true, IDs: []int64{1, 2}}, target{chat: tg.ID(9), paid: true, items: 2}, false},
		{"map", map[string]any{"chat_id": "@Chan", "allow_paid_broadcast": true, "media": []any{1, 2}}, target{chat: tg.Username("chan"), paid: true, items: 2}, true},
		{"map, decoded JSON number", map[string]any{"chat_id": float64(-100200)}, target{chat: tg.ID(-100200)}, true},
		{"map, decimal string", map[string]string{"chat_id": "12"}, target{chat: tg.ID(12)}, false},
		{"nil", nil, target{}, false},
		{"nil pointer", (*tg.SendMessageParams)(nil), target{}, false},
		{"not parameters", 42, target{}, false},
	}
	for _, tt := range tests {
		got := targetOf(tt.params)
		if got != tt.want || got.isGroup() != tt.group {
			t.Errorf("%s: got %+v (group %v), want %+v (group %v)", tt.name, got, got.isGroup(), tt.want, tt.group)
		}
	}
}

func TestTargetOfDoesNotAllocateForGeneratedParams(t *testing.T) {
	p := &tg.SendMessageParams{ChatID: tg.ID(7), Text: "x"}
	if n := testing.AllocsPerRun(100, func() { _ = targetOf(p) }); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}
