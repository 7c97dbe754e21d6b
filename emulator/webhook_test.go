package emulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/emulator/internal/inprocess"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// hookHit is one webhook request the test server saw.
type hookHit struct {
	update tg.Update
	secret string
	at     time.Time
	reply  chan hookReply
}

type hookReply struct {
	status     int
	retryAfter string
	body       string
}

// hookURL is the webhook URL of the tests: any loopback URL reaches
// hookServer.
const hookURL = "http://127.0.0.1:8443/hook"

// hookServer is a webhook endpoint whose answers the test chooses, served
// in process: e's deliveries reach it whatever loopback URL is set. For a
// test in a synctest bubble.
func hookServer(t *testing.T, e *Emulator) chan hookHit {
	t.Helper()
	hits := make(chan hookHit, 16)
	p := inprocess.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := hookHit{secret: r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), at: time.Now(), reply: make(chan hookReply, 1)}
		if err := json.Unmarshal(body, &h.update); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hits <- h
		var rep hookReply
		select {
		case rep = <-h.reply:
		case <-r.Context().Done():
			return
		}
		if rep.retryAfter != "" {
			w.Header().Set("Retry-After", rep.retryAfter)
		}
		if rep.body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(func() { _ = p.Close() })
	e.hooks = &http.Client{Transport: p, CheckRedirect: e.hooks.CheckRedirect}
	return hits
}

// startHooked is startBubble with the test bot's webhook set with
// params to hookURL, served by hookServer.
func startHooked(t *testing.T, opts Options, params tg.SetWebhookParams) (*Emulator, *tg.Client, chan hookHit) {
	t.Helper()
	e, _, c := startBubble(t, opts)
	hits := hookServer(t, e)
	params.URL = hookURL
	if _, err := c.SetWebhook(t.Context(), params); err != nil {
		t.Fatal(err)
	}
	return e, c, hits
}

// nextHit returns the webhook request made by the time everything waits.
func nextHit(t *testing.T, hits chan hookHit) hookHit {
	t.Helper()
	synctest.Wait()
	select {
	case h := <-hits:
		return h
	default:
		t.Fatal("no webhook request")
		return hookHit{}
	}
}

// noHit checks that no webhook request came by the time everything
// waits.
func noHit(t *testing.T, hits chan hookHit) {
	t.Helper()
	synctest.Wait()
	select {
	case h := <-hits:
		t.Fatalf("unexpected webhook request for update %d", h.update.UpdateID)
	default:
	}
}

func TestWebhookDeliveryAndSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{SecretToken: "s3cret", MaxConnections: 1})
		ctx := t.Context()
		for _, text := range []string{"one", "two", "three"} {
			say(t, e, text)
		}
		for _, want := range []string{"one", "two", "three"} {
			h := nextHit(t, hits)
			if h.secret != "s3cret" || h.update.Message == nil || h.update.Message.Text != want {
				t.Fatalf("hit = %+v secret %q, want %q", h.update, h.secret, want)
			}
			h.reply <- hookReply{status: 200}
		}
		synctest.Wait()
		info, _ := c.GetWebhookInfo(ctx)
		if info.URL != hookURL || info.MaxConnections != 1 || info.LastErrorDate != 0 || info.PendingUpdateCount != 0 {
			t.Fatalf("info = %+v", info)
		}
		st, _ := e.Stats(testToken)
		if st.WebhookDeliveries != 3 || st.WebhookFailures != 0 || st.UpdatesConfirmed != 3 {
			t.Fatalf("stats = %+v", st)
		}
	})
}

func TestWebhookRetryBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c, hits := startHooked(t, Options{WebhookMaxBackoff: 4 * time.Second}, tg.SetWebhookParams{})
		ctx := t.Context()
		t0 := time.Now()
		say(t, e, "retry me")
		// Failures at 0 s, then at once, then after 1, 2, 4 and 4 (capped) s.
		wantAt := []time.Duration{0, 0, 1 * time.Second, 3 * time.Second, 7 * time.Second, 11 * time.Second}
		for i, at := range wantAt {
			if i >= 2 {
				noHit(t, hits)
				time.Sleep(wantAt[i] - wantAt[i-1] - time.Nanosecond)
				noHit(t, hits) // not a moment early
				time.Sleep(time.Nanosecond)
			}
			h := nextHit(t, hits)
			if got := h.at.Sub(t0); got != at {
				t.Fatalf("attempt %d at %v, want %v", i+1, got, at)
			}
			if i < len(wantAt)-1 {
				h.reply <- hookReply{status: 500}
				if i == 0 {
					synctest.Wait()
					info, _ := c.GetWebhookInfo(ctx)
					if info.PendingUpdateCount != 1 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate != t0.Unix() {
						t.Fatalf("info after failure = %+v", info)
					}
				}
			} else {
				h.reply <- hookReply{status: 200}
			}
		}
		synctest.Wait()
		if info, _ := c.GetWebhookInfo(ctx); info.PendingUpdateCount != 0 {
			t.Fatalf("info after success = %+v", info)
		}
		st, _ := e.Stats(testToken)
		if st.WebhookDeliveries != 6 || st.WebhookFailures != 5 {
			t.Fatalf("stats = %+v", st)
		}
	})
}

func TestWebhookHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, hits := startHooked(t, Options{}, tg.SetWebhookParams{})
		t0 := time.Now()
		say(t, e, "later")
		nextHit(t, hits).reply <- hookReply{status: 503, retryAfter: "5"}
		time.Sleep(5*time.Second - time.Nanosecond)
		noHit(t, hits)
		time.Sleep(time.Nanosecond)
		h := nextHit(t, hits)
		if h.at.Sub(t0) != 5*time.Second {
			t.Fatalf("retry at %v, want 5s", h.at.Sub(t0))
		}
		h.reply <- hookReply{status: 200}
	})
}

func TestWebhookOrderPerChatAndMaxConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{MaxConnections: 2})
		ctx := t.Context()
		cyd := tg.User{ID: 1003, FirstName: "Cyd"}
		for _, m := range []UserMessage{
			{Token: testToken, From: ann, Text: "a1"},
			{Token: testToken, From: ann, Text: "a2"},
			{Token: testToken, From: bob, Text: "b1"},
			{Token: testToken, From: cyd, Text: "c1"},
		} {
			if _, err := e.SendMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		// a1 and b1 first: a2 waits for a1 (same chat), c1 for a connection.
		first, second := nextHit(t, hits), nextHit(t, hits)
		got := map[string]hookHit{first.update.Message.Text: first, second.update.Message.Text: second}
		if _, ok := got["a1"]; !ok || got["b1"].reply == nil {
			t.Fatalf("first deliveries = %q, %q", first.update.Message.Text, second.update.Message.Text)
		}
		noHit(t, hits)
		got["a1"].reply <- hookReply{status: 200}
		if h := nextHit(t, hits); h.update.Message.Text != "a2" {
			t.Fatalf("after a1: %q", h.update.Message.Text)
		} else {
			h.reply <- hookReply{status: 200}
		}
		got["b1"].reply <- hookReply{status: 200}
		if h := nextHit(t, hits); h.update.Message.Text != "c1" {
			t.Fatalf("last: %q", h.update.Message.Text)
		} else {
			h.reply <- hookReply{status: 200}
		}
	})
}

func TestWebhookReplyMethod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{})
		events, cancel, err := e.Subscribe(testToken, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		say(t, e, "ping")
		<-events // ann's own message
		nextHit(t, hits).reply <- hookReply{status: 200, body: `{"method":"sendMessage","chat_id":1001,"text":"pong"}`}
		synctest.Wait()
		select {
		case ev := <-events:
			if ev.Type != "sent" || ev.Message.Text != "pong" || ev.Message.Sender != "bot" {
				t.Fatalf("event = %+v", ev)
			}
		default:
			t.Fatal("method in webhook answer not executed")
		}
	})
}

func TestWebhookRefusesRemoteURLs(t *testing.T) {
	_, url := startEmu(t, Options{})
	c := newClient(t, url, testToken)
	ctx := testkit.Context(t)
	_, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: "https://example.com/hook"})
	wantAPIError(t, err, 400, `Bad Request: bad webhook: the Herald emulator delivers webhooks only to loopback addresses (127.0.0.1, ::1, localhost), not to "example.com"`)
	_, err = c.SetWebhook(ctx, tg.SetWebhookParams{URL: "ftp://127.0.0.1/x"})
	wantAPIError(t, err, 400, "Bad Request: bad webhook: an HTTP or HTTPS URL must be provided for webhook")
	_, err = c.SetWebhook(ctx, tg.SetWebhookParams{URL: "http://127.0.0.1:9/x", SecretToken: "no spaces"})
	wantAPIError(t, err, 400, "Bad Request: bad webhook: secret token contains unallowed characters")
	_ = context.Background
	_ = strings.TrimSpace
}

// TestWebhookReplyMethodBeforeNextUpdate: the method in a webhook answer
// runs before the chat's next update is delivered, so replies given in
// webhook answers keep the order of the messages they answer.
func TestWebhookReplyMethodBeforeNextUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{Limits: offLimits()})
		var late []string // deliveries that came before the previous reply ran
		p := inprocess.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var u tg.Update
			body, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(body, &u); err != nil || u.Message == nil {
				t.Errorf("webhook body %s: %v", body, err)
				return
			}
			i, _ := strconv.Atoi(strings.TrimPrefix(u.Message.Text, "m"))
			if i > 0 {
				tr, err := e.Transcript(testToken, ann.ID)
				if err != nil {
					t.Error(err)
				}
				if !slices.ContainsFunc(tr, func(m Entry) bool { return m.Sender == "bot" && m.Text == "r"+strconv.Itoa(i-1) }) {
					late = append(late, u.Message.Text)
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"method":"sendMessage","chat_id":1001,"text":"r`+strconv.Itoa(i)+`"}`)
		}))
		t.Cleanup(func() { _ = p.Close() })
		e.hooks = &http.Client{Transport: p, CheckRedirect: e.hooks.CheckRedirect}
		if _, err := c.SetWebhook(t.Context(), tg.SetWebhookParams{URL: hookURL}); err != nil {
			t.Fatal(err)
		}
		const n = 50
		for i := range n {
			say(t, e, "m"+strconv.Itoa(i))
		}
		synctest.Wait()
		tr, err := e.Transcript(testToken, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		if replies := len(tr) - n; replies != n {
			t.Fatalf("%d replies, want %d", replies, n)
		}
		if len(late) > 0 {
			t.Fatalf("delivered before the reply to the message before them ran: %v", late)
		}
	})
}

// TestWebhookDropPendingWhileDelivering: deleteWebhook with
// drop_pending_updates drops an update whose delivery is in flight too;
// the delivery failing afterwards does not bring it back.
func TestWebhookDropPendingWhileDelivering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{})
		say(t, e, "in flight")
		h := nextHit(t, hits) // delivered, not answered yet
		if _, err := c.DeleteWebhook(t.Context(), tg.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
			t.Fatal(err)
		}
		h.reply <- hookReply{status: http.StatusInternalServerError}
		synctest.Wait()
		info, err := c.GetWebhookInfo(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.PendingUpdateCount != 0 {
			t.Fatalf("%d updates pending after deleteWebhook dropped them, want 0", info.PendingUpdateCount)
		}
		ups, err := c.GetUpdates(t.Context(), tg.GetUpdatesParams{})
		if err != nil || len(ups) != 0 {
			t.Fatalf("getUpdates after the drop = %d updates, %v; want none", len(ups), err)
		}
	})
}

// TestWebhookConcurrentPerChat: with Options.WebhookConcurrentPerChat a
// chat's updates are delivered together, up to max_connections.
func TestWebhookConcurrentPerChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts := Options{Limits: offLimits(), WebhookConcurrentPerChat: true}
		e, _, hits := startHooked(t, opts, tg.SetWebhookParams{MaxConnections: 2})
		for _, text := range []string{"a1", "a2", "a3"} {
			if _, err := e.SendMessage(t.Context(), UserMessage{Token: testToken, From: ann, Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		// a1 and a2 at once, though one chat's; a3 waits for a connection.
		first, second := nextHit(t, hits), nextHit(t, hits)
		noHit(t, hits)
		first.reply <- hookReply{status: 200}
		if h := nextHit(t, hits); h.update.Message.Text != "a3" {
			t.Fatalf("third delivery: %q", h.update.Message.Text)
		} else {
			h.reply <- hookReply{status: 200}
		}
		second.reply <- hookReply{status: 200}
	})
}

// TestWebhookDoubleTap: a bot's webhook, served over HTTP, gets two
// presses of one chat in flight at once when the emulator delivers a
// chat's updates concurrently. The handler holds every press until both
// have arrived: with one delivery per chat the second never comes.
func TestWebhookDoubleTap(t *testing.T) {
	e, url, c, ctx := startClient(t, Options{Limits: offLimits(), WebhookConcurrentPerChat: true})
	arrived := make(chan string, 2)
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tg.Update
		if err := json.UnmarshalRead(r.Body, &u); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		if u.CallbackQuery != nil {
			arrived <- u.CallbackQuery.Data
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer hook.Close()
	defer close(release)
	if _, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	kb := &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{{
		{Text: "Buy", CallbackData: "buy"}, {Text: "Buy too", CallbackData: "buy-too"},
	}}}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "Coffee", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetWebhook(ctx, tg.SetWebhookParams{URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"buy", "buy-too"} {
		body := `{"token":"` + testToken + `","from":{"id":1001,"first_name":"Ann"},"chat_id":1001,"message_id":` +
			strconv.FormatInt(m.MessageID, 10) + `,"data":"` + data + `"}`
		do(t, "POST", url+"/control/callbacks", body, 200, nil)
	}
	got := map[string]bool{}
	for range 2 {
		select {
		case d := <-arrived:
			got[d] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("presses in flight together at the webhook: %v, want both", got)
		}
	}
	if !got["buy"] || !got["buy-too"] {
		t.Fatalf("presses at the webhook: %v", got)
	}
}

// TestWebhookDefaultMaxConnections: without max_connections a webhook
// gets at most 40 deliveries at once, as on Telegram.
func TestWebhookDefaultMaxConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, c, hits := startHooked(t, Options{Limits: offLimits()}, tg.SetWebhookParams{})
		info, err := c.GetWebhookInfo(t.Context())
		if err != nil || info.MaxConnections != 40 {
			t.Fatalf("getWebhookInfo = %+v, %v; want max_connections 40", info, err)
		}
		for id := int64(1); id <= 41; id++ { // 41 chats
			if _, err := e.SendMessage(t.Context(), UserMessage{Token: testToken, From: tg.User{ID: 5000 + id, FirstName: "U"}, Text: "hi"}); err != nil {
				t.Fatal(err)
			}
		}
		var held []hookHit
		for range 40 {
			held = append(held, nextHit(t, hits))
		}
		noHit(t, hits)
		held[0].reply <- hookReply{status: 200}
		last := nextHit(t, hits)
		last.reply <- hookReply{status: 200}
		for _, h := range held[1:] {
			h.reply <- hookReply{status: 200}
		}
	})
}
