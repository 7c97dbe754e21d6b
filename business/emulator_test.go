package business_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/business"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// TestReplyInEmulator checks against the emulator over HTTP that Reply
// answers an ordinary private chat like herald.Context.Reply.
func TestReplyInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7517:business"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	bot.Router().Message(func(c *herald.Context) error {
		_, err := business.Reply(c, "got "+c.Text())
		return err
	})
	emutest.Run(t, bot)
	chat := srv.Chat(t, token, tg.User{ID: 517, FirstName: "Ann"})
	chat.SendWait("hello", "got hello")
}

var (
	asked = fsm.State("order:asked")
	ann   = tg.User{ID: 517, FirstName: "Ann"}
	bob   = tg.User{ID: 900, FirstName: "Bob", Username: "bobs_bakery"}
)

// orderBot answers both its own chats and the chats of connected business
// accounts with the same two-step conversation: the first message asks
// for an order number, the next one confirms it. Each answer names where
// it was given, and the conversation lives in the FSM, so that a state
// leaking from one chat into the other shows as a wrong answer.
func orderBot(t *testing.T, srv *emutest.Server, token string) (*herald.Bot, *connections) {
	t.Helper()
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()),
		herald.WithBackend(memory.New(memory.Options{})))...)
	if err != nil {
		t.Fatal(err)
	}
	conns := &connections{}
	converse := func(where string) herald.Handler {
		return func(c *herald.Context) error {
			st, err := c.FSM().State(c)
			if err != nil {
				return err
			}
			if st != asked {
				if err := c.FSM().SetState(c, asked); err != nil {
					return err
				}
				_, err := c.Reply(where + ": your order number?")
				return err
			}
			if err := c.FSM().Clear(c); err != nil {
				return err
			}
			_, err = c.Reply(where + ": order " + c.Text() + " noted")
			return err
		}
	}
	r := bot.Router()
	r.Message(converse("bot"))
	r.BusinessMessage(converse("business"))
	r.BusinessConnection(func(c *herald.Context) error {
		conns.add(c.Update.BusinessConnection, c.BusinessConnectionID())
		return nil
	})
	emutest.Run(t, bot)
	return bot, conns
}

// connections records the business_connection updates a bot received.
type connections struct {
	mu  sync.Mutex
	got []tg.BusinessConnection
	ids []string // Context.BusinessConnectionID of each
}

func (c *connections) add(bc *tg.BusinessConnection, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got, c.ids = append(c.got, *bc), append(c.ids, id)
}

func (c *connections) last() (tg.BusinessConnection, string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) == 0 {
		return tg.BusinessConnection{}, "", 0
	}
	return c.got[len(c.got)-1], c.ids[len(c.ids)-1], len(c.got)
}

// TestBusinessChatEndToEnd runs a herald bot against the emulator's
// business connections over HTTP: the bot learns of the connection, a
// customer writes to the business account, and Context.Reply answers
// there, on the account's behalf, not in the bot's own chat with the same
// customer (which has the same chat id). The two chats hold separate
// conversations: the FSM key carries the business connection.
func TestBusinessChatEndToEnd(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7518:business"
	_, conns := orderBot(t, srv, token)
	ctx := testkit.Context(t)

	// Ann talks to the bot itself first and leaves a conversation open.
	own := srv.Chat(t, token, ann)
	own.SendWait("hi", "bot: your order number?")

	bc, err := srv.Emu.ConnectBusiness(ctx, emulator.BusinessConnect{Token: token, User: bob})
	if err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 5*time.Second, "the business_connection update", func() bool { _, _, n := conns.last(); return n == 1 })
	got, id, _ := conns.last()
	if got.ID != bc.ID || id != bc.ID || got.User.ID != bob.ID || !got.IsEnabled || got.Rights == nil || !got.Rights.CanReply {
		t.Fatalf("business_connection update = %+v (context id %q), want the connection %+v", got, id, bc)
	}

	// Ann writes to Bob's business account: a conversation of its own.
	write := func(text string) {
		t.Helper()
		if _, err := srv.Emu.SendBusinessMessage(ctx, emulator.BusinessMessage{Token: token, ConnectionID: bc.ID, From: ann, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	waitBusiness := func(want string) emulator.Entry {
		t.Helper()
		var found emulator.Entry
		emutest.Until(t, 5*time.Second, "the answer "+want, func() bool {
			msgs, err := srv.Emu.BusinessTranscript(token, bc.ID, ann.ID)
			if err != nil {
				return false
			}
			for _, m := range msgs {
				if m.Text == want {
					found = m
					return true
				}
			}
			return false
		})
		return found
	}
	write("hello Bob")
	answer := waitBusiness("business: your order number?")
	if m := answer; m.Sender != "bot" || m.BusinessConnectionID != bc.ID || m.From == nil || m.From.ID != bob.ID ||
		m.SenderBusinessBot == nil || m.SenderBusinessBot.ID != 7518 {
		t.Fatalf("answer in the business chat = %+v; want from Bob, sent by the bot through %s", m, bc.ID)
	}
	write("B-42")
	waitBusiness("business: order B-42 noted")

	// The bot's own chat kept its conversation and got nothing meanwhile.
	if n := len(own.BotMessages()); n != 1 {
		t.Fatalf("the bot's own chat with Ann has %d bot messages, want 1:\n%s", n, emutest.Dump(own.Transcript()))
	}
	own.SendWait("A-7", "bot: order A-7 noted")
}

// TestBusinessConnectionRights checks the emulator's refusals when the bot
// answers through a connection it may not use, and that Target carries
// the connection into other send methods (a chat action, an edit).
func TestBusinessConnectionRights(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7519:business"
	ctx := testkit.Context(t)
	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	bc, err := srv.Emu.ConnectBusiness(ctx, emulator.BusinessConnect{Token: token, User: bob})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Emu.SendBusinessMessage(ctx, emulator.BusinessMessage{Token: token, ConnectionID: bc.ID, From: ann, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	target := business.Target{ChatID: tg.ID(ann.ID), BusinessConnectionID: bc.ID}
	sent, err := client.SendMessage(ctx, target.Message(tg.SendMessageParams{Text: "one moment"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendChatAction(ctx, target.ChatAction("typing")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EditMessageText(ctx, target.EditText(sent.MessageID, tg.EditMessageTextParams{Text: "ready"})); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.Emu.BusinessTranscript(token, bc.ID, ann.ID)
	if err != nil || len(msgs) != 2 || msgs[1].Text != "ready" {
		t.Fatalf("business transcript = %v, %v; want Ann's message and the edited answer", emutest.Dump(msgs), err)
	}
	got, err := client.GetBusinessConnection(ctx, tg.GetBusinessConnectionParams{BusinessConnectionID: bc.ID})
	if err != nil || got.ID != bc.ID || got.User.ID != bob.ID {
		t.Fatalf("getBusinessConnection = %+v, %v", got, err)
	}

	refused := func(what string, p tg.SendMessageParams, code int, desc string) {
		t.Helper()
		_, err := client.SendMessage(ctx, p)
		var apiErr *tg.Error
		if !errors.As(err, &apiErr) || apiErr.Code != code || !strings.Contains(apiErr.Description, desc) {
			t.Fatalf("%s: err = %v, want %d %q", what, err, code, desc)
		}
	}
	refused("unknown connection", tg.SendMessageParams{ChatID: tg.ID(ann.ID), BusinessConnectionID: "nope", Text: "x"},
		http.StatusBadRequest, "BUSINESS_CONNECTION_INVALID")
	refused("a chat the account never had", tg.SendMessageParams{ChatID: tg.ID(4242), BusinessConnectionID: bc.ID, Text: "x"},
		http.StatusBadRequest, "BUSINESS_PEER_INVALID")

	if _, err := srv.Emu.ConnectBusiness(ctx, emulator.BusinessConnect{Token: token, User: bob, ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	refused("read-only connection", target.Message(tg.SendMessageParams{Text: "x"}), http.StatusForbidden, "did not allow the bot to reply")

	if _, err := srv.Emu.DisconnectBusiness(ctx, token, bc.ID); err != nil {
		t.Fatal(err)
	}
	refused("disabled connection", target.Message(tg.SendMessageParams{Text: "x"}), http.StatusBadRequest, "BUSINESS_CONNECTION_DISABLED")
	if _, err := srv.Emu.SendBusinessMessage(ctx, emulator.BusinessMessage{Token: token, ConnectionID: bc.ID, From: ann, Text: "still there?"}); err == nil {
		t.Fatal("a customer wrote through a disabled connection")
	}
}
