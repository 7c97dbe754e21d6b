package form_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// wait bounds every wait of these tests.
const wait = 10 * time.Second

// rig is an emulator on 127.0.0.1 and bots that poll it.
type rig struct {
	t     *testing.T
	srv   *emutest.Server
	token string

	mu   sync.Mutex
	errs []error // errors that reached the bots' error handler
}

func newRig(t *testing.T, token string) *rig {
	t.Helper()
	srv := emutest.Start(t, emutest.NoLimits())
	if _, err := srv.Emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, srv: srv, token: token}
}

// run starts a polling bot on store with the handlers of setup; stop
// cancels it and waits for Run to return.
func (r *rig) run(store backend.State, setup func(b *herald.Bot)) (stop func()) {
	r.t.Helper()
	quiet := emutest.Quiet()
	b, err := herald.New(r.token,
		r.srv.Client(),
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
	stopBot := emutest.Run(r.t, b)
	stop = sync.OnceFunc(func() {
		if err := stopBot(); err != nil {
			r.t.Errorf("Run: %v", err)
		}
	})
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
	emutest.Until(r.t, wait, fmt.Sprintf("%d handler errors", n), func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.errs) >= n
	})
}

// wantCorrupt fails the test unless exactly one error, an fsm.ErrCorrupt,
// reached the bots' error handler; it then forgets the errors.
func (r *rig) wantCorrupt() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) != 1 || !errors.Is(r.errs[0], fsm.ErrCorrupt) {
		r.t.Errorf("errors %v, want one ErrCorrupt", r.errs)
	}
	r.errs = nil
}

// user talks to the bot in a private chat.
type user struct {
	r    *rig
	chat *emutest.Chat
}

func (r *rig) user(id int64, name string) *user {
	return &user{r: r, chat: r.srv.Chat(r.t, r.token, tg.User{ID: id, FirstName: name})}
}

// botMessages returns the bot's messages in the chat, in order.
func (u *user) botMessages() []emulator.Entry {
	u.r.t.Helper()
	return u.chat.BotMessages()
}

// until polls cond every 10 ms for up to wait.
func (u *user) until(what string, cond func() bool) {
	u.r.t.Helper()
	emutest.Until(u.r.t, wait, what, cond)
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
	u.chat.Send(text)
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
	for _, row := range emutest.Keyboard(e) {
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
	p, err := u.chat.PressData(msgID, data)
	if err != nil {
		u.r.t.Fatal(err)
	}
	return u.chat.WaitAnswer(p)
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
