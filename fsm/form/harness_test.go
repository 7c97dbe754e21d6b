package form_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// wait bounds every wait of these tests.
const wait = 10 * time.Second

// rig is an emulator on 127.0.0.1 and bots that poll it.
type rig struct {
	t     *testing.T
	emu   *emulator.Emulator
	url   string
	token string

	mu   sync.Mutex
	errs []error // errors that reached the bots' error handler
}

func newRig(t *testing.T, token string) *rig {
	t.Helper()
	limits := emulator.NoLimits()
	emu := emulator.New(emulator.Options{Limits: &limits})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); emu.Close() })
	if _, err := emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, emu: emu, url: srv.URL, token: token}
}

// run starts a polling bot on store with the handlers of setup; stop
// cancels it and waits for Run to return.
func (r *rig) run(store fsm.Storage, setup func(b *herald.Bot)) (stop func()) {
	r.t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	b, err := herald.New(r.token,
		herald.WithClientOptions(tg.WithBaseURL(r.url)),
		herald.WithLogger(quiet),
		herald.WithPolling(source.PollerConfig{Timeout: time.Second, Logger: quiet}),
		herald.WithFSM(store, herald.FSMConfig{}),
		herald.WithErrorHandler(func(_ *herald.Context, err error) {
			r.mu.Lock()
			r.errs = append(r.errs, err)
			r.mu.Unlock()
		}))
	if err != nil {
		r.t.Fatal(err)
	}
	setup(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					r.t.Errorf("Run: %v", err)
				}
			case <-time.After(wait):
				r.t.Errorf("Run did not return within %v of cancel", wait)
			}
		})
	}
	r.t.Cleanup(stop)
	return stop
}

// noErrors fails the test if a handler error reached a bot.
func (r *rig) noErrors() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, err := range r.errs {
		r.t.Errorf("handler error: %v", err)
	}
}

// waitErrors waits until n errors reached the bots' error handler.
func (r *rig) waitErrors(n int) {
	r.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		r.mu.Lock()
		got := len(r.errs)
		r.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out after %v waiting for %d handler errors (got %d)", wait, n, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// user talks to the bot in a private chat.
type user struct {
	r  *rig
	tu tg.User
}

func (r *rig) user(id int64, name string) *user {
	return &user{r: r, tu: tg.User{ID: id, FirstName: name}}
}

// botMessages returns the bot's messages in the chat, in order.
func (u *user) botMessages() []emulator.Entry {
	u.r.t.Helper()
	entries, err := u.r.emu.Transcript(u.r.token, u.tu.ID)
	if e, ok := errors.AsType[*emulator.Error](err); ok && strings.Contains(e.Description, "chat not found") {
		return nil // the user has not written yet
	}
	if err != nil {
		u.r.t.Fatal(err)
	}
	var out []emulator.Entry
	for _, e := range entries {
		if e.Sender == "bot" && !e.Deleted {
			out = append(out, e)
		}
	}
	return out
}

// until polls cond every 10 ms for up to wait.
func (u *user) until(what string, cond func() bool) {
	u.r.t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			u.r.t.Fatalf("timed out after %v waiting for %s", wait, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// nextMessage runs act and returns the first bot message sent after it.
func (u *user) nextMessage(what string, act func()) string {
	u.r.t.Helper()
	before := len(u.botMessages())
	act()
	var text string
	u.until("the bot's answer to "+what, func() bool {
		msgs := u.botMessages()
		if len(msgs) > before {
			text = msgs[before].Text
			return true
		}
		return false
	})
	return text
}

// say sends text and returns the bot's answer.
func (u *user) say(text string) string {
	u.r.t.Helper()
	return u.nextMessage(text, func() { u.send(text) })
}

// send sends text without waiting for an answer.
func (u *user) send(text string) {
	u.r.t.Helper()
	if _, err := u.r.emu.SendMessage(context.Background(), emulator.UserMessage{Token: u.r.token, From: u.tu, Text: text}); err != nil {
		u.r.t.Fatal(err)
	}
}

// button finds the newest bot message with a button labelled label,
// waiting for one to appear (a keyboard may be edited in).
func (u *user) button(label string) (msgID int64, data string) {
	u.r.t.Helper()
	u.until("a button "+label, func() bool {
		msgs := u.botMessages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if d, ok := buttonData(msgs[i], label); ok {
				msgID, data = msgs[i].MessageID, d
				return true
			}
		}
		return false
	})
	return msgID, data
}

func buttonData(e emulator.Entry, label string) (string, bool) {
	if len(e.ReplyMarkup) == 0 {
		return "", false
	}
	var kb tg.InlineKeyboardMarkup
	if err := json.Unmarshal(e.ReplyMarkup, &kb); err != nil {
		return "", false
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData, true
			}
		}
	}
	return "", false
}

// tapOn presses a button of message msgID and returns the bot's answer to
// the callback query (its notification text, often empty).
func (u *user) tapOn(msgID int64, data string) string {
	u.r.t.Helper()
	p, err := u.r.emu.PressButton(context.Background(), emulator.ButtonPress{
		Token: u.r.token, From: u.tu, ChatID: u.tu.ID, MessageID: msgID, Data: data,
	})
	if err != nil {
		u.r.t.Fatal(err)
	}
	var ans emulator.CallbackAnswer
	u.until("the answer to a button press", func() bool {
		var ok bool
		ans, ok = u.r.emu.CallbackAnswer(u.r.token, p.CallbackQueryID)
		return ok
	})
	return ans.Text
}

// tap presses the newest button labelled label; see tapOn.
func (u *user) tap(label string) string {
	u.r.t.Helper()
	id, data := u.button(label)
	return u.tapOn(id, data)
}

// press presses the newest button labelled label and returns the message
// the bot sends next.
func (u *user) press(label string) string {
	u.r.t.Helper()
	id, data := u.button(label)
	return u.nextMessage(label, func() { u.tapOn(id, data) })
}

func wantText(t *testing.T, step, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("%s: the bot said %q, want it to contain %q", step, got, w)
		}
	}
}
