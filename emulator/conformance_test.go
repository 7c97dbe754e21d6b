package emulator

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

func offLimits() *Limits { l := NoLimits(); return &l }

func TestGetMe(t *testing.T) {
	_, url := startEmu(t, Options{})
	c := newClient(t, url, testToken)
	me, err := c.GetMe(testkit.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.Username == "" || !me.SupportsInlineQueries {
		t.Fatalf("getMe = %+v", me)
	}
}

func TestSendEditDelete(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")

	kb := inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Yes", "yes"), cbButton("No", "no")})
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "Hello?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != 2 || m.Chat.ID != ann.ID || m.Text != "Hello?" || m.From == nil || m.From.ID != 123456 {
		t.Fatalf("sent message = %+v", m)
	}
	if m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "no" {
		t.Fatalf("reply markup = %+v", m.ReplyMarkup)
	}

	// Edits are called through Client.Call so the test does not depend on
	// how the generated result type of edit methods is spelled.
	var ed tg.Message
	if err := c.Call(ctx, "editMessageText", tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID, Text: "Edited", ReplyMarkup: kb}, &ed); err != nil {
		t.Fatal(err)
	}
	if ed.Text != "Edited" || ed.EditDate == 0 || ed.ReplyMarkup == nil {
		t.Fatalf("edited = %+v", ed)
	}
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID, Text: "Edited", ReplyMarkup: kb})
	wantAPIError(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: 99, Text: "x"})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: 1, Text: "x"})
	wantAPIError(t, err, 400, "Bad Request: message can't be edited")

	// Editing without reply_markup removes the inline keyboard, as Telegram does.
	ed = tg.Message{}
	if err := c.Call(ctx, "editMessageText", tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID, Text: "No keyboard"}, &ed); err != nil {
		t.Fatal(err)
	}
	if ed.ReplyMarkup != nil {
		t.Fatalf("keyboard kept after edit without reply_markup: %+v", ed.ReplyMarkup)
	}

	if _, err := c.DeleteMessage(ctx, tg.DeleteMessageParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteMessage(ctx, tg.DeleteMessageParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID})
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")

	tr, err := e.Transcript(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || tr[0].Sender != "user" || tr[0].Text != "/start" || tr[1].Sender != "bot" || !tr[1].Deleted || tr[1].Text != "No keyboard" || tr[1].EditDate == 0 {
		t.Fatalf("transcript = %+v", tr)
	}
}

func TestForwardCopy(t *testing.T) {
	e, _, c, ctx := startBot(t)
	s := say(t, e, "forward me")
	fw, err := c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: s.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	origin, ok := fw.ForwardOrigin.(*tg.MessageOriginUser)
	if !ok || origin.SenderUser.ID != ann.ID || fw.Text != "forward me" {
		t.Fatalf("forwarded = %+v origin %#v", fw, fw.ForwardOrigin)
	}
	id, err := c.CopyMessage(ctx, tg.CopyMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: s.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if id.MessageID != fw.MessageID+1 {
		t.Fatalf("copy id = %d, want %d", id.MessageID, fw.MessageID+1)
	}
	_, err = c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: 77})
	wantAPIError(t, err, 400, "Bad Request: message to forward not found")
	_, err = c.CopyMessage(ctx, tg.CopyMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: 77})
	wantAPIError(t, err, 400, "Bad Request: message to copy not found")
	tr, _ := e.Transcript(testToken, ann.ID)
	if len(tr) != 3 || !tr[1].Forwarded || tr[2].Forwarded || tr[2].Text != "forward me" {
		t.Fatalf("transcript = %+v", tr)
	}
}

func TestCallbackQuery(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "Pick", ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("A", "a")})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.PressButton(ctx, ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: m.MessageID, Data: "zzz"}); err == nil {
		t.Fatal("pressing a missing button succeeded")
	}
	pr, err := e.PressButton(ctx, ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: m.MessageID, Data: "a"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].UpdateID != pr.UpdateID || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
	cq := ups[0].CallbackQuery
	msg, ok := cq.Message.(*tg.Message)
	if cq.ID != pr.CallbackQueryID || cq.Data != "a" || cq.From.ID != ann.ID || !ok || msg.MessageID != m.MessageID {
		t.Fatalf("callback query = %+v", cq)
	}
	if _, err := c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Done"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	if ans, ok := e.CallbackAnswer(testToken, cq.ID); !ok || ans.Text != "Done" {
		t.Fatalf("answer = %+v %v", ans, ok)
	}
}

func TestGetUpdatesSemantics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, hc, c := startBubble(t, Options{})
		ctx := t.Context()
		for i := range 5 {
			say(t, e, "m"+string(rune('0'+i)))
		}
		ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(ups) != 2 || ups[0].UpdateID != 1 || ups[1].UpdateID != 2 {
			t.Fatalf("limit 2 = %v", ids(ups))
		}
		// Without an offset nothing is confirmed.
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{})
		if len(ups) != 5 {
			t.Fatalf("all = %v", ids(ups))
		}
		// An offset confirms the earlier updates.
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 3})
		if got := ids(ups); len(got) != 3 || got[0] != 3 {
			t.Fatalf("offset 3 = %v", got)
		}
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{})
		if len(ups) != 3 {
			t.Fatalf("after confirm = %v", ids(ups))
		}
		// A negative offset keeps the last updates and forgets the others.
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: -1})
		if got := ids(ups); len(got) != 1 || got[0] != 5 {
			t.Fatalf("offset -1 = %v", got)
		}
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{})
		if got := ids(ups); len(got) != 1 || got[0] != 5 {
			t.Fatalf("after negative offset = %v", got)
		}
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 6}); err != nil {
			t.Fatal(err)
		}

		// allowed_updates is remembered: messages are filtered out from now on.
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 6, AllowedUpdates: []string{"callback_query"}}); err != nil {
			t.Fatal(err)
		}
		if s := say(t, e, "filtered"); s.UpdateID != 0 {
			t.Fatalf("filtered message got update %d", s.UpdateID)
		}
		ups, _ = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 6})
		if len(ups) != 0 {
			t.Fatalf("filtered = %v", ids(ups))
		}
		// An empty list restores the default.
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 6, AllowedUpdates: []string{}}); err != nil {
			t.Fatal(err)
		}
		_ = e // (AllowedUpdates: []string{} is omitted by omitzero; reset through the raw API)
		resetAllowed(t, hc)
		if s := say(t, e, "back"); s.UpdateID != 6 {
			t.Fatalf("update id = %d, want 6", s.UpdateID)
		}

		// Long poll: returns when an update arrives.
		got := make(chan []tg.Update, 1)
		go func() {
			ups, _ := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 7, Timeout: 30})
			got <- ups
		}()
		synctest.Wait() // the poll waits
		say(t, e, "wake up")
		if ups := <-got; len(ups) != 1 || ups[0].Message.Text != "wake up" {
			t.Fatalf("long poll = %v", ids(ups))
		}
		// Long poll: times out after its 30 s with an empty result.
		go func() {
			ups, _ := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 8, Timeout: 30})
			got <- ups
		}()
		synctest.Wait() // the poll waits
		time.Sleep(30 * time.Second)
		if ups := <-got; len(ups) != 0 {
			t.Fatalf("timed-out poll = %v", ids(ups))
		}
	})
}

func resetAllowed(t *testing.T, hc *http.Client) {
	t.Helper()
	resp, err := hc.Post(bubbleURL+"/bot"+testToken+"/getUpdates", "application/json", bytes.NewReader([]byte(`{"offset":6,"allowed_updates":[]}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func ids(ups []tg.Update) []int64 {
	out := make([]int64, len(ups))
	for i, u := range ups {
		out[i] = u.UpdateID
	}
	return out
}

func TestConflicts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, c := startBubble(t, Options{})
		ctx := t.Context()

		first := make(chan error, 1)
		go func() {
			_, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Timeout: 50})
			first <- err
		}()
		synctest.Wait() // the poll waits
		second := make(chan error, 1)
		go func() {
			_, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Timeout: 50})
			second <- err
		}()
		wantAPIError(t, <-first, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")

		// Setting a webhook ends the poll, and later polls conflict with it.
		synctest.Wait() // the poll waits
		if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: "http://127.0.0.1:1/hook"}); err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, <-second, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		_, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
		wantAPIError(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		if _, err := c.DeleteWebhook(ctx, tg.DeleteWebhookParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{}); err != nil {
			t.Fatal(err)
		}
	})
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFiles(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	pic := testPNG(t, 4, 3)
	m, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("pic.png", bytes.NewReader(pic)), Caption: "a picture"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) != 1 || m.Photo[0].Width != 4 || m.Photo[0].Height != 3 || m.Caption != "a picture" {
		t.Fatalf("photo message = %+v", m)
	}
	f, err := c.GetFile(ctx, tg.GetFileParams{FileID: m.Photo[0].FileID})
	if err != nil {
		t.Fatal(err)
	}
	if f.FileSize != int64(len(pic)) || f.FilePath == "" {
		t.Fatalf("file = %+v", f)
	}
	rc, err := c.DownloadFile(ctx, f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, pic) {
		t.Fatal("downloaded content differs")
	}
	// Re-send by file_id: same file.
	m2, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileID(m.Photo[0].FileID)})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Photo[0].FileUniqueID != m.Photo[0].FileUniqueID {
		t.Fatalf("re-sent photo = %+v", m2.Photo)
	}
	// Documents.
	d, err := c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("notes.txt", bytes.NewReader([]byte("hello")))})
	if err != nil {
		t.Fatal(err)
	}
	if d.Document == nil || d.Document.FileName != "notes.txt" || d.Document.MimeType != "text/plain" || d.Document.FileSize != 5 {
		t.Fatalf("document = %+v", d.Document)
	}
	_, err = c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileID(d.Document.FileID)})
	wantAPIError(t, err, 400, "Bad Request: type of file mismatch")
	_, err = c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("x.png", bytes.NewReader([]byte("not an image")))})
	wantAPIError(t, err, 400, "Bad Request: IMAGE_PROCESS_FAILED")
	_, err = c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileURL("https://example.com/cat.jpg")})
	wantAPIError(t, err, 400, errRemoteURL.desc)
	_, err = c.GetFile(ctx, tg.GetFileParams{FileID: "nope"})
	wantAPIError(t, err, 400, "Bad Request: invalid file_id")
	_, err = c.DownloadFile(ctx, "photos/none.jpg")
	if !tg.IsCode(err, 404) {
		t.Fatalf("download of a missing file: %v", err)
	}

	// A user's photo arrives as an update with a usable file_id.
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Photo: &Upload{Data: pic}, Caption: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: s.UpdateID})
	if err != nil || len(ups) != 1 || len(ups[0].Message.Photo) != 1 || ups[0].Message.Caption != "mine" {
		t.Fatalf("photo update = %+v, %v", ups, err)
	}
	if _, err := c.GetFile(ctx, tg.GetFileParams{FileID: ups[0].Message.Photo[0].FileID}); err != nil {
		t.Fatal(err)
	}
}

func TestMediaGroup(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	// Called through Client.Call with a map so that the test does not
	// depend on the generated element type of "media".
	var msgs []tg.Message
	err := c.Call(ctx, "sendMediaGroup", map[string]any{"chat_id": ann.ID, "media": []any{
		&tg.InputMediaPhoto{Media: tg.FileUpload("a.png", bytes.NewReader(testPNG(t, 2, 2))), Caption: "first"},
		&tg.InputMediaPhoto{Media: tg.FileUpload("b.png", bytes.NewReader(testPNG(t, 5, 5)))},
	}}, &msgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].MediaGroupID == "" || msgs[0].MediaGroupID != msgs[1].MediaGroupID || msgs[1].Photo[0].Width != 5 || msgs[0].Caption != "first" {
		t.Fatalf("media group = %+v", msgs)
	}
	err = c.Call(ctx, "sendMediaGroup", map[string]any{"chat_id": ann.ID, "media": []any{
		&tg.InputMediaPhoto{Media: tg.FileID(msgs[0].Photo[0].FileID)},
	}}, nil)
	wantAPIError(t, err, 400, "Bad Request: wrong number of messages in the media group: must be between 2 and 10")
}

func TestCommands(t *testing.T) {
	_, url := startEmu(t, Options{})
	c := newClient(t, url, testToken)
	ctx := testkit.Context(t)
	cmds := []tg.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := c.SetMyCommands(ctx, tg.SetMyCommandsParams{Commands: cmds}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetMyCommands(ctx, tg.GetMyCommandsParams{})
	if err != nil || len(got) != 2 || got[1].Command != "help" {
		t.Fatalf("commands = %+v, %v", got, err)
	}
	got, _ = c.GetMyCommands(ctx, tg.GetMyCommandsParams{LanguageCode: "de"})
	if len(got) != 0 {
		t.Fatalf("de commands = %+v", got)
	}
	if _, err := c.DeleteMyCommands(ctx, tg.DeleteMyCommandsParams{}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetMyCommands(ctx, tg.GetMyCommandsParams{})
	if len(got) != 0 {
		t.Fatalf("after delete = %+v", got)
	}
	_, err = c.SetMyCommands(ctx, tg.SetMyCommandsParams{Commands: []tg.BotCommand{{Command: "Bad Command", Description: "x"}}})
	wantAPIError(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
}

func TestChatsMembersPins(t *testing.T) {
	e, _, c, ctx := startBot(t)
	group := tg.Chat{ID: -500, Type: "supergroup", Title: "Club", Username: "club"}
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: group, Text: "hi all"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.GetChat(ctx, tg.GetChatParams{ChatID: tg.Username("club")})
	if err != nil || info.ID != -500 || info.Type != "supergroup" || info.Title != "Club" {
		t.Fatalf("getChat = %+v, %v", info, err)
	}
	mem, err := c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-500), UserID: ann.ID})
	if err != nil || mem.Status() != "member" {
		t.Fatalf("member = %#v, %v", mem, err)
	}
	mem, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-500), UserID: 123456})
	if err != nil || mem.Status() != "administrator" {
		t.Fatalf("bot member = %#v, %v", mem, err)
	}
	_, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-500), UserID: 424242})
	wantAPIError(t, err, 400, "Bad Request: user not found")
	if _, err := c.PinChatMessage(ctx, tg.PinChatMessageParams{ChatID: tg.ID(-500), MessageID: s.MessageID}); err != nil {
		t.Fatal(err)
	}
	info, _ = c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-500)})
	if info.PinnedMessage == nil || info.PinnedMessage.Text != "hi all" {
		t.Fatalf("pinned = %+v", info.PinnedMessage)
	}
	if _, err := c.UnpinChatMessage(ctx, tg.UnpinChatMessageParams{ChatID: tg.ID(-500)}); err != nil {
		t.Fatal(err)
	}
	info, _ = c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-500)})
	if info.PinnedMessage != nil {
		t.Fatalf("still pinned: %+v", info.PinnedMessage)
	}
	_, err = c.PinChatMessage(ctx, tg.PinChatMessageParams{ChatID: tg.ID(-500), MessageID: 99})
	wantAPIError(t, err, 400, "Bad Request: message to pin not found")
	_, err = c.GetChat(ctx, tg.GetChatParams{ChatID: tg.ID(-42)})
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	if _, err := c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(-500), Action: "typing"}); err != nil {
		t.Fatal(err)
	}
}

func TestValidationErrors(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	long := string(bytes.Repeat([]byte("x"), 4097))
	cases := []struct {
		name string
		call func() error
		code int
		desc string
	}{
		{"empty text", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "  "})
			return err
		}, 400, "Bad Request: message text is empty"},
		{"long text", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: long})
			return err
		}, 400, "Bad Request: message is too long"},
		{"unknown chat", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(777), Text: "hi"})
			return err
		}, 400, "Bad Request: chat not found"},
		{"long callback data", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi",
				ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("x", string(bytes.Repeat([]byte("d"), 65)))})})
			return err
		}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"text-only inline button", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi",
				ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{{Text: "x"}})})
			return err
		}, 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"long caption", func() error {
			_, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("a.png", bytes.NewReader(testPNG(t, 1, 1))), Caption: string(bytes.Repeat([]byte("c"), 1025))})
			return err
		}, 400, "Bad Request: message caption is too long"},
		{"not modelled", func() error {
			_, err := c.SendPoll(ctx, tg.SendPollParams{ChatID: tg.ID(ann.ID), Question: "?", Options: []tg.InputPollOption{{Text: "a"}, {Text: "b"}}})
			return err
		}, 400, "Bad Request: method sendPoll is not modelled by the Herald emulator; see docs/EMULATOR.md for the list of modelled methods"},
		{"unknown method", func() error {
			return c.Call(ctx, "sendTelepathy", nil, nil)
		}, 404, "Not Found: method not found"},
		{"bad parse mode", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi", ParseMode: "Klingon"})
			return err
		}, 400, "Bad Request: unsupported parse_mode"},
		{"reply to missing", func() error {
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi", ReplyParameters: &tg.ReplyParameters{MessageID: 55}})
			return err
		}, 400, "Bad Request: message to be replied not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.desc) })
	}
}

func TestBlockedUser(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	if err := e.BlockBot(ann.ID, testToken); err != nil {
		t.Fatal(err)
	}
	_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi"})
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 2})
	if err != nil || len(ups) != 1 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Status() != "kicked" {
		t.Fatalf("my_chat_member = %+v, %v", ups, err)
	}
	if err := e.UnblockBot(ann.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
}

func TestUnauthorized(t *testing.T) {
	_, url := startEmu(t, Options{})
	for _, path := range []string{"/botnot-a-token/getMe", "/bot123:/getMe", "/bot0:abc/getMe"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || string(body) != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	// A second secret for a known bot id is refused too.
	c := newClient(t, url, testToken)
	if _, err := c.GetMe(testkit.Context(t)); err != nil {
		t.Fatal(err)
	}
	other := newClient(t, url, "123456:other")
	_, err := other.GetMe(testkit.Context(t))
	wantAPIError(t, err, 401, "Unauthorized")
}

func TestConcurrentSends(t *testing.T) {
	e, _, c, ctx := startBot(t)
	var wg sync.WaitGroup
	for i := range 8 {
		u := tg.User{ID: int64(2000 + i), FirstName: "U"}
		if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: u, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for range 20 {
				if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.ID), Text: "x"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st, _ := e.Stats(testToken)
	if st.Requests["sendMessage"] != 160 {
		t.Fatalf("stats = %+v", st)
	}
	_ = context.Background
}
