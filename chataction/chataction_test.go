package chataction_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/chataction"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// newBot returns a bot whose client ends at rec.
func newBot(t *testing.T, rec *testkit.Caller, opts ...herald.Option) *herald.Bot {
	t.Helper()
	fake := func(tg.Caller) tg.Caller { return rec }
	opts = append([]herald.Option{herald.WithClientOptions(tg.WithMiddleware(fake)),
		herald.WithLogger(slog.New(slog.DiscardHandler)), herald.WithErrorReply("")}, opts...)
	b, err := herald.New("1:x", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func message(id int64, text string) *tg.Update {
	return &tg.Update{UpdateID: id, Message: &tg.Message{MessageID: id, Date: 1, Text: text,
		Chat: tg.Chat{ID: 7, Type: "private"}, From: &tg.User{ID: 7, FirstName: "Ann"}}}
}

// offsets returns when the actions were sent, from start.
func offsets(rec *testkit.Caller, start time.Time) []time.Duration {
	var ds []time.Duration
	for _, at := range rec.Times(func(c testkit.Call) bool { return c.Method == "sendChatAction" }) {
		ds = append(ds, at.Sub(start))
	}
	return ds
}

func TestKeepRepeatsWhileTheHandlerRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &testkit.Caller{}
		b := newBot(t, rec, herald.WithoutLimiter())
		var returned time.Duration
		start := time.Now()
		b.Router().Message(func(c *herald.Context) error {
			return chataction.Keep(c, chataction.Typing, func() error {
				time.Sleep(10 * time.Second) // the slow work
				_, err := c.Reply("done")
				returned = time.Since(start)
				return err
			})
		})
		if err := b.HandleUpdate(context.Background(), message(1, "hi")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute) // nothing is sent after the handler returned
		synctest.Wait()
		want := []time.Duration{0, chataction.Interval, 2 * chataction.Interval}
		if got := offsets(rec, start); !slices.Equal(got, want) {
			t.Errorf("actions at %v, want %v", got, want)
		}
		if returned != 10*time.Second {
			t.Errorf("the handler returned after %v", returned)
		}
		var methods []string
		for _, c := range rec.Calls() {
			methods = append(methods, c.Method)
			if p, ok := c.Params.(*tg.SendChatActionParams); ok && (p.Action != "typing" || p.ChatID != tg.ID(7)) {
				t.Errorf("sendChatAction params %+v", p)
			}
		}
		if want := []string{"sendChatAction", "sendChatAction", "sendChatAction", "sendMessage"}; !slices.Equal(methods, want) {
			t.Errorf("calls %q, want %q", methods, want)
		}
	})
}

func TestKeepStopsWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &testkit.Caller{}
		b := newBot(t, rec, herald.WithoutLimiter())
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		time.AfterFunc(5*time.Second, cancel) // shutdown, or the handler's timeout
		b.Router().Message(func(c *herald.Context) error {
			return chataction.Keep(c, chataction.UploadPhoto, func() error {
				time.Sleep(20 * time.Second) // work that does not watch its context
				return nil
			})
		})
		_ = b.HandleUpdate(ctx, message(1, "hi"))
		synctest.Wait()
		if got, want := offsets(rec, start), []time.Duration{0, chataction.Interval}; !slices.Equal(got, want) {
			t.Errorf("actions at %v, want %v", got, want)
		}
	})
}

func TestSendFailuresDoNotFailTheHandler(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int // actions tried during 10 s of work
	}{
		{"transient", errors.New("connection reset"), 3},
		{"server error", &tg.Error{Method: "sendChatAction", Code: 502, Description: "Bad Gateway"}, 3},
		{"bot blocked", &tg.Error{Method: "sendChatAction", Code: 403, Description: "Forbidden: bot was blocked by the user"}, 1},
		{"chat gone", &tg.Error{Method: "sendChatAction", Code: 400, Description: "Bad Request: chat not found"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := testkit.Fail(tc.err)
				b := newBot(t, rec, herald.WithoutLimiter())
				var handlerErr error
				ran := false
				b.Router().Message(func(c *herald.Context) error {
					handlerErr = chataction.Keep(c, chataction.Typing, func() error {
						time.Sleep(10 * time.Second)
						ran = true
						return nil
					})
					return handlerErr
				})
				if err := b.HandleUpdate(context.Background(), message(1, "hi")); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if !ran || handlerErr != nil {
					t.Errorf("work ran %v, Keep returned %v", ran, handlerErr)
				}
				if got := rec.Count("sendChatAction"); got != tc.want {
					t.Errorf("%d actions tried, want %d", got, tc.want)
				}
			})
		})
	}
}

func TestKeepReturnsTheWorksError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &testkit.Caller{}
		boom := errors.New("boom")
		var got error
		b := newBot(t, rec, herald.WithoutLimiter())
		b.Router().Message(func(c *herald.Context) error {
			got = chataction.Keep(c, chataction.Typing, func() error { return boom })
			return nil
		})
		if err := b.HandleUpdate(context.Background(), message(1, "hi")); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(got, boom) {
			t.Errorf("Keep = %v, want boom", got)
		}
	})
}

func TestMiddlewareWithTheLimiter(t *testing.T) {
	// With the bot's limiter on, sendChatAction is not counted: one
	// chat's actions and replies do not wait for each other.
	synctest.Test(t, func(t *testing.T) {
		rec := &testkit.Caller{}
		b := newBot(t, rec)
		start := time.Now()
		r := b.Router()
		r.UseInner(chataction.Middleware(chataction.UploadDocument))
		r.Message(func(c *herald.Context) error {
			for range 3 {
				time.Sleep(2500 * time.Millisecond)
				if _, err := c.Reply("part"); err != nil {
					return err
				}
			}
			return nil
		})
		if err := b.HandleUpdate(context.Background(), message(1, "hi")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got, want := offsets(rec, start), []time.Duration{0, chataction.Interval}; !slices.Equal(got, want) {
			t.Errorf("actions at %v, want %v", got, want)
		}
		if n := rec.Count("sendMessage"); n != 3 {
			t.Errorf("%d replies, want 3", n)
		}
	})
}

func TestParams(t *testing.T) {
	topic := message(4, "x")
	topic.Message.Chat = tg.Chat{ID: -100, Type: "supergroup", IsForum: true}
	topic.Message.IsTopicMessage, topic.Message.MessageThreadID = true, 12
	business := &tg.Update{UpdateID: 2, BusinessMessage: &tg.Message{MessageID: 2, Date: 1, Text: "x",
		Chat: tg.Chat{ID: 8, Type: "private"}, BusinessConnectionID: "bc1"}}
	inline := &tg.Update{UpdateID: 3, InlineQuery: &tg.InlineQuery{ID: "q", From: tg.User{ID: 9}}}
	cases := []struct {
		u    *tg.Update
		want tg.SendChatActionParams
		ok   bool
	}{
		{message(1, "x"), tg.SendChatActionParams{ChatID: tg.ID(7), Action: "typing"}, true},
		{topic, tg.SendChatActionParams{ChatID: tg.ID(-100), MessageThreadID: 12, Action: "typing"}, true},
		{business, tg.SendChatActionParams{ChatID: tg.ID(8), BusinessConnectionID: "bc1", Action: "typing"}, true},
		{inline, tg.SendChatActionParams{}, false},
	}
	rec := &testkit.Caller{}
	b := newBot(t, rec, herald.WithoutLimiter())
	var got tg.SendChatActionParams
	var ok bool
	b.Router().Any(func(c *herald.Context) error {
		got, ok = chataction.Params(c, chataction.Typing)
		return nil
	})
	for i, tc := range cases {
		got, ok = tg.SendChatActionParams{}, false
		if err := b.HandleUpdate(context.Background(), tc.u); err != nil {
			t.Fatal(err)
		}
		if got != tc.want || ok != tc.ok {
			t.Errorf("case %d: Params = %+v, %v; want %+v, %v", i, got, ok, tc.want, tc.ok)
		}
	}
}
