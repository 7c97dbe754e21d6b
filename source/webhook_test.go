package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

const hookSecret = "s3cr3t_T0ken-x"

const updateJSON = `{"update_id":77,"message":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"},"text":"hi"}}`

// countSink counts calls and acks at once, with an optional reply.
type countSink struct {
	calls atomic.Int32
	reply *Reply
}

func (s *countSink) Submit(_ context.Context, _ *tg.Update, ack Ack) error {
	s.calls.Add(1)
	ack(s.reply, nil)
	return nil
}

func (s *countSink) TrySubmit(u *tg.Update, ack Ack) error {
	return s.Submit(context.Background(), u, ack)
}

func hookRequest(method, contentType, secret, body string) *http.Request {
	r := httptest.NewRequest(method, "/hook", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if secret != "" {
		r.Header.Set(SecretHeader, secret)
	}
	return r
}

func quietWebhook(sink Sink, cfg WebhookConfig) (*Webhook, *logBuffer) {
	log, buf := newTestLogger()
	cfg.Logger = log
	return NewWebhook(sink, cfg), buf
}

// TestWebhookRejects: every malformed or unauthorized request is refused
// with its status, and the sink never sees it.
func TestWebhookRejects(t *testing.T) {
	big := `{"update_id":1,"message":{"text":"` + strings.Repeat("x", 1<<20) + `"}}`
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"GET", func() *http.Request { return hookRequest("GET", "application/json", hookSecret, "") }, 405},
		{"PUT", func() *http.Request { return hookRequest("PUT", "application/json", hookSecret, updateJSON) }, 405},
		{"missing secret", func() *http.Request { return hookRequest("POST", "application/json", "", updateJSON) }, 401},
		{"wrong secret", func() *http.Request { return hookRequest("POST", "application/json", "wrong", updateJSON) }, 401},
		{"wrong secret, same length", func() *http.Request {
			return hookRequest("POST", "application/json", strings.ToUpper(hookSecret), updateJSON)
		}, 401},
		{"secret prefix", func() *http.Request { return hookRequest("POST", "application/json", hookSecret[:5], updateJSON) }, 401},
		{"text/plain", func() *http.Request { return hookRequest("POST", "text/plain", hookSecret, updateJSON) }, 415},
		{"no content type", func() *http.Request { return hookRequest("POST", "", hookSecret, updateJSON) }, 415},
		{"latin1 charset", func() *http.Request {
			return hookRequest("POST", "application/json; charset=iso-8859-1", hookSecret, updateJSON)
		}, 415},
		{"form", func() *http.Request {
			return hookRequest("POST", "application/x-www-form-urlencoded", hookSecret, "update_id=1")
		}, 415},
		{"too large", func() *http.Request { return hookRequest("POST", "application/json", hookSecret, big) }, 413},
		{"too large, unknown length", func() *http.Request {
			r := hookRequest("POST", "application/json", hookSecret, big)
			r.ContentLength = -1
			return r
		}, 413},
		{"malformed", func() *http.Request { return hookRequest("POST", "application/json", hookSecret, `{"update_id":`) }, 400},
		{"empty", func() *http.Request { return hookRequest("POST", "application/json", hookSecret, ``) }, 400},
		{"array", func() *http.Request { return hookRequest("POST", "application/json", hookSecret, `[`+updateJSON+`]`) }, 400},
		{"null", func() *http.Request { return hookRequest("POST", "application/json", hookSecret, `null`) }, 400},
		{"trailing data", func() *http.Request {
			return hookRequest("POST", "application/json", hookSecret, updateJSON+`{}`)
		}, 400},
		{"wrong type", func() *http.Request {
			return hookRequest("POST", "application/json", hookSecret, `{"update_id":"seven"}`)
		}, 400},
	}
	for _, mode := range []WebhookMode{Inline, Background} {
		for _, c := range cases {
			t.Run(mode.String()+"/"+c.name, func(t *testing.T) {
				sink := &countSink{}
				h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: mode})
				w := httptest.NewRecorder()
				h.ServeHTTP(w, c.req())
				if w.Code != c.status {
					t.Fatalf("status %d, want %d (%s)", w.Code, c.status, w.Body)
				}
				if n := sink.calls.Load(); n != 0 {
					t.Fatalf("sink called %d times", n)
				}
				if c.status == 405 && w.Header().Get("Allow") != "POST" {
					t.Fatalf("Allow = %q, want POST", w.Header().Get("Allow"))
				}
			})
		}
	}
}

// TestWebhookAccepts: a valid request reaches the sink once, whatever the
// charset spelling, and without a configured secret no header is needed.
func TestWebhookAccepts(t *testing.T) {
	for _, c := range []struct{ ct, secret, cfgSecret string }{
		{"application/json", hookSecret, hookSecret},
		{"application/json; charset=utf-8", hookSecret, hookSecret},
		{"Application/JSON; charset=UTF-8", hookSecret, hookSecret},
		{"application/json", "", ""},
		{"application/json", "anything", ""},
	} {
		sink := &countSink{}
		h, logs := quietWebhook(sink, WebhookConfig{SecretToken: c.cfgSecret})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hookRequest("POST", c.ct, c.secret, updateJSON))
		if w.Code != 200 || sink.calls.Load() != 1 {
			t.Fatalf("%+v: status %d, sink calls %d", c, w.Code, sink.calls.Load())
		}
		if w.Body.Len() != 0 {
			t.Fatalf("%+v: body %q, want empty", c, w.Body)
		}
		if warned := strings.Contains(logs.String(), "without a secret token"); warned != (c.cfgSecret == "") {
			t.Fatalf("%+v: missing-secret warning = %v", c, warned)
		}
	}
}

// holdSink keeps each ack for the test to call.
type holdSink struct{ got chan submitted }

func newHoldSink() *holdSink { return &holdSink{got: make(chan submitted, 100)} }

func (s *holdSink) Submit(_ context.Context, u *tg.Update, ack Ack) error {
	s.got <- submitted{u, ack}
	return nil
}

func (s *holdSink) TrySubmit(u *tg.Update, ack Ack) error {
	return s.Submit(context.Background(), u, ack)
}

func (s *holdSink) next(t *testing.T) submitted {
	t.Helper()
	select {
	case x := <-s.got:
		return x
	case <-time.After(10 * time.Second):
		t.Fatal("nothing submitted")
		return submitted{}
	}
}

// serveAsync runs h.ServeHTTP in a goroutine; the channel yields the
// recorder when it returns.
func serveAsync(h http.Handler, r *http.Request) <-chan *httptest.ResponseRecorder {
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		done <- w
	}()
	return done
}

// TestWebhookInlineWaitsForAck: inline mode answers only after the Ack
// and returns its Reply as {"method": ..., params...}.
func TestWebhookInlineWaitsForAck(t *testing.T) {
	sink := newHoldSink()
	h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret})
	done := serveAsync(h, hookRequest("POST", "application/json", hookSecret, updateJSON))
	x := sink.next(t)
	if x.u.UpdateID != 77 || x.u.Message.Text != "hi" || x.u.Message.Chat.ID != 42 {
		t.Fatalf("decoded update %+v", x.u)
	}
	select {
	case w := <-done:
		t.Fatalf("answered %d before the ack", w.Code)
	case <-time.After(50 * time.Millisecond):
	}
	x.ack(&Reply{Method: "sendMessage", Params: tg.SendMessageParams{ChatID: tg.ID(42), Text: "hello"}}, nil)
	x.ack(nil, nil) // ignored
	w := <-done
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	if fmt.Sprint(body) != "map[chat_id:42 method:sendMessage text:hello]" {
		t.Fatalf("body = %s", w.Body)
	}
}

// TestWebhookInlineNoReply: an Ack without a Reply answers 200 with an
// empty body; an unencodable Reply is logged and dropped.
func TestWebhookInlineNoReply(t *testing.T) {
	for _, rep := range []*Reply{nil, {Method: "sendDocument", Params: tg.SendDocumentParams{
		ChatID: tg.ID(1), Document: tg.FileUpload("a.txt", strings.NewReader("x")),
	}}} {
		sink := &countSink{reply: rep}
		h, logs := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("status %d body %q", w.Code, w.Body)
		}
		if rep != nil && !strings.Contains(logs.String(), "webhook reply dropped") {
			t.Fatalf("dropped reply not logged:\n%s", logs)
		}
	}
}

// TestWebhookInlineTimeout: without an Ack in time, inline mode answers
// 503 so that Telegram delivers the update again; a late Ack is harmless.
func TestWebhookInlineTimeout(t *testing.T) {
	sink := newHoldSink()
	h, logs := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, InlineTimeout: 20 * time.Millisecond})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	sink.next(t).ack(&Reply{Method: "sendMessage"}, nil) // must not block
	if !strings.Contains(logs.String(), "inline timeout") {
		t.Fatalf("timeout not logged:\n%s", logs)
	}
}

// TestWebhookBackground: background mode answers 200 at once, before the
// update is handled, and drops Replies.
func TestWebhookBackground(t *testing.T) {
	sink := newHoldSink()
	h, logs := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: Background})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("status %d body %q", w.Code, w.Body)
	}
	x := sink.next(t) // accepted, not yet acked
	x.ack(&Reply{Method: "sendMessage"}, nil)
	if !strings.Contains(logs.String(), "background mode cannot answer") {
		t.Fatalf("log:\n%s", logs)
	}
}

// fullSink is always full: TrySubmit fails, Submit waits for room that
// comes only if free is closed.
type fullSink struct {
	free     chan struct{}
	submits  atomic.Int32
	accepted atomic.Int32
}

func (s *fullSink) TrySubmit(*tg.Update, Ack) error {
	return fmt.Errorf("scheduler: 1000 queued: %w", ErrFull)
}

func (s *fullSink) Submit(ctx context.Context, _ *tg.Update, ack Ack) error {
	s.submits.Add(1)
	select {
	case <-s.free:
		s.accepted.Add(1)
		ack(nil, nil)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestWebhookFullSink: a sink that stays full gets 503 with Retry-After,
// after SubmitTimeout, or at once when it is negative; room that comes
// within SubmitTimeout is used.
func TestWebhookFullSink(t *testing.T) {
	for _, mode := range []WebhookMode{Inline, Background} {
		sink := &fullSink{free: make(chan struct{})}
		h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: mode, SubmitTimeout: 10 * time.Millisecond, RetryAfter: 1500 * time.Millisecond})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
		if w.Code != 503 || w.Header().Get("Retry-After") != "2" {
			t.Fatalf("%v: status %d Retry-After %q, want 503 2", mode, w.Code, w.Header().Get("Retry-After"))
		}
		if sink.submits.Load() != 1 {
			t.Fatalf("%v: Submit calls %d, want 1", mode, sink.submits.Load())
		}

		sink = &fullSink{free: make(chan struct{})}
		h, _ = quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: mode, SubmitTimeout: -1})
		w = httptest.NewRecorder()
		h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
		if w.Code != 503 || sink.submits.Load() != 0 {
			t.Fatalf("%v no wait: status %d, Submit calls %d", mode, w.Code, sink.submits.Load())
		}

		sink = &fullSink{free: make(chan struct{})}
		close(sink.free) // room appears while waiting
		h, _ = quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, Mode: mode, SubmitTimeout: 10 * time.Second})
		w = httptest.NewRecorder()
		h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
		if w.Code != 200 || sink.accepted.Load() != 1 {
			t.Fatalf("%v with room: status %d accepted %d", mode, w.Code, sink.accepted.Load())
		}
	}
}

// TestWebhookRequestCancelled: when the sender gives up (request context
// cancelled) while waiting for room or for the Ack, ServeHTTP returns at
// once, and a later Ack neither blocks nor panics.
func TestWebhookRequestCancelled(t *testing.T) {
	t.Run("waiting for the ack", func(t *testing.T) {
		sink := newHoldSink()
		h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret})
		ctx, cancel := context.WithCancel(context.Background())
		done := serveAsync(h, hookRequest("POST", "application/json", hookSecret, updateJSON).WithContext(ctx))
		x := sink.next(t)
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("ServeHTTP still waiting after the request was cancelled")
		}
		x.ack(&Reply{Method: "sendMessage"}, nil)
	})
	t.Run("waiting for room", func(t *testing.T) {
		sink := &fullSink{free: make(chan struct{})}
		h, _ := quietWebhook(sink, WebhookConfig{SecretToken: hookSecret, SubmitTimeout: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := serveAsync(h, hookRequest("POST", "application/json", hookSecret, updateJSON).WithContext(ctx))
		for sink.submits.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("ServeHTTP still waiting after the request was cancelled")
		}
	})
}

func TestEncodeReply(t *testing.T) {
	cases := []struct {
		rep  Reply
		want string
		err  bool
	}{
		{Reply{Method: "getMe"}, `{"method":"getMe"}`, false},
		{Reply{Method: "sendMessage", Params: map[string]any{"chat_id": 1, "text": "a\"b"}}, `{"method":"sendMessage","chat_id":1,"text":"a\"b"}`, false},
		{Reply{Method: "answerCallbackQuery", Params: tg.AnswerCallbackQueryParams{CallbackQueryID: "q"}}, `{"method":"answerCallbackQuery","callback_query_id":"q"}`, false},
		{Reply{Method: "x", Params: (*tg.SendMessageParams)(nil)}, `{"method":"x"}`, false},
		{Reply{Method: "x", Params: struct{}{}}, `{"method":"x"}`, false},
		{Reply{Method: "", Params: nil}, "", true},
		{Reply{Method: "x", Params: []int{1}}, "", true},
		{Reply{Method: "x", Params: 5}, "", true},
	}
	for _, c := range cases {
		got, err := encodeReply(&c.rep)
		if (err != nil) != c.err || string(got) != c.want {
			t.Errorf("encodeReply(%+v) = %s, %v; want %s, err %v", c.rep, got, err, c.want, c.err)
		}
	}
}

// errSink fails every submission with a non-full error.
type errSink struct{}

func (errSink) Submit(context.Context, *tg.Update, Ack) error { return errors.New("closed") }
func (errSink) TrySubmit(*tg.Update, Ack) error               { return errors.New("closed") }

func TestWebhookSinkError(t *testing.T) {
	h, _ := quietWebhook(errSink{}, WebhookConfig{SecretToken: hookSecret})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookRequest("POST", "application/json", hookSecret, updateJSON))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestWebhookModeString(t *testing.T) {
	if Inline.String() != "inline" || Background.String() != "background" || WebhookMode(9).String() != "WebhookMode(9)" {
		t.Fatal(Inline.String(), Background.String(), WebhookMode(9).String())
	}
}

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
