package herald_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// statusCounter counts the webhook's answers by status.
type statusCounter struct {
	mu    sync.Mutex
	codes map[int]int
}

type recordStatus struct {
	http.ResponseWriter
	code int
}

func (r *recordStatus) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

func (s *statusCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rs := &recordStatus{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rs, req)
		s.mu.Lock()
		s.codes[rs.code]++
		s.mu.Unlock()
	})
}

func (s *statusCounter) count(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codes[code]
}

// TestWebhookServerExtras: the bot's webhook server serves the handlers
// of WithHTTPHandler and passes the webhook's requests, and only those,
// through WithWebhookMiddleware.
func TestWebhookServerExtras(t *testing.T) {
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	counter := &statusCounter{codes: map[int]int{}}
	const token = "7404:extras"
	b := w.newBot(t, token,
		herald.WithWebhook(herald.WebhookConfig{URL: base + "/hook", Listener: ln, Path: "/hook"}),
		herald.WithHTTPHandler("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "metrics here") })),
		herald.WithWebhookMiddleware(counter.wrap))
	b.Router().Command("start", func(c *herald.Context) error { _, err := c.Reply("hi"); return err })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	emutest.Until(t, 10*time.Second, "GET /metrics to answer", func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK && string(body) == "metrics here"
	})
	// Without the secret token: 401, seen by the middleware.
	resp, err := http.Post(base+"/hook", "application/json", strings.NewReader(`{"update_id":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || counter.count(http.StatusUnauthorized) != 1 {
		t.Fatalf("POST without the secret: %d, middleware saw %v; want 401 counted once", resp.StatusCode, counter.codes)
	}
	// A delivery from the emulator: 200, counted; the probes are not.
	if _, err := w.Emu.SendMessage(t.Context(), emulator.UserMessage{Token: token, From: tg.User{ID: 44, FirstName: "Cy"}, Text: "/start"}); err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 10*time.Second, "the delivery to be counted", func() bool { return counter.count(http.StatusOK) == 1 })
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
	}
	if n := counter.count(http.StatusOK); n != 1 {
		t.Errorf("middleware counted %d 200s, want 1 (the delivery; probes are not the webhook)", n)
	}
}

// TestWithHTTPHandlerTakenPattern: a route that clashes with a probe is
// an error of Run, not a panic.
func TestWithHTTPHandlerTakenPattern(t *testing.T) {
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := w.newBot(t, "7405:taken",
		herald.WithWebhook(herald.WebhookConfig{URL: "http://" + ln.Addr().String() + "/", Listener: ln}),
		herald.WithHTTPHandler("GET /healthz", http.NotFoundHandler()))
	b.Router().Message(func(*herald.Context) error { return nil })
	err = b.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), `WithHTTPHandler("GET /healthz")`) {
		t.Fatalf("Run = %v, want an error naming the clashing pattern", err)
	}
	if _, err := herald.New("7405:taken", herald.WithHTTPHandler("", nil)); err == nil {
		t.Error("WithHTTPHandler with no pattern and no handler: want an error from New")
	}
}

type greeter struct{}

func (greeter) hello(c *herald.Context) error { return nil }

// TestRouteNames: Context.Route names the router and the command, or the
// handler function.
func TestRouteNames(t *testing.T) {
	b, err := herald.New("7406:routes", herald.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	b.Router().Use(func(c *herald.Context) error {
		err := c.Next()
		got = append(got, c.Route())
		return err
	})
	b.Router().Command("start", func(*herald.Context) error { return nil })
	shop := herald.NewRouter("shop")
	shop.Message(greeter{}.hello)
	b.Router().Include(shop)
	for _, text := range []string{"/start", "hello"} {
		u := &tg.Update{UpdateID: int64(len(got) + 1), Message: &tg.Message{Text: text, Chat: tg.Chat{ID: 5, Type: "private"}, From: &tg.User{ID: 5}}}
		if strings.HasPrefix(text, "/") {
			u.Message.Entities = []tg.MessageEntity{{Type: "bot_command", Offset: 0, Length: int64(len(text))}}
		}
		if err := b.HandleUpdate(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"root//start", "shop/herald_test.greeter.hello"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("routes %q, want %q", got, want)
	}
}
