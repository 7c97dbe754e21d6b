package herald_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/journal"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// TestJournalInProcess runs a bot with a memory journal against the
// emulator: every message is answered in order per chat, the journal ends
// empty, and a chat whose handler blocks delays no other chat.
func TestJournalInProcess(t *testing.T) {
	j := memory.NewJournal(4)
	w := newWorld(t)
	token := "555002:journal"
	b := w.newBot(t, token, herald.WithJournal(j, herald.JournalConfig{}))
	release := make(chan struct{})
	var once sync.Once
	b.Router().Command("block", func(c *herald.Context) error {
		<-release
		_, err := c.Reply("unblocked")
		return err
	})
	b.Router().Message(func(c *herald.Context) error {
		_, err := c.Reply("echo " + c.Message().Text)
		return err
	})
	stop := emutest.Run(t, b)
	defer once.Do(func() { close(release) })

	blocked := w.Chat(t, token, user(81))
	first := blocked.Send("/block")
	blocked.Send("after block")
	for i := range 3 {
		chat := w.Chat(t, token, user(int64(90+i)))
		for k := range 5 {
			chat.SendWait(fmt.Sprintf("m%d", k), fmt.Sprintf("echo m%d", k))
		}
	}
	once.Do(func() { close(release) })
	un := blocked.WaitBot(first.MessageID, "unblocked")
	if after := blocked.WaitBot(first.MessageID, "echo after block"); after.MessageID < un.MessageID {
		t.Fatal("the blocked chat's second message was answered before its first")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, _ := j.Len(context.Background())
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("journal still holds %d entries", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

type traceKey struct{}

// TestJournalCarriesMeta: what JournalConfig.Inject adds on the receiving
// side reaches the handler's context through Extract, with the receive
// time, as a trace context would travel from receiver to worker.
func TestJournalCarriesMeta(t *testing.T) {
	j := memory.NewJournal(2)
	w := newWorld(t)
	token := "555003:journal-meta"
	b := w.newBot(t, token, herald.WithJournal(j, herald.JournalConfig{
		Inject: func(_ context.Context, u *tg.Update, meta map[string]string) {
			meta["trace"] = fmt.Sprintf("trace-%d", u.UpdateID)
		},
		Extract: func(ctx context.Context, meta map[string]string) context.Context {
			return context.WithValue(ctx, traceKey{}, meta["trace"]+"@"+meta[journal.MetaReceived])
		},
	}))
	b.Router().Message(func(c *herald.Context) error {
		v, _ := c.Value(traceKey{}).(string)
		want := fmt.Sprintf("trace-%d@", c.Update.UpdateID)
		if len(v) <= len(want) || v[:len(want)] != want {
			_, err := c.Reply("no trace: " + v)
			return err
		}
		_, err := c.Reply("traced")
		return err
	})
	emutest.Run(t, b)
	w.Chat(t, token, user(83)).SendWait("hello", "traced")
}

// TestJournalWebhookBackpressure: a receiver-only webhook answers 200 as
// soon as an update is in the journal, skips copies, and answers 503 with
// Retry-After once the journal holds MaxLength entries, so Telegram keeps
// the rest until workers catch up (copies too: a full journal cannot
// tell them apart without asking).
func TestJournalWebhookBackpressure(t *testing.T) {
	j := memory.NewJournal(2)
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "s3cret"
	b := w.newBot(t, "555004:journal-hook",
		herald.WithJournal(j, herald.JournalConfig{MaxLength: 2}),
		herald.WithRole(herald.RoleReceiver),
		herald.WithWebhook(herald.WebhookConfig{Listener: ln, SecretToken: secret, SubmitTimeout: -1}))
	b.Router().Message(func(c *herald.Context) error { return nil })
	emutest.Run(t, b)
	post := func(id int64) *http.Response {
		t.Helper()
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":7,"type":"private"},"text":"hi"}}`, id, id)
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(source.SecretHeader, secret)
		for range 50 {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				return resp
			}
			time.Sleep(20 * time.Millisecond) // the server is starting
			req.Body = io.NopCloser(strings.NewReader(body))
		}
		t.Fatal("webhook unreachable")
		return nil
	}
	for _, id := range []int64{1, 1, 2} { // the copy of 1 is skipped at insertion
		if resp := post(id); resp.StatusCode != http.StatusOK {
			t.Fatalf("update %d: %d, want 200", id, resp.StatusCode)
		}
	}
	resp := post(3)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("update 3 to a full journal: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n, _ := j.Len(context.Background()); n != 2 {
		t.Fatalf("journal holds %d entries, want 2 (the copy of update 1 skipped, update 3 refused)", n)
	}
}
