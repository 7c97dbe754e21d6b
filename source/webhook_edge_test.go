package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
)

// TestWebhookContextEndedNeverAnswers200: when the request's context ends
// before the update was handled (the sender gave up, or a middleware put a
// deadline on the request while the sender still waits), the webhook must
// not leave net/http to send its default 200, which Telegram would take
// as confirmation of an update nobody handled. It answers 503.
func TestWebhookContextEndedNeverAnswers200(t *testing.T) {
	cases := []struct {
		name string
		mode WebhookMode
		sink func() (Sink, func(t *testing.T))
	}{
		{"inline, waiting for the ack", Inline, func() (Sink, func(*testing.T)) {
			s := newHoldSink()
			return s, func(t *testing.T) { s.next(t) }
		}},
		{"inline, waiting for room", Inline, func() (Sink, func(*testing.T)) {
			s := &fullSink{free: make(chan struct{})}
			return s, func(t *testing.T) { waitSubmits(t, s) }
		}},
		{"background, waiting for room", Background, func() (Sink, func(*testing.T)) {
			s := &fullSink{free: make(chan struct{})}
			return s, func(t *testing.T) { waitSubmits(t, s) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink, entered := c.sink()
			h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: c.mode, SubmitTimeout: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := serveAsync(h, hookRequest("POST", "application/json", hookSecret, updateJSON).WithContext(ctx))
			entered(t)
			cancel()
			var w *httptest.ResponseRecorder
			select {
			case w = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ServeHTTP still running after the request context ended")
			}
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
				t.Fatalf("status %d, Retry-After %q; want 503 and 1 (never the implicit 200)", w.Code, w.Header().Get("Retry-After"))
			}
		})
	}
}

// waitSubmits waits until the fullSink's Submit has been entered.
func waitSubmits(t *testing.T, s *fullSink) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.submits.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Submit never called")
		}
	}
}

// TestWebhookBodyLimitBoundary: a body of exactly MaxBodyBytes is
// accepted, one byte more is refused with 413 (with and without a
// Content-Length), and leading whitespace before the object is fine.
func TestWebhookBodyLimitBoundary(t *testing.T) {
	body := "  \r\n\t" + updateJSON
	limit := int64(len(body))
	for _, chunked := range []bool{false, true} {
		for _, c := range []struct {
			body   string
			status int
		}{
			{body, 200},
			{body + " ", 413},
		} {
			sink := &countSink{}
			h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, MaxBodyBytes: limit})
			r := hookRequest("POST", "application/json", hookSecret, c.body)
			if chunked {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != c.status {
				t.Fatalf("chunked=%v, %d bytes with limit %d: status %d, want %d", chunked, len(c.body), limit, w.Code, c.status)
			}
			if want := int32(0); c.status == 200 {
				want = 1
				if sink.calls.Load() != want {
					t.Fatalf("sink calls %d, want %d", sink.calls.Load(), want)
				}
			} else if sink.calls.Load() != want {
				t.Fatalf("refused body reached the sink")
			}
		}
	}
}

// TestWebhookBackgroundSinkError: in background mode too, an update the
// sink refuses is answered 503 with Retry-After (never 200: it would be
// lost).
func TestWebhookBackgroundSinkError(t *testing.T) {
	h, logs := quietWebhook(errSink{}, WebhookConfig{SecretToken: hookSecret, Mode: Background, RetryAfter: 3 * time.Second})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
	if w.Code != 503 || w.Header().Get("Retry-After") != "3" {
		t.Fatalf("status %d, Retry-After %q; want 503, 3", w.Code, w.Header().Get("Retry-After"))
	}
	if !strings.Contains(logs.String(), "sink did not accept the update") {
		t.Fatalf("refusal not logged:\n%s", logs)
	}
}

// TestWebhookRejectionsAreNotLoggedWithSecrets: a rejected request's log
// line carries neither the secret that was sent nor the body.
func TestWebhookRejectionsAreNotLoggedWithSecrets(t *testing.T) {
	h, logs := quietWebhook(&countSink{}, WebhookConfig{SecretToken: hookSecret})
	for _, r := range []*http.Request{
		hookRequest("POST", "application/json", "almost-"+hookSecret, updateJSON),
		hookRequest("POST", "application/json", hookSecret, `{"update_id":"not a number, private text"}`),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	out := logs.String()
	if !strings.Contains(out, "webhook request rejected") {
		t.Fatalf("rejections not logged:\n%s", out)
	}
	for _, secret := range []string{hookSecret, "private text"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestNewWebhookNilSinkPanics(t *testing.T) {
	wantPanic(t, "nil Sink", func() { NewWebhook(nil, WebhookConfig{}) })
}

func TestEncodeReplyInvalidMethod(t *testing.T) {
	if b, err := encodeReply(&Reply{Method: "send\xffMessage"}); err == nil {
		t.Fatalf("encodeReply with invalid UTF-8 in the method = %s, want an error", b)
	}
}

// TestWebhookBehindDeadlineMiddleware: over real HTTP, a middleware that
// puts a deadline on the request context ends the wait for a handler that
// never acks; the sender, still connected, must get 503, not 200.
func TestWebhookBehindDeadlineMiddleware(t *testing.T) {
	sink := newHoldSink()
	h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, InlineTimeout: time.Hour})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Millisecond)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	}))
	defer srv.Close()
	req, err := http.NewRequestWithContext(testkit.Context(t), "POST", srv.URL, strings.NewReader(updateJSON))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SecretHeader, hookSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sink.next(t) // it was submitted, and never acked
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: the update was not handled", resp.StatusCode)
	}
}
