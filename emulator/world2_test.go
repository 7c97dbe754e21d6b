package emulator

import (
	"bytes"
	"context"
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

func TestChatMemberStatuses(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	sayIn(t, e, bob, tg.Chat{ID: -800, Type: "group"}, "hey")
	// Ann is known but not in the group: left.
	mem, err := c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-800), UserID: ann.ID})
	if err != nil || mem.Status() != "left" {
		t.Fatalf("ann in the group = %#v, %v", mem, err)
	}
	mem, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(ann.ID), UserID: 123456})
	if err != nil || mem.Status() != "member" {
		t.Fatalf("bot in the private chat = %#v, %v", mem, err)
	}
	if err := e.BlockBot(ann.ID, ""); err != nil {
		t.Fatal(err)
	}
	mem, err = c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(ann.ID), UserID: ann.ID})
	if err != nil || mem.Status() != "kicked" {
		t.Fatalf("ann after blocking = %#v, %v", mem, err)
	}
	// Unblocking one bot after blocking them all keeps the others blocked.
	const other = "777:other-bot"
	if _, err := e.AddBot(other); err != nil {
		t.Fatal(err)
	}
	if err := e.UnblockBot(ann.ID, testToken); err != nil {
		t.Fatal(err)
	}
	if e.blockedBy(ann.ID, 123456) || !e.blockedBy(ann.ID, 777) {
		t.Fatalf("blocked: test bot %v, other %v", e.blockedBy(ann.ID, 123456), e.blockedBy(ann.ID, 777))
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "back"}); err != nil {
		t.Fatal(err)
	}
	if err := e.BlockBot(ann.ID, "777:wrong"); err == nil {
		t.Fatal("blocking with a wrong token succeeded")
	}
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

func TestForumTopicValidation(t *testing.T) {
	e, _, c, ctx := startBot(t)
	forum := tg.Chat{ID: -900, Type: "supergroup", Title: "Forum", IsForum: true}
	sayIn(t, e, ann, forum, "hi")
	sayIn(t, e, ann, tg.Chat{ID: -901, Type: "supergroup"}, "hi")
	_, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: "   "})
	wantAPIError(t, err, 400, "Bad Request: TOPIC_TITLE_EMPTY")
	_, err = c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: strings.Repeat("n", 129)})
	wantAPIError(t, err, 400, "Bad Request: TOPIC_TITLE_EMPTY")
	_, err = c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-901), Name: "News"})
	if !tg.IsCode(err, 400) {
		t.Fatalf("topic in a non-forum: %v", err)
	}
	topic, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-900), Name: "News", IconColor: 16766590})
	if err != nil || topic.IconColor != 16766590 {
		t.Fatalf("topic = %+v, %v", topic, err)
	}
	// A reply in a topic inherits the topic.
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: topic.MessageThreadID, Text: "in topic"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-900), Text: "reply", ReplyParameters: &tg.ReplyParameters{MessageID: s.MessageID}})
	if err != nil || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage {
		t.Fatalf("reply in topic = %+v, %v", m, err)
	}
}

// TestControlSendMessageRefusedLeavesNoTrace checks that a user message
// refused for a missing reply does not create the forum topic it names.
func TestControlSendMessageRefusedLeavesNoTrace(t *testing.T) {
	e, _ := startEmu(t, Options{Limits: offLimits()})
	ctx := context.Background()
	forum := tg.Chat{ID: -950, Type: "supergroup", Title: "Forum", IsForum: true}
	sayIn(t, e, ann, forum, "hi")
	_, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: 42, ReplyToMessageID: 99, Text: "reply"})
	if err == nil {
		t.Fatal("reply to a missing message succeeded")
	}
	tr, _ := e.Transcript(testToken, -950)
	if len(tr) != 1 {
		t.Fatalf("a refused message left %d entries: %+v", len(tr), tr)
	}
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: 42, Text: "new topic"})
	if err != nil || s.MessageID != 3 {
		t.Fatalf("message in a new topic = %+v, %v (want id 3 after the topic's service message 2)", s, err)
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

func TestFileDownloadHeaders(t *testing.T) {
	e, url, c, ctx := startClient(t, Options{Limits: offLimits(), MaxFileSize: 1000})
	say(t, e, "/start")
	pic := testPNG(t, 3, 3)
	m, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("p.png", bytes.NewReader(pic))})
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.GetFile(ctx, tg.GetFileParams{FileID: m.Photo[0].FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpHead(url + "/file/bot" + testToken + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Length") != itoa(int64(len(pic))) ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("HEAD = %d %v", resp.StatusCode, resp.Header)
	}
	for _, path := range []string{"/file/bot" + testToken, "/file/bot1:nobody/" + f.FilePath} {
		if status, body := raw(t, "GET", url+path, "", nil); status != 404 && status != 401 {
			t.Errorf("GET %s = %d %s", path, status, body)
		}
	}
	// Uploads over MaxFileSize are refused.
	_, err = c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("big.bin", bytes.NewReader(make([]byte, 1001)))})
	wantAPIError(t, err, 400, "Bad Request: file is too big")
	_, err = c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("empty.bin", bytes.NewReader(nil))})
	if !tg.IsCode(err, 400) {
		t.Fatalf("empty upload: %v", err)
	}
}

func TestSubscribeFilterAndOverflow(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	sayIn(t, e, bob, tg.Chat{}, "hi")
	annEvents, cancelAnn, err := e.Subscribe(testToken, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer cancelAnn()
	all, cancelAll, err := e.Subscribe(testToken, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(bob.ID), Text: "to bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "to ann"}); err != nil {
		t.Fatal(err)
	}
	if ev := <-annEvents; ev.ChatID != ann.ID || ev.Message.Text != "to ann" {
		t.Fatalf("ann's first event = %+v", ev)
	}
	if ev := <-all; ev.ChatID != bob.ID {
		t.Fatalf("first event of all = %+v", ev)
	}
	// A subscriber that falls behind is dropped: its channel closes.
	for range subscriberBuffer + 1 {
		if _, err := c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(bob.ID), Action: "typing"}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range all {
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("read %d events before the close, want %d", n, subscriberBuffer)
	}
	cancelAll() // after the drop: a no-op
	if _, _, err := e.Subscribe("bad", 0); err == nil {
		t.Fatal("Subscribe with a bad token succeeded")
	}
}

func httpHead(url string) (*http.Response, error) {
	resp, err := http.Head(url)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}
