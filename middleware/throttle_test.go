package middleware

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

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
