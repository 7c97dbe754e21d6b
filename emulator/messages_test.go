package emulator

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

func TestForwardOrigins(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	channel := tg.Chat{ID: -700, Type: "channel", Title: "News"}
	post := sayIn(t, e, ann, channel, "breaking")
	fw, err := c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(-700), MessageID: post.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	origin, ok := fw.ForwardOrigin.(*tg.MessageOriginChannel)
	if !ok || origin.Chat.ID != -700 || origin.MessageID != post.MessageID {
		t.Fatalf("origin of a channel post = %#v", fw.ForwardOrigin)
	}
	// Forwarding a forward keeps the first origin.
	fw2, err := c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: fw.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := fw2.ForwardOrigin.(*tg.MessageOriginChannel); !ok || o.Chat.ID != -700 {
		t.Fatalf("origin of a forward = %#v", fw2.ForwardOrigin)
	}
	// The bot's own message forwarded names the bot.
	m, _ := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "mine"})
	fw3, err := c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: m.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := fw3.ForwardOrigin.(*tg.MessageOriginUser); !ok || o.SenderUser.ID != 123456 || !o.SenderUser.IsBot {
		t.Fatalf("origin of the bot's message = %#v", fw3.ForwardOrigin)
	}
	// A deleted message cannot be forwarded.
	if _, err := c.DeleteMessage(ctx, tg.DeleteMessageParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(ann.ID), MessageID: m.MessageID})
	wantAPIError(t, err, 400, "Bad Request: message to forward not found")
	_, err = c.ForwardMessage(ctx, tg.ForwardMessageParams{ChatID: tg.ID(ann.ID), FromChatID: tg.ID(-1), MessageID: 1})
	wantAPIError(t, err, 400, "Bad Request: chat not found")
}

func TestEditEntities(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	c := newClient(t, url, testToken)
	say(t, e, "/start")
	var m tg.Message
	mustCall(t, c, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "hello", "entities": []tg.MessageEntity{{Type: "bold", Offset: 0, Length: 5}}}, &m)
	// Same text, other entities: a modification.
	var ed tg.Message
	mustCall(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "hello", "entities": []tg.MessageEntity{{Type: "italic", Offset: 0, Length: 5}}}, &ed)
	if len(ed.Entities) != 1 || ed.Entities[0].Type != "italic" {
		t.Fatalf("edited entities = %+v", ed.Entities)
	}
	err := callMap(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "hello", "entities": []tg.MessageEntity{{Type: "italic", Offset: 0, Length: 5}}}, nil)
	wantAPIError(t, err, 400, notModified)
	err = callMap(t, c, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "hello", "reply_markup": map[string]any{"keyboard": [][]string{{"x"}}}}, nil)
	if !tg.IsCode(err, 400) {
		t.Fatalf("edit with a reply keyboard: %v", err)
	}
}

func TestMediaGroupDocumentsAndErrors(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	say(t, e, "/start")

	// Documents uploaded by attach:// in multipart.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("chat_id", itoa(ann.ID))
	_ = w.WriteField("media", `[{"type":"document","media":"attach://a","caption":"<b>A</b> &amp; B","parse_mode":"HTML"},{"type":"document","media":"attach://b"}]`)
	for _, name := range []string{"a", "b"} {
		fw, _ := w.CreateFormFile(name, name+".txt")
		_, _ = fw.Write([]byte("content " + name))
	}
	_ = w.Close()
	status, resp := raw(t, "POST", url+"/bot"+testToken+"/sendMediaGroup", w.FormDataContentType(), &body)
	if status != 200 || !strings.Contains(resp, `"caption":"A & B"`) || !strings.Contains(resp, `"file_name":"b.txt"`) || strings.Count(resp, `"media_group_id"`) != 2 {
		t.Fatalf("document group = %d %s", status, resp)
	}
	for _, tc := range []struct {
		media string
		want  string
	}{
		{`[{"type":"document","media":"attach://x"},{"type":"photo","media":"attach://y"}]`, "Bad Request: document can't be mixed with other media types"},
		{`[{"type":"video","media":"x"},{"type":"video","media":"y"}]`, `Bad Request: media of type "video" is not modelled by the Herald emulator`},
		{`[{"type":"sticker","media":"x"},{"type":"photo","media":"y"}]`, `Bad Request: can't parse InputMedia: unknown type "sticker"`},
		{`[{"type":"document","media":"attach://missing"},{"type":"document","media":"attach://missing2"}]`, `Bad Request: can't find attached file "missing"`},
		{`[{"type":"document","media":"nope"},{"type":"document","media":"nope"}]`, "Bad Request: wrong file identifier/HTTP URL specified"},
		{`[{"type":"document","media":"` + strings.Repeat("x", 1) + `","caption":"` + strings.Repeat("c", 1025) + `"},{"type":"document","media":"y"}]`, "Bad Request: message caption is too long"},
	} {
		status, resp := raw(t, "POST", url+"/bot"+testToken+"/sendMediaGroup", "application/json", strings.NewReader(`{"chat_id":`+itoa(ann.ID)+`,"media":`+tc.media+`}`))
		if status != 400 || !strings.Contains(resp, `"description":"`+strings.ReplaceAll(tc.want, `"`, `\"`)+`"`) {
			t.Errorf("media %s = %d %s, want %q", tc.media, status, resp, tc.want)
		}
	}
}

func httpHead(url string) (*http.Response, error) {
	resp, err := http.Head(url)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}
