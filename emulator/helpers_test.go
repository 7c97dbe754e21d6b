package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"

	"github.com/heraldbot/herald/emulator/internal/inprocess"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

const testToken = "123456:TEST-secret_token"

var (
	ann = tg.User{ID: 1001, FirstName: "Ann", Username: "ann"}
	bob = tg.User{ID: 1002, FirstName: "Bob"}
)

// startEmu serves a new emulator on 127.0.0.1 for the test.
func startEmu(t testing.TB, opts Options) (*Emulator, string) {
	t.Helper()
	e := New(fixedIDs(opts))
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = e.Close() })
	return e, srv.URL
}

// bubbleURL is the base URL of an emulator started by startBubble.
const bubbleURL = "http://emulator.invalid"

// startBubble serves a new emulator in process, without a socket, for a
// test in a testing/synctest bubble: the emulator's time (limits,
// callback expiry, long polls, webhook retries) is the bubble's, exact,
// and moves only when every goroutine of the bubble waits. It returns
// the emulator, an HTTP client that reaches it at bubbleURL and a client
// of the test bot. Contexts in the bubble should not have deadlines the
// test's time could pass: use t.Context().
func startBubble(t *testing.T, opts Options) (*Emulator, *http.Client, *tg.Client) {
	t.Helper()
	e := New(fixedIDs(opts))
	p := inprocess.New(e.Handler())
	t.Cleanup(func() { _ = p.Close(); _ = e.Close() })
	hc := p.Client()
	c, err := tg.New(testToken, tg.WithBaseURL(bubbleURL), tg.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return e, hc, c
}

// settled waits until every goroutine of the test's bubble waits, then
// fails the test unless cond holds.
func settled(t *testing.T, what string, cond func() bool) {
	t.Helper()
	synctest.Wait()
	if !cond() {
		t.Fatalf("%s: not so once everything waits", what)
	}
}

// startClient serves a new emulator for the test, and returns it with
// its URL, a client of the test bot and a test context.
func startClient(t testing.TB, opts Options) (*Emulator, string, *tg.Client, context.Context) {
	t.Helper()
	e, url := startEmu(t, opts)
	return e, url, newClient(t, url, testToken), testkit.Context(t)
}

// startBot is startClient for an emulator without rate limits.
func startBot(t testing.TB) (*Emulator, string, *tg.Client, context.Context) {
	t.Helper()
	return startClient(t, Options{Limits: offLimits()})
}

func newClient(t testing.TB, baseURL, token string) *tg.Client {
	t.Helper()
	c, err := tg.New(token, tg.WithBaseURL(baseURL))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// say makes ann write text to the test bot in her private chat.
func say(t testing.TB, e *Emulator, text string) Sent {
	t.Helper()
	return sayIn(t, e, ann, tg.Chat{}, text)
}

// sayIn makes from write text to the test bot in chat, or in from's
// private chat when chat is the zero Chat.
func sayIn(t testing.TB, e *Emulator, from tg.User, chat tg.Chat, text string) Sent {
	t.Helper()
	s, err := e.SendMessage(context.Background(), UserMessage{Token: testToken, From: from, Chat: chat, Text: text})
	if err != nil {
		t.Fatalf("SendMessage(%q): %v", text, err)
	}
	return s
}

// wantAPIError checks err is a *tg.Error with code and description.
func wantAPIError(t testing.TB, err error, code int, desc string) *tg.Error {
	t.Helper()
	te, ok := errors.AsType[*tg.Error](err)
	if !ok {
		t.Fatalf("error = %v (%T), want *tg.Error %d %q", err, err, code, desc)
	}
	if te.Code != code || te.Description != desc {
		t.Fatalf("error = %d %q, want %d %q", te.Code, te.Description, code, desc)
	}
	return te
}

func inlineKeyboard(rows ...[]tg.InlineKeyboardButton) *tg.InlineKeyboardMarkup {
	return &tg.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func cbButton(text, data string) tg.InlineKeyboardButton {
	return tg.InlineKeyboardButton{Text: text, CallbackData: data}
}

// fixedIDs makes update ids start at 1 unless opts set a start: the
// tests name update ids and offsets.
func fixedIDs(opts Options) Options {
	if opts.FirstUpdateID == 0 {
		opts.FirstUpdateID = 1
	}
	return opts
}
