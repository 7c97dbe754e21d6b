package emulator

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald/internal/testkit"

	"github.com/heraldbot/herald/tg"
)

func TestForumTopicsAndChannels(t *testing.T) {
	e, _, c, ctx := startBot(t)
	forum := tg.Chat{ID: -1009, Type: "supergroup", Title: "Forum", IsForum: true}
	if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	topic, err := c.CreateForumTopic(ctx, tg.CreateForumTopicParams{ChatID: tg.ID(-1009), Name: "News"})
	if err != nil || topic.Name != "News" || topic.MessageThreadID == 0 {
		t.Fatalf("topic = %+v, %v", topic, err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1009), MessageThreadID: topic.MessageThreadID, Text: "in topic"})
	if err != nil || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage {
		t.Fatalf("topic message = %+v, %v", m, err)
	}
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1009), MessageThreadID: 999, Text: "nowhere"})
	wantAPIError(t, err, 400, "Bad Request: message thread not found")
	s, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: forum, MessageThreadID: topic.MessageThreadID, Text: "reply in topic"})
	if err != nil {
		t.Fatal(err)
	}

	channel := tg.Chat{ID: -1010, Type: "channel", Title: "Announcements"}
	cs, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Chat: channel, Text: "post"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: s.UpdateID})
	if err != nil || len(ups) != 2 || ups[0].Message.MessageThreadID != topic.MessageThreadID || ups[1].UpdateID != cs.UpdateID ||
		ups[1].ChannelPost == nil || ups[1].ChannelPost.SenderChat.ID != -1010 || ups[1].ChannelPost.From != nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	pm, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(-1010), Text: "bot post"})
	if err != nil || pm.SenderChat == nil || pm.From != nil {
		t.Fatalf("channel post = %+v, %v", pm, err)
	}
}

func TestBoundedMemory(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits(), MaxMessagesPerChat: 5, MaxFilesPerChat: 2, MaxPendingUpdates: 3})
	c := newClient(t, url, testToken)
	ctx := testkit.Context(t)
	for range 4 {
		say(t, e, "hi")
	}
	st, _ := e.Stats(testToken)
	if st.UpdatesPending != 3 || st.UpdatesDropped != 1 {
		t.Fatalf("queue cap: %+v", st)
	}
	var ids []string
	for i := range 3 {
		m, err := c.SendDocument(ctx, tg.SendDocumentParams{ChatID: tg.ID(ann.ID), Document: tg.FileUpload("f.txt", bytes.NewReader([]byte{byte('a' + i)}))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.Document.FileID)
	}
	_, err := c.GetFile(ctx, tg.GetFileParams{FileID: ids[0]})
	wantAPIError(t, err, 400, "Bad Request: invalid file_id")
	if _, err := c.GetFile(ctx, tg.GetFileParams{FileID: ids[2]}); err != nil {
		t.Fatal(err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if len(tr) != 5 || tr[0].MessageID != 3 {
		t.Fatalf("transcript cap: %d entries from %d", len(tr), tr[0].MessageID)
	}
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(ann.ID), MessageID: 1, Text: "gone"})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	// Confirmed updates are forgotten.
	if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 100}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.Stats(testToken); st.UpdatesPending != 0 || st.UpdatesConfirmed != 3 {
		t.Fatalf("after confirm: %+v", st)
	}
}

func TestControlValidation(t *testing.T) {
	e, _ := startEmu(t, Options{})
	ctx := context.Background()
	for _, m := range []UserMessage{
		{Token: "bad", From: ann, Text: "x"},
		{Token: testToken, From: tg.User{}, Text: "x"},
		{Token: testToken, From: ann},
		{Token: testToken, From: ann, Text: strings.Repeat("x", 4097)},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: 5, Type: "private"}, Text: "x"},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: 5, Type: "group"}, Text: "x"},
		{Token: testToken, From: ann, Chat: tg.Chat{ID: -5, Type: "spaceship"}, Text: "x"},
		{Token: testToken, From: ann, Photo: &Upload{Data: []byte("not a picture")}},
		{Token: testToken, From: ann, Text: "x", ReplyToMessageID: 42},
	} {
		if _, err := e.SendMessage(ctx, m); err == nil {
			t.Errorf("SendMessage(%+v) succeeded", m)
		}
	}
	if _, err := e.Transcript(testToken, 1); err == nil {
		t.Error("transcript of an unknown bot")
	}
}
