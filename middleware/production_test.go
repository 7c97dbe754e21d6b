package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
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

// Warnings: one per throttled streak, for messages (a reply) and button
// presses (a notification) alike; a user who slowed down and floods again
// is warned again.
func TestThrottleWarnOncePerStreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // time moves only when the test sleeps
		f := &fakeAPI{}
		b := newBot(t, f)
		b.Router().Use(Throttle(ThrottleConfig{Rate: 1, Burst: 1, Warn: "slow down"}))
		b.Router().Message(func(*herald.Context) error { return nil })
		b.Router().CallbackQuery(func(*herald.Context) error { return nil })
		press := func(id int64) *tg.Update {
			return &tg.Update{UpdateID: id, CallbackQuery: &tg.CallbackQuery{ID: "q", From: tg.User{ID: 1, FirstName: "U"}, Data: "x"}}
		}
		ctx := context.Background()
		_ = b.HandleUpdate(ctx, msg(1, 1, 1, "private")) // the burst
		_ = b.HandleUpdate(ctx, press(2))                // refused, warned
		_ = b.HandleUpdate(ctx, msg(3, 1, 1, "private")) // refused, silent
		_ = b.HandleUpdate(ctx, press(4))                // refused, silent
		if got := len(f.all()); got != 1 || f.count(`answerCallbackQuery {"callback_query_id":"q","text":"slow down"}`) != 1 {
			t.Fatalf("first streak: calls %q, want one notification", f.all())
		}
		time.Sleep(time.Second)
		_ = b.HandleUpdate(ctx, msg(5, 1, 1, "private")) // allowed again
		_ = b.HandleUpdate(ctx, msg(6, 1, 1, "private")) // new streak: warned by a reply
		_ = b.HandleUpdate(ctx, msg(7, 1, 1, "private"))
		if n := f.count(`sendMessage {"chat_id":1,"text":"slow down"}`); n != 1 || len(f.all()) != 2 {
			t.Errorf("second streak: calls %q, want one more warning, as a reply", f.all())
		}
	})
}

// Eviction keeps the users that are being throttled: forgetting them would
// hand a flooder a fresh burst whenever many other users write.
func TestThrottleEvictionKeepsFlooders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // time moves only when the test sleeps
		th := &throttle{cfg: ThrottleConfig{MaxUsers: 10},
			interval: time.Second, users: map[int64]*userState{}}
		th.tolerance = 0 // burst 1
		if ok, _ := th.allow(-1); !ok {
			t.Fatal("flooder's first update refused")
		}
		if ok, _ := th.allow(-1); ok {
			t.Fatal("flooder's second update allowed")
		}
		for id := range int64(9) {
			th.allow(id) // idle users: their bucket is full again a second later
		}
		time.Sleep(time.Second)
		th.allow(-1) // the flooder keeps flooding: its TAT stays ahead of now
		for id := int64(100); id < 105; id++ {
			th.allow(id) // new users arrive; the map is full
		}
		if len(th.users) >= 10 {
			t.Errorf("%d users kept, MaxUsers is 10", len(th.users))
		}
		if _, ok := th.users[-1]; !ok {
			t.Fatal("the flooder was forgotten while idle users were evictable")
		}
		if ok, _ := th.allow(-1); ok {
			t.Error("the flooder got a fresh burst after an eviction")
		}
	})
}

// The map never grows past MaxUsers, even when nobody's bucket is full.
func TestThrottleEvictionBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // time moves only when the test sleeps
		h := Throttle(ThrottleConfig{MaxUsers: 8, Rate: 1e-3})
		b := newBot(t, &fakeAPI{})
		b.Router().Use(h)
		b.Router().Message(func(*herald.Context) error { return nil })
		for i := range int64(100) {
			_ = b.HandleUpdate(context.Background(), msg(i, i, i, "private"))
		}
		// Rebuild the same throttle to look inside: allow is what handle calls.
		th := &throttle{cfg: ThrottleConfig{MaxUsers: 8},
			interval: time.Hour, users: map[int64]*userState{}}
		for i := range int64(100) {
			th.allow(i)
			if len(th.users) > 8 {
				t.Fatalf("%d users after user %d, MaxUsers 8", len(th.users), i)
			}
		}
	})
}

// Updates without a sender (channel posts) are never throttled.
func TestThrottleNoSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // time moves only when the test sleeps
		f := &fakeAPI{}
		b := newBot(t, f)
		b.Router().Use(Throttle(ThrottleConfig{Burst: 1, Warn: "slow"}))
		ran := 0
		b.Router().ChannelPost(func(*herald.Context) error { ran++; return nil })
		ch := tg.Chat{ID: -1001, Type: "channel"}
		for i := range int64(5) {
			_ = b.HandleUpdate(context.Background(), &tg.Update{UpdateID: i, ChannelPost: &tg.Message{MessageID: i, Date: 1, Text: "p", Chat: ch, SenderChat: &ch}})
		}
		if ran != 5 || len(f.all()) != 0 {
			t.Errorf("channel posts: %d handled, calls %q", ran, f.all())
		}
	})
}

// At Info level nothing is logged for a handled update, and a failing one
// is logged without the token or the message's text.
func TestLoggingNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}))
	defer srv.Close()
	b, err := herald.New("123:TOPSECRET", herald.WithClientOptions(tg.WithBaseURL(srv.URL)), herald.WithErrorReply(""),
		herald.WithErrorHandler(func(*herald.Context, error) {}))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Use(Logging(log))
	b.Router().Command("ok", func(*herald.Context) error { return nil })
	b.Router().Message(func(c *herald.Context) error { _, err := c.Reply("echo: " + c.Text()); return err })
	ctx := context.Background()
	u := msg(1, 1, 1, "private")
	u.Message.Text = "/ok my password is hunter2"
	_ = b.HandleUpdate(ctx, u)
	if buf.Len() != 0 {
		t.Errorf("a handled update logged at Info: %q", buf.String())
	}
	u = msg(2, 1, 1, "private")
	u.Message.Text = "my card is 4111"
	_ = b.HandleUpdate(ctx, u)
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "update_id=2") {
		t.Fatalf("failed update not logged: %q", out)
	}
	for _, secret := range []string{"TOPSECRET", "4111", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q: %q", secret, out)
		}
	}
}

// The bot's logger is used when Logging gets nil.
func TestLoggingBotLogger(t *testing.T) {
	var buf bytes.Buffer
	b, err := herald.New("1:secret", herald.WithErrorReply(""), herald.WithErrorHandler(func(*herald.Context, error) {}),
		herald.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	b.Router().Use(Logging(nil))
	b.Router().Message(func(*herald.Context) error { return nil })
	_ = b.HandleUpdate(context.Background(), msg(5, 3, 4, "private"))
	if out := buf.String(); !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "chat_id=3") || !strings.Contains(out, "user_id=4") {
		t.Errorf("log = %q", out)
	}
}

// A handler that ignores its context runs to its end, and Timeout then
// reports the overrun; a handler's own error is kept as it is.
func TestTimeoutHandlerIgnoresContext(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	b.Router().UseInner(Timeout(time.Millisecond))
	finished := false
	var ownErr = errors.New("own")
	b.Router().Command("own", func(c *herald.Context) error {
		waitLonger(c)
		return ownErr
	})
	b.Router().Message(func(c *herald.Context) error {
		waitLonger(c)
		finished = true
		return nil
	})
	err := b.HandleUpdate(context.Background(), msg(1, 1, 1, "private"))
	if !finished || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "took longer than 1ms") {
		t.Errorf("finished %v, err %v", finished, err)
	}
	u := msg(2, 1, 1, "private")
	u.Message.Text = "/own"
	if err := b.HandleUpdate(context.Background(), u); !errors.Is(err, ownErr) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("own error after the deadline became %v", err)
	}
}

// waitLonger does not look at c's result but returns only after c's
// deadline passed (bounded by 10 s), like a handler stuck in a call that
// ignores its context.
func waitLonger(c context.Context) {
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
	}
}

// A cancelled update (shutdown) is not reported as a timeout.
func TestTimeoutParentCancelled(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	b.Router().UseInner(Timeout(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	b.Router().Message(func(c *herald.Context) error { cancel(); <-c.Done(); return nil })
	if err := b.HandleUpdate(ctx, msg(1, 1, 1, "private")); err != nil {
		t.Errorf("chain returned %v after a cancellation, want the handler's nil", err)
	}
}

// Recover turns panics of any value into *herald.PanicError with the stack
// of the panic, keeps errors reachable, and works in nested routers.
func TestRecoverValues(t *testing.T) {
	sentinel := errors.New("sentinel")
	type custom struct{ n int }
	for _, tc := range []struct {
		name  string
		value any
		check func(*herald.PanicError) bool
	}{
		{"string", "boom", func(pe *herald.PanicError) bool { return pe.Value == "boom" }},
		{"int", 42, func(pe *herald.PanicError) bool { return pe.Value == 42 && pe.Error() == "herald: panic: 42" }},
		{"struct", custom{7}, func(pe *herald.PanicError) bool { return pe.Value == custom{7} }},
		{"error", fmt.Errorf("wrapped: %w", sentinel), func(pe *herald.PanicError) bool { return errors.Is(pe, sentinel) }},
		{"nil", nil, func(pe *herald.PanicError) bool { _, ok := pe.Value.(*runtime.PanicNilError); return ok }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBot(t, &fakeAPI{})
			child := herald.NewRouter("child")
			var seenChild, seenRoot error
			child.OnError(func(c *herald.Context, err error) error { seenChild = err; return err })
			b.Router().OnError(func(c *herald.Context, err error) error { seenRoot = err; return nil })
			child.UseInner(Recover())
			child.Message(func(*herald.Context) error { panicker(tc.value); return nil })
			b.Router().Include(child)
			_ = b.HandleUpdate(context.Background(), msg(1, 1, 1, "private"))
			pe, ok := errors.AsType[*herald.PanicError](seenChild)
			if !ok || !tc.check(pe) {
				t.Fatalf("child router saw %#v", seenChild)
			}
			if seenRoot != seenChild {
				t.Errorf("root saw %v, want the child's error", seenRoot)
			}
			if !bytes.Contains(pe.Stack, []byte("panicker")) {
				t.Errorf("stack does not show where the panic happened:\n%s", pe.Stack)
			}
			// The next update on the same bot runs normally.
			seenChild = nil
			_ = b.HandleUpdate(context.Background(), &tg.Update{UpdateID: 2, CallbackQuery: &tg.CallbackQuery{ID: "q", From: tg.User{ID: 1}}})
			if seenChild != nil {
				t.Errorf("a later update saw %v", seenChild)
			}
		})
	}
}

//go:noinline
func panicker(v any) { panic(v) }

// Recover as outer middleware of the root catches a panic of a handler in
// the same router, and later updates dispatch normally.
func TestRecoverOuterThenNextUpdate(t *testing.T) {
	b := newBot(t, &fakeAPI{})
	var seen []error
	b.Router().OnError(func(c *herald.Context, err error) error { seen = append(seen, err); return nil })
	b.Router().Use(Recover())
	child := herald.NewRouter("child")
	child.UseInner(func(c *herald.Context) error { return c.Next() })
	ran := 0
	child.Command("ok", func(*herald.Context) error { ran++; return nil })
	b.Router().Command("boom", func(*herald.Context) error { panic("boom") })
	b.Router().Include(child)
	ctx := context.Background()
	for i, text := range []string{"/boom", "/ok", "/boom", "/ok"} {
		u := msg(int64(i), 1, 1, "private")
		u.Message.Text = text
		_ = b.HandleUpdate(ctx, u)
	}
	if ran != 2 || len(seen) != 2 {
		t.Fatalf("ran %d, errors %v", ran, seen)
	}
	for _, err := range seen {
		if pe, ok := errors.AsType[*herald.PanicError](err); !ok || pe.Value != "boom" {
			t.Errorf("error %v", err)
		}
	}
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
