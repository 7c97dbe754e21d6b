package tg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

type sendMessageTest struct {
	ChatID      ChatID          `json:"chat_id"`
	Text        string          `json:"text"`
	ParseMode   string          `json:"parse_mode,omitzero"`
	ReplyMarkup *keyboardTest   `json:"reply_markup,omitzero"`
	Thread      int64           `json:"message_thread_id,omitzero"`
	Extra       map[string]bool `json:"extra,omitzero"`
}

type keyboardTest struct {
	InlineKeyboard [][]buttonTest `json:"inline_keyboard"`
}

type buttonTest struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type messageTest struct {
	MessageID int64  `json:"message_id"`
	Text      string `json:"text"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

func TestCallSendsJSON(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method = %s", r.Method)
		}
		if want := "/bot" + testToken + "/sendMessage"; r.URL.Path != want {
			t.Errorf("path = %q, want %q", r.URL.Path, want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		body, _ := io.ReadAll(r.Body)
		want := `{"chat_id":"@herald","text":"héllo \u003c","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`
		var got, exp any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("body %s: %v", body, err)
		}
		_ = json.Unmarshal([]byte(want), &exp)
		if fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("body = %s\nwant   %s", body, want)
		}
		if strings.Contains(string(body), "parse_mode") || strings.Contains(string(body), "message_thread_id") {
			t.Errorf("omitzero fields were sent: %s", body)
		}
		writeJSON(w, 200, `{"ok":true,"result":{"message_id":17,"text":"héllo <","chat":{"id":-100123},"unknown":[1,2,{"x":null}]}}`)
	})
	var m messageTest
	err := c.Call(context.Background(), "sendMessage", &sendMessageTest{
		ChatID:      Username("herald"),
		Text:        "héllo <",
		ReplyMarkup: &keyboardTest{InlineKeyboard: [][]buttonTest{{{Text: "A", CallbackData: "a"}}}},
	}, &m)
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != 17 || m.Text != "héllo <" || m.Chat.ID != -100123 {
		t.Errorf("result = %+v", m)
	}
}

func TestCallResultShapes(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch path := r.URL.Path; {
		case strings.HasSuffix(path, "/bool"):
			writeJSON(w, 200, `{"result":true,"ok":true}`) // result before ok
		case strings.HasSuffix(path, "/list"):
			writeJSON(w, 200, `{"ok":true,"result":[{"message_id":1},{"message_id":2}]}`)
		case strings.HasSuffix(path, "/wrong"):
			writeJSON(w, 200, `{"ok":true,"result":"not an object"}`)
		case strings.HasSuffix(path, "/noOK"):
			writeJSON(w, 200, `{"result":1}`)
		case strings.HasSuffix(path, "/empty"):
			writeJSON(w, 200, ``)
		case strings.HasSuffix(path, "/nilParams"):
			body, _ := io.ReadAll(r.Body)
			if string(body) != "{}" || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("nil params sent %q (%s)", body, r.Header.Get("Content-Type"))
			}
			writeJSON(w, 200, `{"ok":true,"result":{"big":[1,2,3],"s":"x"}}`)
		}
	})
	ctx := context.Background()

	var b bool
	if err := c.Call(ctx, "bool", nil, &b); err != nil || !b {
		t.Errorf("bool: %v %v", b, err)
	}
	var list []messageTest
	if err := c.Call(ctx, "list", nil, &list); err != nil || len(list) != 2 || list[1].MessageID != 2 {
		t.Errorf("list: %+v %v", list, err)
	}
	if err := c.Call(ctx, "nilParams", nil, nil); err != nil {
		t.Errorf("nil result: %v", err)
	}
	var typedNil *sendMessageTest
	if err := c.Call(ctx, "nilParams", typedNil, nil); err != nil {
		t.Errorf("typed nil params: %v", err)
	}

	var m messageTest
	err := c.Call(ctx, "wrong", nil, &m)
	if err == nil || !strings.Contains(err.Error(), "tg: wrong: decoding response") {
		t.Errorf("wrong shape: %v", err)
	}
	if _, ok := errors.AsType[*json.SemanticError](err); !ok {
		t.Errorf("wrong shape should wrap *json.SemanticError: %T", err)
	}
	assertNoToken(t, err)

	err = c.Call(ctx, "noOK", nil, nil)
	if err == nil || !strings.Contains(err.Error(), `no "ok"`) {
		t.Errorf("missing ok: %v", err)
	}
	err = c.Call(ctx, "empty", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "decoding response") {
		t.Errorf("empty body: %v", err)
	}
}

func TestCallRejectsBadArguments(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request must not be sent: %s", r.URL.Path)
	})
	ctx := context.Background()
	for _, m := range []string{"", "send/Message", "../getMe", "get?x=1", "a b"} {
		if err := c.Call(ctx, m, nil, nil); err == nil {
			t.Errorf("method %q accepted", m)
		}
	}
	err := c.Call(ctx, "sendMessage", &sendMessageTest{Text: "no chat"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "tg: sendMessage: encoding params:") || !errors.Is(err, errUnsetChatID) {
		t.Errorf("unset ChatID: %v", err)
	}
	err = c.Call(ctx, "sendMessage", []int{1}, nil)
	if err == nil || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("array params: %v", err)
	}
	err = c.Call(ctx, "sendMessage", map[string]any{"f": func() {}}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "tg: sendMessage: encoding params:") {
		t.Errorf("unencodable params: %v", err)
	}
}

func TestCallErrorShapes(t *testing.T) {
	type want struct {
		code       int
		desc       string
		retryAfter time.Duration
		migrate    int64
		forbidden  bool
		conflict   bool
		unauth     bool
	}
	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   want
		text   string
	}{
		{"400", 400, nil, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`,
			want{code: 400, desc: "Bad Request: chat not found"}, "tg: sendMessage: 400 Bad Request: chat not found"},
		{"401", 401, nil, `{"ok":false,"error_code":401,"description":"Unauthorized"}`,
			want{code: 401, desc: "Unauthorized", unauth: true}, "tg: sendMessage: 401 Unauthorized"},
		{"403", 403, nil, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`,
			want{code: 403, desc: "Forbidden: bot was blocked by the user", forbidden: true}, "tg: sendMessage: 403 Forbidden: bot was blocked by the user"},
		{"404", 404, nil, `{"ok":false,"error_code":404,"description":"Not Found"}`,
			want{code: 404, desc: "Not Found"}, "tg: sendMessage: 404 Not Found"},
		{"409", 409, nil, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}`,
			want{code: 409, desc: "Conflict: terminated by other getUpdates request", conflict: true}, "tg: sendMessage: 409 Conflict: terminated by other getUpdates request"},
		{"429 parameters", 429, map[string]string{"Retry-After": "99"}, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}`,
			want{code: 429, desc: "Too Many Requests: retry after 5", retryAfter: 5 * time.Second}, "tg: sendMessage: 429 Too Many Requests: retry after 5"},
		{"429 header only", 429, map[string]string{"Retry-After": "7"}, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`,
			want{code: 429, desc: "Too Many Requests", retryAfter: 7 * time.Second}, "tg: sendMessage: 429 Too Many Requests"},
		{"migrated", 400, nil, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`,
			want{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrate: -1001234567890}, "tg: sendMessage: 400 Bad Request: group chat was upgraded to a supergroup chat"},
		{"no error_code", 500, nil, `{"ok":false}`,
			want{code: 500}, "tg: sendMessage: 500 Internal Server Error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				writeJSON(w, tc.status, tc.body)
			})
			var m messageTest
			err := c.Call(context.Background(), "sendMessage", &sendMessageTest{ChatID: ID(1), Text: "x"}, &m)
			assertNoToken(t, err)
			e := asError(t, err)
			got := want{code: e.Code, desc: e.Description, retryAfter: e.RetryAfter, migrate: e.MigrateToChatID,
				forbidden: IsForbidden(err), conflict: IsConflict(err), unauth: IsUnauthorized(err)}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if e.Method != "sendMessage" {
				t.Errorf("Method = %q", e.Method)
			}
			if err.Error() != tc.text {
				t.Errorf("Error() = %q, want %q", err.Error(), tc.text)
			}
			if !IsCode(err, tc.want.code) || IsCode(err, tc.want.code+1) {
				t.Errorf("IsCode wrong for %d", tc.want.code)
			}
			ra, ok := IsTooManyRequests(err)
			if ok != (tc.want.code == 429) || ra != tc.want.retryAfter && ok {
				t.Errorf("IsTooManyRequests = %v, %v", ra, ok)
			}
			id, ok := IsMigrated(err)
			if ok != (tc.want.migrate != 0) || id != tc.want.migrate {
				t.Errorf("IsMigrated = %v, %v", id, ok)
			}
			// Helpers see through wrapping.
			wrapped := fmt.Errorf("handler: %w", err)
			if !IsCode(wrapped, tc.want.code) {
				t.Error("IsCode does not unwrap")
			}
		})
	}
}

func TestCallNonJSONProxyError(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusBadGateway)
		// A proxy page that echoes the request path, token included.
		fmt.Fprintf(w, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>upstream failed for %s %s</body></html>%s",
			r.URL.Path, url.PathEscape(r.URL.Path), strings.Repeat(" padding", 500))
	})
	err := c.Call(context.Background(), "sendMessage", &sendMessageTest{ChatID: ID(1), Text: "x"}, nil)
	assertNoToken(t, err)
	e := asError(t, err)
	if e.Code != 502 || e.Method != "sendMessage" || e.RetryAfter != 3*time.Second {
		t.Errorf("error = %+v", e)
	}
	for _, want := range []string{"502 Bad Gateway", "text/html", "<title>502 Bad Gateway</title>"} {
		if !strings.Contains(e.Description, want) {
			t.Errorf("Description %q lacks %q", e.Description, want)
		}
	}
	if len(e.Description) > 400 || strings.Contains(e.Description, "\n") {
		t.Errorf("Description not trimmed: %q", e.Description)
	}
	if strings.Contains(e.Description, "http://") {
		t.Errorf("Description mentions the URL: %q", e.Description)
	}
}

func TestCallConnectionReset(t *testing.T) {
	c, srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // send RST instead of FIN
		}
		_ = conn.Close()
	})
	err := c.Call(context.Background(), "sendMessage", &sendMessageTest{ChatID: ID(1), Text: "x"}, nil)
	assertNoToken(t, err)
	ne, ok := errors.AsType[*NetworkError](err)
	if !ok {
		t.Fatalf("error %T %v is not a *NetworkError", err, err)
	}
	if ne.Method != "sendMessage" || !strings.HasPrefix(err.Error(), "tg: sendMessage: ") {
		t.Errorf("error = %v", err)
	}
	ue, ok := errors.AsType[*url.Error](err)
	if !ok {
		t.Fatalf("*url.Error not reachable through errors.As: %v", err)
	}
	if want := srv.URL + "/bot<redacted>/sendMessage"; ue.URL != want {
		t.Errorf("url.Error.URL = %q, want %q", ue.URL, want)
	}
	if _, ok := errors.AsType[*Error](err); ok {
		t.Error("a network error must not be a *Error")
	}
}

func TestCallConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(testToken, WithBaseURL("http://"+addr))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(context.Background(), "getMe", nil, nil)
	assertNoToken(t, err)
	if _, ok := errors.AsType[*NetworkError](err); !ok {
		t.Fatalf("error %T %v is not a *NetworkError", err, err)
	}
}

func TestCallContextCancel(t *testing.T) {
	started := make(chan struct{})
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a closed connection only after the body
		close(started)
		<-r.Context().Done() // like a long poll that never answers
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	err := c.Call(ctx, "getUpdates", nil, nil)
	assertNoToken(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("errors.Is(err, context.Canceled) = false: %v", err)
	}
	if _, ok := errors.AsType[*NetworkError](err); !ok {
		t.Errorf("error %T is not a *NetworkError", err)
	}
}

func TestCallContextDeadline(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "getUpdates", nil, nil)
	assertNoToken(t, err)
	ne, ok := errors.AsType[*NetworkError](err)
	if !ok || !errors.Is(err, context.DeadlineExceeded) || !ne.Timeout() {
		t.Fatalf("err = %v (%T)", err, err)
	}
}

func TestCallReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/fail") {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, strings.Repeat("<p>bad gateway</p>", 2000))
			return
		}
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request","unread":"`+strings.Repeat("x", 10000)+`"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := New(testToken, WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		method := "getMe"
		if i%2 == 0 {
			method = "fail"
		}
		if err := c.Call(context.Background(), method, nil, nil); err == nil {
			t.Fatal("expected an error")
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 10 sequential calls; bodies are not drained", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 12 ":                          12 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Wed, 01 Jan 2025 12:00:30 GMT": 30 * time.Second,
		"Wed, 01 Jan 2025 11:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCallNonJSONOrTruncatedResponses(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		code    int    // want an *Error with this code; 0: no *Error
		network bool   // want a *NetworkError
		text    string // in the error text
	}{
		{"502 empty, JSON type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(502)
		}, 502, false, "HTTP 502"},
		{"503 empty, no type", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(503)
		}, 503, false, "HTTP 503"},
		{"504 HTML, no type", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.WriteHeader(504)
			_, _ = io.WriteString(w, "<html>gateway timeout</html>")
		}, 504, false, "HTTP 504"},
		{"500 JSON garbage", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 500, `{"ok":fal`)
		}, 500, false, "HTTP 500"},
		{"200 text/plain", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, `{"ok":true,"result":true}`)
		}, 200, false, "text/plain"},
		{"200 empty JSON", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, ``)
		}, 0, false, "decoding response (HTTP 200)"},
		{"200 not an object", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `[1]`)
		}, 0, false, "not an object"},
		{"200 body cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"ok":true,"result":{"mess`)
			http.NewResponseController(w).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, 0, true, "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestServer(t, tc.handler)
			var res map[string]any
			err := c.Call(context.Background(), "getMe", nil, &res)
			assertNoToken(t, err)
			if !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), "tg: getMe: ") {
				t.Errorf("err = %q, want it to mention %q", err, tc.text)
			}
			e, isErr := errors.AsType[*Error](err)
			if tc.code != 0 && (!isErr || e.Code != tc.code) {
				t.Errorf("err = %v (%T), want *Error with code %d", err, err, tc.code)
			}
			if tc.code == 0 && isErr {
				t.Errorf("err = %v is an *Error", err)
			}
			if _, isNet := errors.AsType[*NetworkError](err); isNet != tc.network {
				t.Errorf("err = %v (%T): network = %v, want %v", err, err, isNet, tc.network)
			}
			if tc.name == "503 empty, no type" && isErr {
				if ra, _ := IsTooManyRequests(err); ra != 0 || e.RetryAfter != 4*time.Second {
					t.Errorf("RetryAfter = %v", e.RetryAfter)
				}
			}
		})
	}
}

func TestCallCancelWhileReadingBody(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"ok":true,"result":[`)
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var res []int
	errc := make(chan error, 1)
	go func() { errc <- c.Call(ctx, "getUpdates", nil, &res) }()
	time.Sleep(20 * time.Millisecond) // let the call reach the body; the result does not depend on it
	cancel()
	var err error
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Call did not return after cancellation")
	}
	assertNoToken(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v (%T), want context.Canceled", err, err)
	}
	if _, ok := errors.AsType[*NetworkError](err); !ok {
		t.Errorf("err = %v (%T), want *NetworkError", err, err)
	}
}
