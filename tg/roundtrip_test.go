package tg

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// readUpdates loads a testdata file holding one update or an array of them.
func readUpdates(t *testing.T, name string) []jsontext.Value {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if jsonKind(data) == '{' {
		return []jsontext.Value{data}
	}
	var list []jsontext.Value
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// roundTrip decodes raw into an Update, encodes it again, and checks that the
// result means the same JSON as the input.
func roundTrip(t *testing.T, raw jsontext.Value) *Update {
	t.Helper()
	var u Update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("decode: %v", err)
	}
	out, err := json.Marshal(&u)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("round trip changed the update\n in: %s\nout: %s", raw, out)
	}
	return &u
}

func TestRoundTripTextMessage(t *testing.T) {
	u := roundTrip(t, readUpdates(t, "text_message.json")[0])
	m := u.Message
	if m == nil || m.Chat.ID != -1001987654321 || m.Chat.Type != "supergroup" {
		t.Fatalf("chat not decoded: %+v", m)
	}
	if m.From == nil || m.From.ID != 1234567890 || m.From.FirstName != "Ада" || !m.From.IsPremium {
		t.Errorf("from = %+v", m.From)
	}
	if len(m.Entities) != 5 || m.Entities[0].Type != "bot_command" || m.Entities[4].User == nil || m.Entities[4].User.ID != 555000111 {
		t.Errorf("entities = %+v", m.Entities)
	}
	r := m.ReplyToMessage
	if r == nil || r.MessageID != 5819 || r.ReplyMarkup == nil || len(r.ReplyMarkup.InlineKeyboard) != 2 {
		t.Fatalf("reply_to_message = %+v", r)
	}
	if got := r.ReplyMarkup.InlineKeyboard[0][1].CallbackData; got != "order:cancel:42" {
		t.Errorf("callback_data = %q", got)
	}
	if m.LinkPreviewOptions == nil || !m.LinkPreviewOptions.IsDisabled {
		t.Errorf("link_preview_options = %+v", m.LinkPreviewOptions)
	}
}

func TestRoundTripEditedMessage(t *testing.T) {
	u := roundTrip(t, readUpdates(t, "edited_message.json")[0])
	if u.EditedMessage == nil || u.EditedMessage.EditDate != 1764339060 || u.Message != nil {
		t.Fatalf("edited_message = %+v", u.EditedMessage)
	}
}

func TestRoundTripCallbackQuery(t *testing.T) {
	u := roundTrip(t, readUpdates(t, "callback_query.json")[0])
	q := u.CallbackQuery
	if q == nil || q.Data != "order:confirm:42" || q.From.ID != 1234567890 {
		t.Fatalf("callback_query = %+v", q)
	}
	msg, ok := q.Message.(*Message)
	if !ok {
		t.Fatalf("message is %T, want *Message", q.Message)
	}
	if msg.MessageID != 77 || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "order:confirm:42" {
		t.Errorf("message = %+v", msg)
	}
}

func TestRoundTripInaccessibleMessage(t *testing.T) {
	u := roundTrip(t, readUpdates(t, "callback_inaccessible.json")[0])
	im, ok := u.CallbackQuery.Message.(*InaccessibleMessage)
	if !ok {
		t.Fatalf("message is %T, want *InaccessibleMessage", u.CallbackQuery.Message)
	}
	if im.MessageID != 12 || im.Chat.ID != 1234567890 {
		t.Errorf("inaccessible = %+v", im)
	}
}

func TestRoundTripPhotoWithCaption(t *testing.T) {
	m := roundTrip(t, readUpdates(t, "photo_caption.json")[0]).Message
	if len(m.Photo) != 3 || m.Photo[2].Width != 1280 || m.Photo[2].FileSize != 98314 {
		t.Errorf("photo = %+v", m.Photo)
	}
	if m.Caption != "Receipt for *order 42*" || len(m.CaptionEntities) != 1 || !m.HasMediaSpoiler {
		t.Errorf("caption = %q %+v", m.Caption, m.CaptionEntities)
	}
}

func TestRoundTripForumTopic(t *testing.T) {
	m := roundTrip(t, readUpdates(t, "forum_topic.json")[0]).Message
	if !m.IsTopicMessage || m.MessageThreadID != 2999 || !m.Chat.IsForum {
		t.Errorf("topic message = %+v", m)
	}
	created := m.ReplyToMessage.ForumTopicCreated
	if created == nil || created.Name != "Refunds" || created.IconColor != 7322096 {
		t.Errorf("forum_topic_created = %+v", created)
	}
}

func TestRoundTripChatMemberVariants(t *testing.T) {
	want := []struct {
		status string
		typ    any
	}{
		{"creator", &ChatMemberOwner{}},
		{"administrator", &ChatMemberAdministrator{}},
		{"member", &ChatMemberMember{}},
		{"restricted", &ChatMemberRestricted{}},
		{"left", &ChatMemberLeft{}},
		{"kicked", &ChatMemberBanned{}},
	}
	ups := readUpdates(t, "chat_members.json")
	if len(ups) != len(want) {
		t.Fatalf("%d updates in testdata, want %d", len(ups), len(want))
	}
	for i, raw := range ups {
		u := roundTrip(t, raw)
		nm := u.ChatMember.NewChatMember
		if reflect.TypeOf(nm) != reflect.TypeOf(want[i].typ) || nm.Status() != want[i].status {
			t.Errorf("update %d: new member is %T (%s), want %T", i, nm, nm.Status(), want[i].typ)
		}
	}
	// Spot-check fields of two variants.
	adm := func() *ChatMemberAdministrator {
		u := roundTrip(t, ups[1])
		return u.ChatMember.NewChatMember.(*ChatMemberAdministrator)
	}()
	if !adm.CanBeEdited || adm.CanPromoteMembers || !adm.CanPinMessages || adm.User.ID != 2 {
		t.Errorf("administrator = %+v", adm)
	}
	ban := roundTrip(t, ups[5]).ChatMember.NewChatMember.(*ChatMemberBanned)
	if ban.UntilDate != 1765000000 {
		t.Errorf("banned until %d", ban.UntilDate)
	}
}

func TestRoundTripMessageOriginVariants(t *testing.T) {
	ups := readUpdates(t, "forward_origins.json")
	if len(ups) != 4 {
		t.Fatalf("%d updates", len(ups))
	}
	o0 := roundTrip(t, ups[0]).Message.ForwardOrigin.(*MessageOriginUser)
	if o0.SenderUser.ID != 7 || o0.Type() != "user" {
		t.Errorf("user origin = %+v", o0)
	}
	o1 := roundTrip(t, ups[1]).Message.ForwardOrigin.(*MessageOriginHiddenUser)
	if o1.SenderUserName != "Private Person" {
		t.Errorf("hidden user origin = %+v", o1)
	}
	o2 := roundTrip(t, ups[2]).Message.ForwardOrigin.(*MessageOriginChat)
	if o2.SenderChat.ID != -1001987654321 || o2.AuthorSignature != "Anon admin" {
		t.Errorf("chat origin = %+v", o2)
	}
	o3 := roundTrip(t, ups[3]).Message.ForwardOrigin.(*MessageOriginChannel)
	if o3.Chat.Type != "channel" || o3.MessageID != 31337 {
		t.Errorf("channel origin = %+v", o3)
	}
}

func TestDecodeUnknownFutureField(t *testing.T) {
	raw := readUpdates(t, "unknown_field.json")[0]
	var u Update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("an unknown field must not fail decoding: %v", err)
	}
	if u.UpdateID != 300 || u.Message == nil || u.Message.Text != "hi" || u.Message.Chat.ID != 1 {
		t.Errorf("known fields lost: %+v", u.Message)
	}
}

func TestDecodeUnknownFutureVariant(t *testing.T) {
	raw := readUpdates(t, "unknown_variant.json")[0]
	u := roundTrip(t, raw) // the raw variant is written back unchanged
	unk, ok := u.Message.ForwardOrigin.(*UnknownMessageOrigin)
	if !ok {
		t.Fatalf("forward_origin is %T, want *UnknownMessageOrigin", u.Message.ForwardOrigin)
	}
	if unk.Type() != "spaceship" || !jsontext.Value(unk.Raw).IsValid() {
		t.Errorf("unknown = %+v", unk)
	}
	if u.Message.Text != "fwd" {
		t.Errorf("text = %q", u.Message.Text)
	}
}

func TestDecodeUnionErrors(t *testing.T) {
	for _, in := range []string{`[1,2]`, `"x"`, `{"type":`, `{"type":{"a":1}}`} {
		if _, err := DecodeMessageOrigin([]byte(in)); err == nil {
			t.Errorf("DecodeMessageOrigin(%s): no error", in)
		}
	}
	// A known variant with a field of the wrong type is an error, not Unknown.
	if _, err := DecodeMessageOrigin([]byte(`{"type":"user","date":"yesterday"}`)); err == nil {
		t.Error("wrong field type decoded without error")
	}
}
