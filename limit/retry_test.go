package limit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// faults wraps the emulator: the first `fail` requests of each method in
// `methods` get broken answers made by `how`; every request is counted.
type faults struct {
	next    http.Handler
	methods map[string]int // method → failures left
	how     func(w http.ResponseWriter, r *http.Request)

	mu   sync.Mutex
	seen map[string]int
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	f.mu.Lock()
	f.seen[method]++
	fail := f.methods[method] > 0
	if fail {
		f.methods[method]--
	}
	f.mu.Unlock()
	if fail {
		_, _ = io.Copy(io.Discard, r.Body) // the request was fully written
		f.how(w, r)
		return
	}
	f.next.ServeHTTP(w, r)
}

func (f *faults) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[method]
}

func badGateway(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
}

// resetConn answers with a TCP reset.
func resetConn(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func fastRetry() RetryConfig {
	return RetryConfig{BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxAttempts: 4}
}

// retryEnv serves the emulator (limits off) behind faults, with a client
// whose chain is Retry → HTTP.
func retryEnv(t *testing.T, how func(http.ResponseWriter, *http.Request), fail map[string]int, opts ...tg.Option) (*tg.Client, *faults, *emulator.Emulator) {
	t.Helper()
	emu := emulator.New(emulator.Options{Limits: &emulator.Limits{}})
	f := &faults{next: emu.Handler(), methods: fail, how: how, seen: make(map[string]int)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() })
	opts = append([]tg.Option{tg.WithBaseURL(srv.URL), tg.WithMiddleware(Retry(fastRetry()))}, opts...)
	bot, err := tg.New(testToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: testToken, From: tg.User{ID: 1, FirstName: "A"}, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	return bot, f, emu
}

func botMessages(t *testing.T, emu *emulator.Emulator) int {
	t.Helper()
	tr, err := emu.Transcript(testToken, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range tr {
		if m.Sender == "bot" {
			n++
		}
	}
	return n
}

// A 502 may come after Telegram executed the call: getMe is repeated,
// sendMessage is not.
func TestRetryBadGateway(t *testing.T) {
	bot, f, emu := retryEnv(t, badGateway, map[string]int{"getMe": 2, "sendMessage": 1})
	ctx := testkit.Context(t)
	if _, err := bot.GetMe(ctx); err != nil {
		t.Fatalf("getMe: %v", err)
	}
	if n := f.count("getMe"); n != 3 {
		t.Fatalf("getMe requests = %d, want 3", n)
	}
	_, err := bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "once"})
	if !tg.IsCode(err, http.StatusBadGateway) {
		t.Fatalf("sendMessage: %v, want the 502", err)
	}
	if n := f.count("sendMessage"); n != 1 {
		t.Fatalf("sendMessage requests = %d, want 1", n)
	}
	if n := botMessages(t, emu); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}

// A reset after the request was written: the same split.
func TestRetryConnectionReset(t *testing.T) {
	bot, f, emu := retryEnv(t, resetConn, map[string]int{"getMe": 1, "sendMessage": 1})
	ctx := testkit.Context(t)
	if _, err := bot.GetMe(ctx); err != nil {
		t.Fatalf("getMe: %v", err)
	}
	if n := f.count("getMe"); n != 2 {
		t.Fatalf("getMe requests = %d, want 2", n)
	}
	_, err := bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "once"})
	if _, ok := errors.AsType[*tg.NetworkError](err); !ok {
		t.Fatalf("sendMessage: %v, want a network error", err)
	}
	if n := f.count("sendMessage"); n != 1 || botMessages(t, emu) != 0 {
		t.Fatalf("sendMessage requests = %d, want 1, and no message", n)
	}
}

// refusingFirstDial returns an HTTP client whose first dial goes to a
// closed port on 127.0.0.1 (connection refused) and the others to their
// real address.
func refusingFirstDial(t *testing.T) *http.Client {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	var once sync.Once
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		once.Do(func() { addr = closed })
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// A refused connection never carried the request: even a send is
// repeated, and the message arrives once.
func TestRetryConnectionRefused(t *testing.T) {
	bot, f, emu := retryEnv(t, nil, nil, tg.WithHTTPClient(refusingFirstDial(t)))
	if _, err := bot.SendMessage(testkit.Context(t), tg.SendMessageParams{ChatID: tg.ID(1), Text: "once"}); err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	if n := f.count("sendMessage"); n != 1 || botMessages(t, emu) != 1 {
		t.Fatalf("sendMessage requests = %d and %d messages, want 1 and 1", n, botMessages(t, emu))
	}
}

// nonSeeker hides a reader's Seek.
type nonSeeker struct{ io.Reader }

// An upload from a reader that cannot be rewound is never repeated; a
// seekable one is.
func TestRetryUploads(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0dIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	for _, tt := range []struct {
		name     string
		r        io.Reader
		requests int
	}{
		{"seekable", bytes.NewReader(png), 1},
		{"one-shot", nonSeeker{bytes.NewReader(png)}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bot, f, _ := retryEnv(t, nil, nil, tg.WithHTTPClient(refusingFirstDial(t)))
			_, err := bot.SendDocument(testkit.Context(t), tg.SendDocumentParams{ChatID: tg.ID(1), Document: tg.FileUpload("a.png", tt.r)})
			if got := f.count("sendDocument"); got != tt.requests {
				t.Fatalf("requests = %d (err %v), want %d", got, err, tt.requests)
			}
			if (err == nil) != (tt.requests == 1) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// Attempts and elapsed time are bounded; 4xx and 429 are not retried.
func TestRetryBounds(t *testing.T) {
	bot, f, _ := retryEnv(t, badGateway, map[string]int{"getMe": 100})
	if _, err := bot.GetMe(testkit.Context(t)); !tg.IsCode(err, http.StatusBadGateway) {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("getMe"); n != 4 {
		t.Fatalf("getMe requests = %d, want MaxAttempts = 4", n)
	}

	// The rest runs on a synctest bubble's clock: the back-offs are exact.
	synctest.Test(t, func(t *testing.T) {
		var calls int
		fail := func(err error) tg.Caller {
			calls = 0
			return tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return err })
		}
		cfg := RetryConfig{BaseDelay: 10 * time.Millisecond, MaxElapsed: 25 * time.Millisecond}
		err502 := &tg.Error{Code: 502}
		_ = Retry(cfg)(fail(err502)).Call(context.Background(), "getMe", nil, nil)
		if calls < 2 || calls > 3 {
			t.Fatalf("MaxElapsed 25ms with 10ms steps: %d calls", calls)
		}
		for _, err := range []error{&tg.Error{Code: 400}, &tg.Error{Code: 429, RetryAfter: time.Millisecond}, errors.New("encoding")} {
			_ = Retry(fastRetry())(fail(err)).Call(context.Background(), "getMe", nil, nil)
			if calls != 1 {
				t.Fatalf("%v: %d calls, want 1", err, calls)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = Retry(fastRetry())(fail(&tg.NetworkError{Method: "getMe", Err: context.Canceled})).Call(ctx, "getMe", nil, nil)
		if calls != 1 {
			t.Fatalf("cancelled: %d calls", calls)
		}
	})
}

// The back-off doubles from BaseDelay up to MaxDelay, each wait drawn
// between half of its step and all of it, and is at least a Retry-After.
func TestBackoff(t *testing.T) {
	c := RetryConfig{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	c.setDefaults()
	for i, step := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		step *= time.Millisecond
		lo, hi := step, time.Duration(0)
		for range 1000 {
			d := c.backoff(i+1, nil)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < step/2 || hi > step {
			t.Fatalf("attempt %d: waits in [%v, %v], want within [%v, %v]", i+1, lo, hi, step/2, step)
		}
		if hi-lo < step/4 { // 1000 uniform draws spread over most of the range
			t.Fatalf("attempt %d: waits in [%v, %v]: no jitter", i+1, lo, hi)
		}
	}
	if d := c.backoff(1, &tg.Error{Code: 503, RetryAfter: 3 * time.Second}); d != 3*time.Second {
		t.Fatalf("Retry-After ignored: %v", d)
	}
}

func TestClassify(t *testing.T) {
	refused := &tg.NetworkError{Err: &net.OpError{Op: "dial", Err: errors.New("connect: connection refused")}}
	reset := &tg.NetworkError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	for _, tt := range []struct {
		err  error
		want failure
	}{
		{refused, notSent},
		{&tg.NetworkError{Err: &net.DNSError{Err: "no such host"}}, notSent},
		{reset, maybeDone},
		{&tg.NetworkError{Err: io.ErrUnexpectedEOF}, maybeDone},
		{&tg.Error{Code: 500}, maybeDone},
		{&tg.Error{Code: 403}, permanent},
		{&tg.Error{Code: 429}, permanent},
		{errors.New("x"), permanent},
	} {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	for m, want := range map[string]bool{"getMe": true, "setMyCommands": true, "deleteWebhook": true, "sendMessage": false, "editMessageText": false, "deleteMessage": false, "answerCallbackQuery": false, "createChatInviteLink": false} {
		if IsIdempotent(m) != want {
			t.Errorf("IsIdempotent(%s) = %v", m, !want)
		}
	}
}

// Retry repeats per failure kind as docs/LIMITS.md says, reports each
// repetition to OnRetry, and stops at MaxElapsed on its clock.
func TestRetryPerFailureKind(t *testing.T) {
	refused := &tg.NetworkError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	reset := &tg.NetworkError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	for _, tt := range []struct {
		name   string
		method string
		err    error
		calls  int
	}{
		{"not sent, send", "sendMessage", refused, 4},
		{"not sent, DNS", "sendMessage", &tg.NetworkError{Err: &net.DNSError{Err: "no such host"}}, 4},
		{"reset, send", "sendMessage", reset, 1},
		{"reset, getter", "getChat", reset, 4},
		{"5xx, send", "sendMessage", &tg.Error{Code: 502}, 1},
		{"5xx, setter", "setMyCommands", &tg.Error{Code: 500}, 4},
		{"5xx, deleteWebhook", "deleteWebhook", &tg.Error{Code: 503}, 4},
		{"5xx, deleteMessage", "deleteMessage", &tg.Error{Code: 503}, 1},
		{"429", "getChat", &tg.Error{Code: 429, RetryAfter: time.Second}, 1},
		{"4xx", "getChat", &tg.Error{Code: 400}, 1},
		{"bad arguments", "getChat", errors.New("tg: getChat: encoding"), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls int
				var retries []int
				cfg := RetryConfig{OnRetry: func(method string, attempt int, err error) {
					if method != tt.method || !errors.Is(err, tt.err) {
						t.Errorf("OnRetry(%s, %d, %v)", method, attempt, err)
					}
					retries = append(retries, attempt)
				}}
				c := Retry(cfg)(tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return tt.err }))
				err := c.Call(context.Background(), tt.method, nil, nil) // the bubble's time runs through the back-offs
				if !errors.Is(err, tt.err) || calls != tt.calls {
					t.Fatalf("err %v after %d calls, want %d", err, calls, tt.calls)
				}
				if len(retries) != tt.calls-1 || (len(retries) > 0 && retries[0] != 2) {
					t.Fatalf("OnRetry attempts %v for %d calls", retries, calls)
				}
			})
		})
	}
}

// MaxElapsed stops the attempts whose back-off would end past it; a
// context deadline does the same without waiting for it.
func TestRetryElapsedAndDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls int
		fail := tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return &tg.Error{Code: 502} })
		// Waits of 50–100 ms, then 100–200 ms: the second attempt starts
		// within 140 ms of the first failure, a third never would.
		cfg := RetryConfig{BaseDelay: 100 * time.Millisecond, MaxElapsed: 140 * time.Millisecond, MaxAttempts: 10}
		start := time.Now()
		_ = Retry(cfg)(fail).Call(context.Background(), "getMe", nil, nil)
		if took := time.Since(start); calls != 2 || took < 50*time.Millisecond || took > 100*time.Millisecond {
			t.Fatalf("%d calls in %v, want 2 in 50–100 ms (the third would start after 150 ms > 140 ms)", calls, took)
		}

		calls = 0
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cfg = RetryConfig{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 2 * time.Hour}
		err := Retry(cfg)(fail).Call(ctx, "getMe", nil, nil)
		if calls != 1 || !tg.IsCode(err, 502) {
			t.Fatalf("err %v after %d calls, want the 502 after 1 (the back-off ends past the deadline)", err, calls)
		}
	})
}

// A one-shot upload nested in a slice (an album's media) or a map is
// never repeated; a seekable one in the same place is.
func TestRetryNestedOneShotUpload(t *testing.T) {
	refused := &tg.NetworkError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	media := func(r io.Reader) []tg.InputMedia {
		return []tg.InputMedia{
			&tg.InputMediaPhoto{Media: tg.FileID("AAA")},
			&tg.InputMediaPhoto{Media: tg.FileUpload("b.jpg", r)},
		}
	}
	for _, tt := range []struct {
		name   string
		params any
		calls  int
	}{
		{"album, one-shot", &tg.SendMediaGroupParams{ChatID: tg.ID(1), Media: media(nonSeeker{strings.NewReader("x")})}, 1},
		{"album, seekable", &tg.SendMediaGroupParams{ChatID: tg.ID(1), Media: media(bytes.NewReader([]byte("x")))}, 2},
		{"map, one-shot", map[string]any{"chat_id": 1, "photo": tg.FileUpload("a.jpg", nonSeeker{strings.NewReader("x")})}, 1},
		{"map, file id", map[string]any{"chat_id": 1, "photo": tg.FileID("AAA")}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := 0
				c := Retry(RetryConfig{})(tg.CallerFunc(func(context.Context, string, any, any) error {
					calls++
					if calls == 1 {
						return refused
					}
					return nil
				}))
				_ = c.Call(context.Background(), "sendMediaGroup", tt.params, nil)
				if calls != tt.calls {
					t.Fatalf("%d calls, want %d", calls, tt.calls)
				}
			})
		})
	}
}

// A context that ends during the back-off ends the retries: the error
// carries both the last failure and the context's error.
func TestRetryCancelledDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		c := Retry(RetryConfig{OnRetry: func(string, int, error) { cancel() }})(
			tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return &tg.Error{Code: 500} }))
		start := time.Now()
		err := c.Call(ctx, "getMe", nil, nil)
		if calls != 1 || !tg.IsCode(err, 500) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v after %d calls, want the 500 joined with context.Canceled after 1", err, calls)
		}
		if waited := time.Since(start); waited != 0 { // only the cancel ended the wait
			t.Fatalf("the back-off ran %v before the cancel ended it", waited)
		}
		if classify(nil) != permanent {
			t.Fatal("classify(nil) is not permanent")
		}
	})
}
