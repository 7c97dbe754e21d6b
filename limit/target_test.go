package limit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// The methods that count are those the generated tg.MessageMethods names:
// this table, as documented in the package comment. A new Bot API version
// that changes it fails here, so that the documentation follows.
func TestDefaultMethodsAreTheDocumentedTable(t *testing.T) {
	want := map[string]Counting{
		"sendMessage": Once, "sendPhoto": Once, "sendLivePhoto": Once, "sendAudio": Once,
		"sendDocument": Once, "sendVideo": Once, "sendAnimation": Once, "sendVoice": Once,
		"sendVideoNote": Once, "sendPaidMedia": Once, "sendLocation": Once, "sendVenue": Once,
		"sendContact": Once, "sendPoll": Once, "sendChecklist": Once, "sendDice": Once,
		"sendSticker": Once, "sendInvoice": Once, "sendGame": Once, "sendRichMessage": Once,
		"forwardMessage": Once, "copyMessage": Once,
		"sendMediaGroup": PerItem, "forwardMessages": PerItem, "copyMessages": PerItem,
		"editMessageText": Once, "editMessageCaption": Once, "editMessageMedia": Once,
		"editMessageLiveLocation": Once, "stopMessageLiveLocation": Once,
		"editMessageChecklist": Once, "editMessageReplyMarkup": Once, "stopPoll": Once,
		"editEphemeralMessageText": Once, "editEphemeralMessageCaption": Once,
		"editEphemeralMessageMedia": Once, "editEphemeralMessageReplyMarkup": Once,
	}
	got := DefaultMethods()
	for method, how := range want {
		if got[method] != how {
			t.Errorf("%s counts %v, want %v", method, got[method], how)
		}
	}
	for method, how := range got {
		if _, ok := want[method]; !ok {
			t.Errorf("%s counts %v, want not counted", method, how)
		}
	}
	for _, never := range []string{"getUpdates", "answerCallbackQuery", "sendChatAction", "getChat", "deleteMessage", "deleteMessages", "deleteEphemeralMessage", "sendMessageDraft", "setGameScore"} {
		if got[never] != NotCounted {
			t.Errorf("%s counts", never)
		}
	}
}

// Every counted method exists in the Bot API, tg.TargetOf reads the chat of
// its generated parameters, and the JSON reading used for parameters of
// other shapes finds the same target in them.
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
		if _, ok := tg.TargetOf(p.Interface()); !ok {
			t.Errorf("%s: tg.TargetOf does not know %s", method, p.Type())
			continue
		}
		tgt := targetOf(p.Interface())
		if id, _ := tgt.chat.Int64(); id != -100 || !tgt.isGroup() {
			t.Errorf("%s: chat = %v, want -100 (a group)", method, tgt.chat)
		}
		if via := encodedTarget(p.Interface()); via != tgt {
			t.Errorf("%s: the JSON reads %+v, tg.TargetOf %+v", method, via, tgt)
		}
		if how == PerItem && tgt.items != 0 {
			t.Errorf("%s: %d items in empty params", method, tgt.items)
		}
	}
}

// tg.TargetOf knows the parameters of every generated method, by pointer
// and by value, so that only parameters of other shapes are encoded.
func TestTargetOfKnowsEveryGeneratedParams(t *testing.T) {
	client := reflect.TypeFor[*tg.Client]()
	for i := range client.NumMethod() {
		m := client.Method(i)
		if m.Type.NumIn() < 3 || !strings.HasSuffix(m.Type.In(2).Name(), "Params") {
			continue
		}
		p := reflect.New(m.Type.In(2))
		if _, ok := tg.TargetOf(p.Interface()); !ok {
			t.Errorf("%s: tg.TargetOf does not know %s", m.Name, p.Type())
		}
		if _, ok := tg.TargetOf(p.Elem().Interface()); !ok {
			t.Errorf("%s: tg.TargetOf does not know %s", m.Name, p.Elem().Type())
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
