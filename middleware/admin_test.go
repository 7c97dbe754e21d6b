package middleware

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// groupAnonymousBot is the user Telegram puts in From of messages that an
// anonymous administrator sends on behalf of the group.
const groupAnonymousBot = 1087968824

// adminBot is a bot on a fake Bot API whose router lets only chat
// administrators through.
func adminBot(t *testing.T) (*fakeAPI, *herald.Bot) {
	t.Helper()
	f := &fakeAPI{}
	b := newBot(t, f)
	b.Router().Use(AdminOnly(AdminConfig{}))
	return f, b
}

// anonymous is a message an anonymous administrator sent in chat.
func anonymous(id, chatID int64) *tg.Update {
	chat := tg.Chat{ID: chatID, Type: "supergroup", Title: "G"}
	return &tg.Update{UpdateID: id, Message: &tg.Message{MessageID: id, Date: 1, Text: "hi", Chat: chat,
		SenderChat: &chat, From: &tg.User{ID: groupAnonymousBot, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}}}
}

// An anonymous administrator (sender_chat is the group itself) is an
// administrator: no getChatMember for GroupAnonymousBot, no refusal.
func TestAdminOnlyAnonymousAdmin(t *testing.T) {
	f, b := adminBot(t)
	ran := 0
	b.Router().Message(func(*herald.Context) error { ran++; return nil })
	_ = b.HandleUpdate(context.Background(), anonymous(1, -100))
	if ran != 1 {
		t.Errorf("anonymous admin's message handled %d times, want 1; calls %q", ran, f.all())
	}
	if n := f.count("sendMessage"); n != 0 {
		t.Errorf("%d refusals sent to an anonymous admin", n)
	}
}

// A message sent on behalf of another chat (a user posting as their own
// channel) is not an admin's: only sender_chat == chat is.
func TestAdminOnlySenderChatOfAnotherChat(t *testing.T) {
	f, b := adminBot(t)
	b.Router().Message(func(*herald.Context) error { t.Error("a message on behalf of another channel passed"); return nil })
	u := msg(1, -100, 136817688, "supergroup") // Channel_Bot
	u.Message.SenderChat = &tg.Chat{ID: -1005, Type: "channel", Title: "someone's channel"}
	_ = b.HandleUpdate(context.Background(), u)
	if n := f.count("sendMessage"); n != 1 {
		t.Errorf("%d refusals, want 1; calls %q", n, f.all())
	}
}

// Only a channel's administrators can post in it: channel posts pass, and
// AdminOnly never writes its refusal into a channel.
func TestAdminOnlyChannelPost(t *testing.T) {
	f, b := adminBot(t)
	ran := 0
	b.Router().ChannelPost(func(*herald.Context) error { ran++; return nil })
	ch := tg.Chat{ID: -1001, Type: "channel", Title: "C"}
	_ = b.HandleUpdate(context.Background(), &tg.Update{UpdateID: 1, ChannelPost: &tg.Message{MessageID: 1, Date: 1, Text: "post", Chat: ch, SenderChat: &ch}})
	if ran != 1 {
		t.Errorf("channel post handled %d times, want 1", ran)
	}
	if n := f.count("sendMessage"); n != 0 {
		t.Errorf("AdminOnly posted %d messages in the channel: %q", n, f.all())
	}
}

// flakyAPI answers getChatMember with an error while failing is set, else
// with status.
type flakyAPI struct {
	failing atomic.Bool
	status  atomic.Value // string
	members atomic.Int64 // getChatMember calls
	sends   atomic.Int64 // sendMessage and answerCallbackQuery calls
}

func (f *flakyAPI) serve(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/getChatMember"):
		f.members.Add(1)
		if f.failing.Load() {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)
			return
		}
		io.WriteString(w, `{"ok":true,"result":{"status":"`+f.status.Load().(string)+`","user":{"id":1,"is_bot":false,"first_name":"U"},"can_be_edited":false,"is_anonymous":false,"can_manage_chat":true,"can_delete_messages":true,"can_manage_video_chats":true,"can_restrict_members":true,"can_promote_members":false,"can_change_info":true,"can_invite_users":true,"can_post_stories":false,"can_edit_stories":false,"can_delete_stories":false}}`)
	case strings.HasSuffix(r.URL.Path, "/sendMessage"):
		f.sends.Add(1)
		io.WriteString(w, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":1,"type":"private"},"text":"x"}}`)
	default:
		f.sends.Add(1)
		io.WriteString(w, `{"ok":true,"result":true}`)
	}
}

func newFlakyBot(t *testing.T, f *flakyAPI, errs *[]error) *herald.Bot {
	t.Helper()
	in := emutest.NewInProcess(http.HandlerFunc(f.serve)) // no network: the tests may run in a synctest bubble
	t.Cleanup(func() { _ = in.Close() })
	b, err := herald.New("1:secret", herald.WithClientOptions(tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(in.Client())), herald.WithErrorReply(""),
		herald.WithErrorHandler(func(_ *herald.Context, err error) { *errs = append(*errs, err) }))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A failed getChatMember is the update's error: the handler does not run,
// no refusal is sent, and the failure is not cached.
func TestAdminOnlyGetChatMemberFails(t *testing.T) {
	f := &flakyAPI{}
	f.status.Store("administrator")
	f.failing.Store(true)
	var errs []error
	b := newFlakyBot(t, f, &errs)
	b.Router().Use(AdminOnly(AdminConfig{}))
	ran := 0
	b.Router().Message(func(*herald.Context) error { ran++; return nil })
	ctx := context.Background()
	_ = b.HandleUpdate(ctx, msg(1, -100, 10, "supergroup"))
	var apiErr *tg.Error
	if len(errs) != 1 || !errors.As(errs[0], &apiErr) || apiErr.Code != 400 {
		t.Fatalf("errors %v, want one *tg.Error 400", errs)
	}
	if ran != 0 || f.sends.Load() != 0 {
		t.Errorf("after a failed check: handler ran %d times, %d messages sent", ran, f.sends.Load())
	}
	f.failing.Store(false)
	_ = b.HandleUpdate(ctx, msg(2, -100, 10, "supergroup"))
	if ran != 1 || f.members.Load() != 2 {
		t.Errorf("after recovery: handler ran %d times, %d getChatMember calls; want 1 and 2", ran, f.members.Load())
	}
}

// Answers are cached for CacheTTL and asked again after it: a demoted
// administrator loses access once the cache entry expires.
func TestAdminOnlyCacheExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // time moves only when the test sleeps
		f := &flakyAPI{}
		f.status.Store("administrator")
		var errs []error
		b := newFlakyBot(t, f, &errs)
		b.Router().Use(AdminOnly(AdminConfig{CacheTTL: time.Minute}))
		ran := 0
		b.Router().Message(func(*herald.Context) error { ran++; return nil })
		ctx := context.Background()
		_ = b.HandleUpdate(ctx, msg(1, -100, 10, "supergroup"))
		f.status.Store("member") // demoted
		time.Sleep(time.Minute - time.Nanosecond)
		_ = b.HandleUpdate(ctx, msg(2, -100, 10, "supergroup"))
		if ran != 2 || f.members.Load() != 1 {
			t.Fatalf("within the TTL: ran %d, %d getChatMember calls; want 2 and 1", ran, f.members.Load())
		}
		time.Sleep(time.Nanosecond)
		_ = b.HandleUpdate(ctx, msg(3, -100, 10, "supergroup"))
		if ran != 2 || f.members.Load() != 2 || f.sends.Load() != 1 {
			t.Errorf("after the TTL: ran %d, %d getChatMember calls, %d refusals; want 2, 2, 1", ran, f.members.Load(), f.sends.Load())
		}
		if len(errs) != 0 {
			t.Errorf("errors: %v", errs)
		}
	})
}

// A press of a button under a channel post (whose sender_chat is the
// channel) is the presser's: it is checked like any other.
func TestAdminOnlyButtonUnderChannelPost(t *testing.T) {
	f, b := adminBot(t)
	b.Router().CallbackQuery(func(*herald.Context) error { t.Error("a member's press passed"); return nil })
	ch := tg.Chat{ID: -1001, Type: "channel"}
	_ = b.HandleUpdate(context.Background(), &tg.Update{UpdateID: 1, CallbackQuery: &tg.CallbackQuery{ID: "q", From: tg.User{ID: 5, FirstName: "U"}, Data: "x",
		Message: &tg.Message{MessageID: 3, Date: 1, Chat: ch, SenderChat: &ch}}})
	if f.count("getChatMember") != 1 || f.count("answerCallbackQuery") != 1 {
		t.Errorf("calls %q, want a check and an alert", f.all())
	}
}
