package emulator

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/tg"
)

// callMap calls method with params given as a map, decoding the result
// into out (may be nil).
func callMap(t *testing.T, c *tg.Client, method string, params map[string]any, out any) error {
	t.Helper()
	return c.Call(testkit.Context(t), method, params, out)
}

func mustCall(t *testing.T, c *tg.Client, method string, params map[string]any, out any) {
	t.Helper()
	if err := callMap(t, c, method, params, out); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

const notModified = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func TestEditCaptionAndReplyMarkup(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	kb := inlineKeyboard([]tg.InlineKeyboardButton{cbButton("A", "a")})
	kb2 := inlineKeyboard([]tg.InlineKeyboardButton{cbButton("B", "b")})
	photo, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("p.png", bytes.NewReader(testPNG(t, 2, 2))), Caption: "old", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	text, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "plain"})
	if err != nil {
		t.Fatal(err)
	}

	var ed tg.Message
	mustCall(t, c, "editMessageCaption", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID, "caption": "new", "reply_markup": kb}, &ed)
	if ed.Caption != "new" || ed.EditDate == 0 || len(ed.Photo) != 1 || ed.ReplyMarkup == nil || ed.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "a" {
		t.Fatalf("edited caption = %+v", ed)
	}
	err = callMap(t, c, "editMessageCaption", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID, "caption": "new", "reply_markup": kb}, nil)
	wantAPIError(t, err, 400, notModified)
	err = callMap(t, c, "editMessageCaption", map[string]any{"chat_id": ann.ID, "message_id": text.MessageID, "caption": "x"}, nil)
	wantAPIError(t, err, 400, "Bad Request: there is no caption in the message to edit")
	err = callMap(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID, "text": "x"}, nil)
	wantAPIError(t, err, 400, "Bad Request: there is no text in the message to edit")

	// editMessageReplyMarkup changes only the keyboard.
	ed = tg.Message{}
	mustCall(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID, "reply_markup": kb2}, &ed)
	if ed.Caption != "new" || ed.ReplyMarkup == nil || ed.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "b" {
		t.Fatalf("edited markup = %+v", ed)
	}
	if _, err := e.PressButton(ctx, ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: photo.MessageID, Data: "a"}); err == nil {
		t.Fatal("the replaced button can still be pressed")
	}
	// Without reply_markup the keyboard is removed; a second time there
	// is nothing to change.
	ed = tg.Message{}
	mustCall(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID}, &ed)
	if ed.ReplyMarkup != nil {
		t.Fatalf("keyboard kept: %+v", ed.ReplyMarkup)
	}
	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID}, nil)
	wantAPIError(t, err, 400, notModified)
	// An empty inline keyboard is no keyboard.
	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": photo.MessageID, "reply_markup": map[string]any{"inline_keyboard": []any{}}}, nil)
	wantAPIError(t, err, 400, notModified)

	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": 99}, nil)
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID}, nil)
	wantAPIError(t, err, 400, "Bad Request: message identifier is not specified")
	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"message_id": photo.MessageID}, nil)
	wantAPIError(t, err, 400, "Bad Request: chat_id is empty")
	err = callMap(t, c, "editMessageReplyMarkup", map[string]any{"inline_message_id": "abc"}, nil)
	wantAPIError(t, err, 400, "Bad Request: MESSAGE_ID_INVALID")

	tr, _ := e.Transcript(testToken, ann.ID)
	last := tr[len(tr)-2] // the photo
	if last.MessageID != photo.MessageID || last.Caption != "new" || last.ReplyMarkup != nil || last.EditDate == 0 {
		t.Fatalf("transcript entry = %+v", last)
	}
}

// TestEditMessageWithReplyKeyboard checks that a reply keyboard, which
// belongs to the chat and not to the message, is neither "changed" nor
// removed by an edit: editing with the same text is not a modification.
func TestEditMessageWithReplyKeyboard(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	c := newClient(t, url, testToken)
	say(t, e, "/start")
	var m tg.Message
	mustCall(t, c, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "choose", "reply_markup": map[string]any{"keyboard": [][]any{{"Yes", map[string]any{"text": "No"}}}}}, &m)
	if m.ReplyMarkup != nil {
		t.Fatalf("a reply keyboard appears as an inline keyboard: %+v", m.ReplyMarkup)
	}
	err := callMap(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "choose"}, nil)
	wantAPIError(t, err, 400, notModified)
	mustCall(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "choose again"}, nil)
	tr, _ := e.Transcript(testToken, ann.ID)
	if got := tr[len(tr)-1]; got.Text != "choose again" || !strings.Contains(string(got.ReplyMarkup), `"keyboard"`) {
		t.Fatalf("entry after edit = %+v (reply markup %s)", got, got.ReplyMarkup)
	}
	// An inline keyboard can still be added by an edit.
	var ed tg.Message
	mustCall(t, c, "editMessageReplyMarkup", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "reply_markup": inlineKeyboard([]tg.InlineKeyboardButton{cbButton("A", "a")})}, &ed)
	if ed.ReplyMarkup == nil {
		t.Fatal("inline keyboard not added")
	}
}

func TestForwardCopyDeleteMany(t *testing.T) {
	e, _, c, ctx := startBot(t)
	for _, s := range []string{"one", "two", "three"} {
		say(t, e, s)
	}
	group := tg.Chat{ID: -300, Type: "group", Title: "G"}
	sayIn(t, e, ann, group, "here")
	ids, err := c.ForwardMessages(ctx, tg.ForwardMessagesParams{ChatID: tg.ID(-300), FromChatID: tg.ID(ann.ID), MessageIDs: []int64{1, 2, 77, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0].MessageID != 2 || ids[1].MessageID != 3 || ids[2].MessageID != 4 {
		t.Fatalf("forwarded ids = %+v", ids)
	}
	tr, _ := e.Transcript(testToken, -300)
	if len(tr) != 4 || !tr[1].Forwarded || tr[1].Text != "one" || tr[3].Text != "three" || tr[3].Sender != "bot" {
		t.Fatalf("group transcript = %+v", tr)
	}
	_, err = c.ForwardMessages(ctx, tg.ForwardMessagesParams{ChatID: tg.ID(-300), FromChatID: tg.ID(ann.ID), MessageIDs: []int64{70, 71}})
	wantAPIError(t, err, 400, "Bad Request: message to forward not found")

	// copyMessages copies content without the forward origin; remove_caption drops captions.
	ph, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("p.png", bytes.NewReader(testPNG(t, 1, 1))), Caption: "cap"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err = c.CopyMessages(ctx, tg.CopyMessagesParams{ChatID: tg.ID(-300), FromChatID: tg.ID(ann.ID), MessageIDs: []int64{1, ph.MessageID}, RemoveCaption: true})
	if err != nil || len(ids) != 2 || ids[0].MessageID != 5 || ids[1].MessageID != 6 {
		t.Fatalf("copied ids = %+v, %v", ids, err)
	}
	tr, _ = e.Transcript(testToken, -300)
	if cp := tr[4]; cp.Forwarded || cp.Text != "one" {
		t.Fatalf("copy = %+v", cp)
	}
	if cp := tr[5]; cp.Forwarded || cp.Caption != "" || len(cp.Photo) != 1 {
		t.Fatalf("photo copy = %+v", cp)
	}
	_, err = c.CopyMessages(ctx, tg.CopyMessagesParams{ChatID: tg.ID(-300), FromChatID: tg.ID(ann.ID), MessageIDs: []int64{}})
	if !tg.IsCode(err, 400) {
		t.Fatalf("copyMessages without ids: %v", err)
	}

	// deleteMessages deletes those that exist and skips the others.
	if _, err := c.DeleteMessages(ctx, tg.DeleteMessagesParams{ChatID: tg.ID(-300), MessageIDs: []int64{2, 3, 99}}); err != nil {
		t.Fatal(err)
	}
	tr, _ = e.Transcript(testToken, -300)
	if !tr[1].Deleted || !tr[2].Deleted || tr[3].Deleted {
		t.Fatalf("after deleteMessages = %+v", tr)
	}
	_, err = c.DeleteMessage(ctx, tg.DeleteMessageParams{ChatID: tg.ID(-300), MessageID: 2})
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
	many := make([]int64, 101)
	for i := range many {
		many[i] = int64(i + 1)
	}
	_, err = c.DeleteMessages(ctx, tg.DeleteMessagesParams{ChatID: tg.ID(-300), MessageIDs: many})
	if !tg.IsCode(err, 400) {
		t.Fatalf("deleteMessages with 101 ids: %v", err)
	}
}

// TestCopyMessageCaptionAndMarkup checks copyMessage's caption and
// reply_markup, and that a refused copy leaves no trace: no message id
// is used up.
func TestCopyMessageCaptionAndMarkup(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	ph, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("p.png", bytes.NewReader(testPNG(t, 1, 1))), Caption: "orig"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CopyMessage(ctx, tg.CopyMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: ph.MessageID, Caption: "<b>bold</b> copy", ParseMode: "HTML",
		ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Go", "go")})})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	cp := tr[len(tr)-1]
	if cp.MessageID != id.MessageID || cp.Caption != "bold copy" || len(cp.Photo) != 1 || !strings.Contains(string(cp.ReplyMarkup), `"go"`) {
		t.Fatalf("copy = %+v", cp)
	}
	// A caption for a text message is refused, and uses no message id.
	_, err = c.CopyMessage(ctx, tg.CopyMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: 1, Caption: "nope"})
	if !tg.IsCode(err, 400) {
		t.Fatalf("caption on a text copy: %v", err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "next"})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != id.MessageID+1 {
		t.Fatalf("message id after a refused copy = %d, want %d", m.MessageID, id.MessageID+1)
	}
	tr, _ = e.Transcript(testToken, ann.ID)
	if len(tr) != 4 {
		t.Fatalf("transcript has %d messages, want 4: %+v", len(tr), tr)
	}
}

func TestChatMemberCountAdminsAndPins(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	group := tg.Chat{ID: -400, Type: "supergroup", Title: "Club"}
	for _, u := range []tg.User{ann, bob} {
		sayIn(t, e, u, group, "hi from "+u.FirstName)
	}
	if n, err := c.GetChatMemberCount(ctx, tg.GetChatMemberCountParams{ChatID: tg.ID(-400)}); err != nil || n != 3 {
		t.Fatalf("group member count = %d, %v; want 3 (two users and the bot)", n, err)
	}
	if n, err := c.GetChatMemberCount(ctx, tg.GetChatMemberCountParams{ChatID: tg.ID(ann.ID)}); err != nil || n != 2 {
		t.Fatalf("private member count = %d, %v; want 2", n, err)
	}
	admins, err := c.GetChatAdministrators(ctx, tg.GetChatAdministratorsParams{ChatID: tg.ID(-400)})
	if err != nil || len(admins) != 1 || admins[0].Status() != "administrator" {
		t.Fatalf("admins = %+v, %v", admins, err)
	}
	if a, ok := admins[0].(*tg.ChatMemberAdministrator); !ok || a.User.ID != 123456 || !a.CanPinMessages {
		t.Fatalf("admin = %#v", admins[0])
	}
	_, err = c.GetChatAdministrators(ctx, tg.GetChatAdministratorsParams{ChatID: tg.ID(ann.ID)})
	wantAPIError(t, err, 400, "Bad Request: there are no administrators in the private chat")
	_, err = c.GetChatMemberCount(ctx, tg.GetChatMemberCountParams{ChatID: tg.ID(-999)})
	wantAPIError(t, err, 400, "Bad Request: chat not found")

	// Pins: the most recent is the chat's pinned message.
	for _, id := range []int64{1, 2} {
		if _, err := c.PinChatMessage(ctx, tg.PinChatMessageParams{ChatID: tg.ID(-400), MessageID: id}); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-400)})
	if info.PinnedMessage == nil || info.PinnedMessage.MessageID != 2 {
		t.Fatalf("pinned = %+v", info.PinnedMessage)
	}
	if _, err := c.UnpinChatMessage(ctx, tg.UnpinChatMessageParams{ChatID: tg.ID(-400), MessageID: 2}); err != nil {
		t.Fatal(err)
	}
	info, _ = c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-400)})
	if info.PinnedMessage == nil || info.PinnedMessage.MessageID != 1 {
		t.Fatalf("pinned after unpinning 2 = %+v", info.PinnedMessage)
	}
	if _, err := c.PinChatMessage(ctx, tg.PinChatMessageParams{ChatID: tg.ID(-400), MessageID: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UnpinAllChatMessages(ctx, tg.UnpinAllChatMessagesParams{ChatID: tg.ID(-400)}); err != nil {
		t.Fatal(err)
	}
	info, _ = c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-400)})
	if info.PinnedMessage != nil {
		t.Fatalf("pinned after unpinAll = %+v", info.PinnedMessage)
	}
	tr, _ := e.Transcript(testToken, -400)
	for _, en := range tr {
		if en.Pinned {
			t.Fatalf("entry %d still pinned", en.MessageID)
		}
	}
	// Unpinning with nothing pinned succeeds.
	if _, err := c.UnpinChatMessage(ctx, tg.UnpinChatMessageParams{ChatID: tg.ID(-400)}); err != nil {
		t.Fatal(err)
	}
}

func TestHTMLParseMode(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	for _, tc := range []struct{ in, want string }{
		{`<b>Hi</b> <i>there</i>`, "Hi there"},
		{`1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot;`, `1 < 2 && 3 > 2 "q"`},
		// Telegram supports all numerical HTML entities.
		{`it&#39;s &#x1F600; &#65;`, "it's 😀 A"},
		{`<a href="https://example.com">link</a>`, "link"},
		{`AT&T`, "AT&T"},
	} {
		m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: tc.in, ParseMode: "HTML"})
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if m.Text != tc.want {
			t.Errorf("HTML %q = %q, want %q", tc.in, m.Text, tc.want)
		}
	}
	// The length limit applies to the text without its tags.
	long := "<b>" + strings.Repeat("x", 4096) + "</b>"
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: long, ParseMode: "HTML"}); err != nil {
		t.Fatalf("4096 characters in tags: %v", err)
	}
	_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "<b> </b>", ParseMode: "HTML"})
	wantAPIError(t, err, 400, "Bad Request: message text is empty")
	// Markdown is kept as sent.
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "*bold*", ParseMode: "MarkdownV2"})
	if err != nil || m.Text != "*bold*" {
		t.Fatalf("markdown = %+v, %v", m, err)
	}
	// Entities must lie inside the text.
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "abc", Entities: []tg.MessageEntity{{Type: "bold", Offset: 2, Length: 5}}})
	wantAPIError(t, err, 400, "Bad Request: can't parse entities: wrong entity array")
	m, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "abc", Entities: []tg.MessageEntity{{Type: "bold", Offset: 1, Length: 2}}})
	if err != nil || len(m.Entities) != 1 || m.Entities[0].Offset != 1 {
		t.Fatalf("entities = %+v, %v", m, err)
	}
	// Types are checked, and the field each type needs.
	for _, tc := range []struct {
		en   tg.MessageEntity
		want string
	}{
		{tg.MessageEntity{Type: "boldface", Offset: 0, Length: 1}, `unsupported entity type "boldface"`},
		{tg.MessageEntity{Type: "text_link", Offset: 0, Length: 1}, "a text_link entity needs url"},
		{tg.MessageEntity{Type: "text_mention", Offset: 0, Length: 1}, "a text_mention entity needs user"},
		{tg.MessageEntity{Type: "custom_emoji", Offset: 0, Length: 1}, "a custom_emoji entity needs custom_emoji_id"},
		{tg.MessageEntity{Type: "date_time", Offset: 0, Length: 1}, "a date_time entity needs unix_time"},
	} {
		_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "abc", Entities: []tg.MessageEntity{tc.en}})
		wantAPIError(t, err, 400, "Bad Request: can't parse entities: "+tc.want)
	}
	m, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "abc", Entities: []tg.MessageEntity{
		{Type: "text_link", Offset: 0, Length: 1, URL: "https://example.com"}, {Type: "text_mention", Offset: 1, Length: 1, User: &ann},
		{Type: "pre", Offset: 2, Length: 1, Language: "go"}}})
	if err != nil || len(m.Entities) != 3 {
		t.Fatalf("entities = %+v, %v", m, err)
	}
}

func TestCommandScopes(t *testing.T) {
	e, url := startEmu(t, Options{})
	c := newClient(t, url, testToken)
	say(t, e, "/start")
	cmds := []tg.BotCommand{{Command: "mine", Description: "Only for Ann"}}
	mustCall(t, c, "setMyCommands", map[string]any{"commands": cmds, "scope": map[string]any{"type": "chat", "chat_id": ann.ID}}, nil)
	mustCall(t, c, "setMyCommands", map[string]any{"commands": []tg.BotCommand{{Command: "dm", Description: "Private"}}, "scope": map[string]any{"type": "all_private_chats"}}, nil)

	// The same chat named as a number or as a string is the same scope.
	for _, id := range []any{ann.ID, itoa(ann.ID)} {
		var got []tg.BotCommand
		mustCall(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "chat", "chat_id": id}}, &got)
		if len(got) != 1 || got[0].Command != "mine" {
			t.Fatalf("chat scope (chat_id %#v) = %+v", id, got)
		}
	}
	var got []tg.BotCommand
	mustCall(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "all_private_chats"}}, &got)
	if len(got) != 1 || got[0].Command != "dm" {
		t.Fatalf("all_private_chats = %+v", got)
	}
	mustCall(t, c, "getMyCommands", nil, &got)
	if len(got) != 0 {
		t.Fatalf("default scope = %+v", got)
	}
	// A chat the bot does not know is not found.
	err := callMap(t, c, "setMyCommands", map[string]any{"commands": cmds, "scope": map[string]any{"type": "chat", "chat_id": 555}}, nil)
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	err = callMap(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "chat"}}, nil)
	wantAPIError(t, err, 400, "Bad Request: chat_id is empty")
	err = callMap(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "galaxy"}}, nil)
	if !tg.IsCode(err, 400) {
		t.Fatalf("unknown scope type: %v", err)
	}
	mustCall(t, c, "deleteMyCommands", map[string]any{"scope": map[string]any{"type": "chat", "chat_id": itoa(ann.ID)}}, nil)
	mustCall(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "chat", "chat_id": ann.ID}}, &got)
	if len(got) != 0 {
		t.Fatalf("after delete = %+v", got)
	}
	// Setting an empty list deletes too.
	mustCall(t, c, "setMyCommands", map[string]any{"commands": []tg.BotCommand{}, "scope": map[string]any{"type": "all_private_chats"}}, nil)
	mustCall(t, c, "getMyCommands", map[string]any{"scope": map[string]any{"type": "all_private_chats"}}, &got)
	if len(got) != 0 {
		t.Fatalf("after empty set = %+v", got)
	}
	tooMany := make([]tg.BotCommand, 101)
	for i := range tooMany {
		tooMany[i] = tg.BotCommand{Command: "c" + itoa(int64(i)), Description: "d"}
	}
	err = callMap(t, c, "setMyCommands", map[string]any{"commands": tooMany}, nil)
	if !tg.IsCode(err, 400) {
		t.Fatalf("101 commands: %v", err)
	}
}

func TestGetUpdatesDropStats(t *testing.T) {
	e, url, c, ctx := startClient(t, Options{})
	for range 3 {
		say(t, e, "hi")
	}
	// A negative offset forgets earlier updates unconfirmed: they are dropped.
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: -1})
	if err != nil || len(ups) != 1 || ups[0].UpdateID != 3 {
		t.Fatalf("offset -1 = %v, %v", ids(ups), err)
	}
	st, _ := e.Stats(testToken)
	if st.UpdatesDropped != 2 || st.UpdatesConfirmed != 0 || st.UpdatesPending != 1 {
		t.Fatalf("stats after negative offset = %+v", st)
	}
	// deleteWebhook with drop_pending_updates drops the queue.
	say(t, e, "more")
	if _, err := c.DeleteWebhook(ctx, tg.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	st, _ = e.Stats(testToken)
	if st.UpdatesDropped != 4 || st.UpdatesPending != 0 {
		t.Fatalf("stats after drop_pending_updates = %+v", st)
	}
	// Update ids keep counting after a drop.
	if s := say(t, e, "after"); s.UpdateID != 5 {
		t.Fatalf("update id after drop = %d, want 5", s.UpdateID)
	}
	ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if len(ups) != 1 || ups[0].UpdateID != 5 {
		t.Fatalf("updates = %v", ids(ups))
	}
	if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{AllowedUpdates: []string{"callback_query"}}); err != nil {
		t.Fatal(err)
	}
	status, body := raw(t, "GET", url+"/bot"+testToken+"/getUpdates?allowed_updates=message", "", nil)
	if status != 400 || !strings.Contains(body, "can't parse allowed_updates JSON array") {
		t.Fatalf("allowed_updates not an array: %d %s", status, body)
	}
}

func TestWebhookInfoAndDrop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, hc, c := startBubble(t, Options{})
		ctx := t.Context()
		// Without a webhook, url is present and empty, as on Telegram.
		status, body := rawIn(t, hc, "GET", bubbleURL+"/bot"+testToken+"/getWebhookInfo", "", nil)
		if status != 200 || !strings.Contains(body, `"url":""`) || !strings.Contains(body, `"pending_update_count":0`) {
			t.Fatalf("getWebhookInfo = %d %s", status, body)
		}
		say(t, e, "queued")
		say(t, e, "queued too")

		// A port nobody listens on: the delivery fails with "Connection refused".
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		deadURL := "http://" + ln.Addr().String() + "/hook"
		ln.Close()
		if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: deadURL, AllowedUpdates: []string{"message", "callback_query"}, MaxConnections: 500}); err != nil {
			t.Fatal(err)
		}
		// The first attempt and its immediate retry fail; the next retry
		// waits 1 s of the bubble's time, so nothing is in flight after them.
		settled(t, "two failed deliveries", func() bool {
			st, err := e.Stats(testToken)
			return err == nil && st.WebhookFailures == 2
		})
		info, _ := c.GetWebhookInfo(ctx)
		if info.URL != deadURL || info.LastErrorMessage != "Connection refused" || info.LastErrorDate != time.Now().Unix() ||
			info.PendingUpdateCount != 2 || info.MaxConnections != 100 || strings.Join(info.AllowedUpdates, ",") != "callback_query,message" {
			t.Fatalf("info = %+v", info)
		}
		// Setting the webhook again with drop_pending_updates empties the queue.
		if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: deadURL, DropPendingUpdates: true}); err != nil {
			t.Fatal(err)
		}
		settled(t, "no pending update", func() bool {
			info, err := c.GetWebhookInfo(ctx)
			return err == nil && info.PendingUpdateCount == 0
		})
		// An empty url removes the webhook.
		if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{}); err != nil {
			t.Fatalf("setWebhook without url: %v", err)
		}
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{}); err != nil {
			t.Fatalf("getUpdates after setWebhook without url: %v", err)
		}
		if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: deadURL}); err != nil {
			t.Fatal(err)
		}
		status, body = rawIn(t, hc, "POST", bubbleURL+"/bot"+testToken+"/setWebhook", "application/json", strings.NewReader(`{"url":""}`))
		if status != 200 {
			t.Fatalf("setWebhook with an empty url = %d %s", status, body)
		}
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{}); err != nil {
			t.Fatalf("getUpdates after removing the webhook: %v", err)
		}
		for _, tc := range []struct{ url, secret, want string }{
			{"ftp://127.0.0.1/x", "", "Bad Request: bad webhook: an HTTP or HTTPS URL must be provided for webhook"},
			{"http://127.0.0.1:1/x", "bad secret!", "Bad Request: bad webhook: secret token contains unallowed characters"},
		} {
			_, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: tc.url, SecretToken: tc.secret})
			wantAPIError(t, err, 400, tc.want)
		}
	})
}

func TestLogOutAndClose(t *testing.T) {
	_, _, c, ctx := startClient(t, Options{})
	if ok, err := c.LogOut(ctx); err != nil || !ok {
		t.Fatalf("logOut = %v, %v", ok, err)
	}
	if ok, err := c.Close(ctx); err != nil || !ok {
		t.Fatalf("close = %v, %v", ok, err)
	}
}

func TestRepliesAndChatActions(t *testing.T) {
	e, _, c, ctx := startBot(t)
	s := say(t, e, "question")
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "answer", ReplyParameters: &tg.ReplyParameters{MessageID: s.MessageID}})
	if err != nil || m.ReplyToMessage == nil || m.ReplyToMessage.Text != "question" || m.ReplyToMessage.From.ID != ann.ID {
		t.Fatalf("reply = %+v, %v", m, err)
	}
	// A reply to a reply carries its target without nesting.
	m2, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "again", ReplyParameters: &tg.ReplyParameters{MessageID: m.MessageID}})
	if err != nil || m2.ReplyToMessage == nil || m2.ReplyToMessage.MessageID != m.MessageID || m2.ReplyToMessage.ReplyToMessage != nil {
		t.Fatalf("reply to reply = %+v, %v", m2, err)
	}
	// allow_sending_without_reply sends without the missing reply.
	m3, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "lonely", ReplyParameters: &tg.ReplyParameters{MessageID: 99, AllowSendingWithoutReply: true}})
	if err != nil || m3.ReplyToMessage != nil {
		t.Fatalf("reply to missing, allowed = %+v, %v", m3, err)
	}
	// The legacy reply_to_message_id is read too.
	var m4 tg.Message
	mustCall(t, c, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "legacy", "reply_to_message_id": s.MessageID}, &m4)
	if m4.ReplyToMessage == nil || m4.ReplyToMessage.MessageID != s.MessageID {
		t.Fatalf("legacy reply = %+v", m4)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if tr[1].ReplyToMessageID != s.MessageID {
		t.Fatalf("transcript reply = %+v", tr[1])
	}
	_, err = c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(ann.ID), Action: "dancing"})
	wantAPIError(t, err, 400, "Bad Request: wrong parameter action in request")
	if err := e.BlockBot(ann.ID, testToken); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(ann.ID), Action: "typing"})
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
}

func TestControlHTTPBotsCallbacksLimits(t *testing.T) {
	_, url, c, ctx := startClient(t, Options{})

	var bot BotInfo
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`"}`, 200, &bot)
	if bot.ID != 123456 || bot.Token != testToken || bot.Username != "emu123456_bot" {
		t.Fatalf("added bot = %+v", bot)
	}
	do(t, "POST", url+"/control/bots", `{"token":"nonsense"}`, 401, nil)
	do(t, "POST", url+"/control/bots", `{"token":"123456:another"}`, 401, nil)
	do(t, "POST", url+"/control/bots", `not json`, 400, nil)

	var lim limitsBody
	do(t, "GET", url+"/control/limits", "", 200, &lim)
	if lim.Limits != "telegram" {
		t.Fatalf("limits = %q", lim.Limits)
	}
	do(t, "PUT", url+"/control/limits", `{"limits":"off"}`, 200, nil)
	do(t, "GET", url+"/control/limits", "", 200, &lim)
	if lim.Limits != "off" {
		t.Fatalf("limits after PUT = %q", lim.Limits)
	}

	var sent Sent
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":7,"first_name":"Eve"},"text":"hi"}`, 200, &sent)
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(7), Text: "pick", ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("X", "x")})})
	if err != nil {
		t.Fatal(err)
	}
	var pressed Pressed
	do(t, "POST", url+"/control/callbacks", `{"token":"`+testToken+`","from":{"id":7},"chat_id":7,"message_id":`+itoa(m.MessageID)+`,"data":"x"}`, 200, &pressed)
	answerURL := url + "/control/callbacks/" + pressed.CallbackQueryID + "?token=" + testToken
	do(t, "GET", answerURL, "", 404, nil)
	if _, err := c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: pressed.CallbackQueryID, Text: "Saved", ShowAlert: true}); err != nil {
		t.Fatal(err)
	}
	var ans CallbackAnswer
	do(t, "GET", answerURL, "", 200, &ans)
	if ans.CallbackQueryID != pressed.CallbackQueryID || ans.Text != "Saved" || !ans.ShowAlert {
		t.Fatalf("answer = %+v", ans)
	}
	do(t, "GET", url+"/control/callbacks/"+pressed.CallbackQueryID+"?token=1:other", "", 404, nil)
	_, err = c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: "missing"})
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

	do(t, "GET", url+"/control/chats/abc/messages?token="+testToken, "", 400, nil)
	do(t, "GET", url+"/control/events?token="+testToken+"&chat_id=x", "", 400, nil)
	do(t, "GET", url+"/control/stats?token=1:nobody", "", 401, nil)
	do(t, "POST", url+"/control/users/7/block", `{"token":`, 400, nil)
	var users []tg.User
	do(t, "GET", url+"/control/users", "", 200, &users)
	if len(users) != 1 || users[0].ID != 7 || users[0].FirstName != "Eve" {
		t.Fatalf("users = %+v", users)
	}
}

func TestLimitsText(t *testing.T) {
	for _, s := range []string{"telegram", "off", "bot=100/s,chat=2/s:5,group=off", "bot=30/s,chat=1/1.5s,group=20/min"} {
		l, err := ParseLimits(s)
		if err != nil {
			t.Fatalf("ParseLimits(%q): %v", s, err)
		}
		text, err := l.MarshalText()
		if err != nil || string(text) != s {
			t.Fatalf("MarshalText(%q) = %q, %v", s, text, err)
		}
		var back Limits
		if err := back.UnmarshalText(text); err != nil || back != l {
			t.Fatalf("UnmarshalText(%q) = %+v, %v; want %+v", text, back, err, l)
		}
	}
	var cfg struct {
		Limits Limits `json:"limits"`
	}
	if err := json.Unmarshal([]byte(`{"limits":"chat=5/min"}`), &cfg); err != nil || cfg.Limits.Chat != (Rate{Count: 5, Per: time.Minute}) {
		t.Fatalf("JSON limits = %+v, %v", cfg.Limits, err)
	}
	var l Limits
	if err := l.UnmarshalText([]byte("bot=fast")); err == nil {
		t.Fatal("UnmarshalText accepted a bad rate")
	}
}

func TestErrorStrings(t *testing.T) {
	e, _ := startEmu(t, Options{})
	_, err := e.Stats("1:nobody")
	if err == nil || err.Error() != "emulator: Unauthorized" {
		t.Fatalf("Stats error = %v", err)
	}
	if got := errBlocked.Error(); got != "403 Forbidden: bot was blocked by the user" {
		t.Fatalf("apiError.Error() = %q", got)
	}
}

func TestServe(t *testing.T) {
	e := New(Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	c := newClient(t, "http://"+ln.Addr().String(), testToken)
	if _, err := c.GetMe(testkit.Context(t)); err != nil {
		t.Fatal(err)
	}
	// A long poll in progress ends when Serve stops.
	polled := make(chan error, 1)
	go func() {
		_, err := c.GetUpdates(testkit.Context(t), tg.GetUpdatesParams{Timeout: 50})
		polled <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	select {
	case <-polled:
	case <-time.After(10 * time.Second):
		t.Fatal("long poll not ended")
	}
}
