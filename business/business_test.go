package business_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/business"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

func newBot(t *testing.T, rec *testkit.Caller) *herald.Bot {
	t.Helper()
	fake := func(tg.Caller) tg.Caller { return rec }
	b, err := herald.New("1:x", herald.WithoutLimiter(), herald.WithClientOptions(tg.WithMiddleware(fake)),
		herald.WithLogger(slog.New(slog.DiscardHandler)), herald.WithErrorReply(""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReplyGoesBackWhereTheMessageCameFrom(t *testing.T) {
	private := tg.Chat{ID: 8, Type: "private"}
	cases := map[string]struct {
		u    *tg.Update
		want string // the request's JSON
	}{
		"business message": {
			&tg.Update{BusinessMessage: &tg.Message{MessageID: 1, Date: 1, Chat: private, BusinessConnectionID: "bc-1", Text: "hi"}},
			`{"business_connection_id":"bc-1","chat_id":8,"text":"ok"}`,
		},
		"forum topic": {
			&tg.Update{Message: &tg.Message{MessageID: 1, Date: 1, Chat: tg.Chat{ID: -1001, Type: "supergroup", IsForum: true},
				IsTopicMessage: true, MessageThreadID: 42, Text: "hi"}},
			`{"chat_id":-1001,"message_thread_id":42,"text":"ok"}`,
		},
		"channel direct messages": {
			&tg.Update{Message: &tg.Message{MessageID: 1, Date: 1, Chat: tg.Chat{ID: -1002, Type: "supergroup", IsDirectMessages: true},
				DirectMessagesTopic: &tg.DirectMessagesTopic{TopicID: 77}, Text: "hi"}},
			`{"chat_id":-1002,"direct_messages_topic_id":77,"text":"ok"}`,
		},
		"general forum message": {
			&tg.Update{Message: &tg.Message{MessageID: 1, Date: 1, Chat: tg.Chat{ID: -1001, Type: "supergroup", IsForum: true},
				MessageThreadID: 9, Text: "hi"}},
			`{"chat_id":-1001,"text":"ok"}`,
		},
		"button under a business message": {
			&tg.Update{CallbackQuery: &tg.CallbackQuery{ID: "q", From: tg.User{ID: 8}, Data: "x",
				Message: &tg.Message{MessageID: 3, Date: 1, Chat: private, BusinessConnectionID: "bc-2", Text: "menu"}}},
			`{"business_connection_id":"bc-2","chat_id":8,"text":"ok"}`,
		},
	}
	rec := &testkit.Caller{}
	b := newBot(t, rec)
	var replyErr error
	b.Router().Any(func(c *herald.Context) error {
		_, replyErr = business.Reply(c, "ok")
		return nil
	})
	id := int64(0)
	for name, tc := range cases {
		rec.Reset()
		id++
		tc.u.UpdateID = id
		if err := b.HandleUpdate(context.Background(), tc.u); err != nil || replyErr != nil {
			t.Fatalf("%s: %v, %v", name, err, replyErr)
		}
		calls := rec.Calls()
		if len(calls) != 1 || calls[0].Method != "sendMessage" {
			t.Fatalf("%s: calls %+v", name, calls)
		}
		got, err := json.Marshal(calls[0].Params)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: sent %s, want %s", name, got, tc.want)
		}
	}
}

func TestReplyWithoutChat(t *testing.T) {
	rec := &testkit.Caller{}
	b := newBot(t, rec)
	var replyErr error
	b.Router().Any(func(c *herald.Context) error {
		_, replyErr = business.Reply(c, "ok")
		return nil
	})
	u := &tg.Update{UpdateID: 1, InlineQuery: &tg.InlineQuery{ID: "q", From: tg.User{ID: 9}}}
	if err := b.HandleUpdate(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(replyErr, herald.ErrNoChat) || rec.Count("") != 0 {
		t.Errorf("Reply = %v with %d calls, want ErrNoChat and none", replyErr, rec.Count(""))
	}
}

func TestTargetKeepsWhatTheCallerSet(t *testing.T) {
	tgt := business.Target{ChatID: tg.ID(8), BusinessConnectionID: "bc", MessageThreadID: 4, DirectMessagesTopicID: 5}
	p := tgt.Message(tg.SendMessageParams{ChatID: tg.ID(99), Text: "elsewhere"})
	if p.ChatID != tg.ID(99) || p.BusinessConnectionID != "" || p.MessageThreadID != 0 || p.DirectMessagesTopicID != 0 {
		t.Errorf("an explicit destination was changed: %+v", p)
	}
	ph := tgt.Photo(tg.SendPhotoParams{Photo: tg.FileID("f")})
	if ph.ChatID != tg.ID(8) || ph.BusinessConnectionID != "bc" || ph.MessageThreadID != 4 || ph.DirectMessagesTopicID != 5 {
		t.Errorf("Photo = %+v", ph)
	}
	d := tgt.Document(tg.SendDocumentParams{Document: tg.FileID("f")})
	if d.ChatID != tg.ID(8) || d.BusinessConnectionID != "bc" || d.DirectMessagesTopicID != 5 {
		t.Errorf("Document = %+v", d)
	}
	if a := tgt.ChatAction("typing"); a.BusinessConnectionID != "bc" || a.MessageThreadID != 4 || a.Action != "typing" {
		t.Errorf("ChatAction = %+v", a)
	}
	e := tgt.EditText(3, tg.EditMessageTextParams{Text: "new"})
	if e.ChatID != tg.ID(8) || e.MessageID != 3 || e.BusinessConnectionID != "bc" {
		t.Errorf("EditText = %+v", e)
	}
	if e := tgt.EditText(3, tg.EditMessageTextParams{InlineMessageID: "i", Text: "new"}); !e.ChatID.IsZero() || e.BusinessConnectionID != "" {
		t.Errorf("EditText of an inline message = %+v", e)
	}
	if got, _ := json.Marshal(tgt.Message(tg.SendMessageParams{Text: "x"})); !strings.Contains(string(got), `"business_connection_id":"bc"`) {
		t.Errorf("on the wire: %s", got)
	}
}
