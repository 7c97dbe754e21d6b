package tg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

// assertNoSecretFragment fails if s holds any 6-byte piece of the token's
// secret: a cut-off token leaks as much as a whole one.
func assertNoSecretFragment(t *testing.T, s string) {
	t.Helper()
	const n = 6
	for i := 0; i+n <= len(testSecret); i++ {
		frag := testSecret[i : i+n]
		if strings.Contains(strconv.Itoa(testBotID), frag) {
			continue // also part of the bot id, which is public
		}
		if strings.Contains(s, frag) {
			t.Fatalf("text holds a fragment %q of the token: %s", frag, s)
		}
	}
}

// TestNonJSONSnippetNeverCutsToken moves an echoed token across every
// position where the snippet is cut, so that a cut lands inside it.
func TestNonJSONSnippetNeverCutsToken(t *testing.T) {
	for _, download := range []bool{false, true} {
		for pad := 0; pad < 600; pad += 7 {
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprintf(w, "<p>%s%s %s</p>", strings.Repeat("x", pad), r.URL.Path, strings.Repeat("y", 300))
			})
			var err error
			if download {
				_, err = c.DownloadFile(context.Background(), "photos/a.jpg")
			} else {
				err = c.Call(context.Background(), "getMe", nil, nil)
			}
			assertNoToken(t, err)
			assertNoSecretFragment(t, err.Error())
			if e := asError(t, err); e.Code != 502 {
				t.Fatalf("pad %d: code %d", pad, e.Code)
			}
		}
	}
}

// TestNonJSONSnippetWhitespaceBeforeCut checks the 512-byte read limit: an
// HTML page that is mostly whitespace collapses to a short snippet, so a
// token cut at the read limit would be printed.
func TestNonJSONSnippetWhitespaceBeforeCut(t *testing.T) {
	for pad := 440; pad < 520; pad++ {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "%s%s", strings.Repeat("\n", pad), r.URL.Path)
		})
		err := c.Call(context.Background(), "getMe", nil, nil)
		assertNoToken(t, err)
		assertNoSecretFragment(t, err.Error())
	}
}

func TestNewBaseURLHoldingTokenIsRejected(t *testing.T) {
	for _, base := range []string{
		"https://api.telegram.org/bot" + testToken,        // a common mistake
		"https://api.telegram.org/bot" + testToken + "?x", // also invalid
		"http://[::1/bot" + testToken,                     // unparsable
		"ftp://api.telegram.org/bot" + testToken,
	} {
		_, err := New(testToken, WithBaseURL(base))
		assertNoToken(t, err)
	}
}

func TestMalformedBaseURLs(t *testing.T) {
	for _, base := range []string{"", "api.telegram.org", "http://", "http://host:port", "http://a b", "https://user:pw@host", "https://host/#frag", "mailto:x@y"} {
		if _, err := New(testToken, WithBaseURL(base)); err == nil {
			t.Errorf("base %q accepted", base)
		} else {
			assertNoToken(t, err)
		}
	}
	// A base with a path keeps it.
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	}))
	defer srv.Close()
	c, err := New(testToken, WithBaseURL(srv.URL+"/tg/api//"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.hc.http.CloseIdleConnections()
	if err := c.Call(context.Background(), "getMe", nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := "/tg/api/bot" + testToken + "/getMe"; got != want {
		t.Errorf("path %q, want %q", got, want)
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

func TestRetryAfterSources(t *testing.T) {
	cases := []struct {
		header, body string
		want         time.Duration
	}{
		{"", `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, 3 * time.Second},
		{"", `{"ok":false,"error_code":429,"description":"x","parameters":{"retry_after":1.5}}`, 1500 * time.Millisecond},
		{"2", `{"parameters":{"retry_after":0},"ok":false,"error_code":429,"description":"x"}`, 2 * time.Second},
		{"", `{"ok":false,"error_code":429,"description":"x"}`, 0},
		{"9", `{"ok":false,"error_code":429,"description":"x","parameters":{"retry_after":1e30}}`, 9 * time.Second},
	}
	for i, tc := range cases {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			writeJSON(w, 429, tc.body)
		})
		err := c.Call(context.Background(), "sendMessage", nil, nil)
		ra, ok := IsTooManyRequests(err)
		if !ok || ra != tc.want {
			t.Errorf("case %d: IsTooManyRequests = %v, %v; want %v", i, ra, ok, tc.want)
		}
	}
	// A non-JSON 429 from a proxy is still a 429 with the header's delay.
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Retry-After", "11")
		w.WriteHeader(429)
		_, _ = io.WriteString(w, "<h1>slow down</h1>")
	})
	err := c.Call(context.Background(), "sendMessage", nil, nil)
	if ra, ok := IsTooManyRequests(err); !ok || ra != 11*time.Second {
		t.Errorf("proxy 429: %v, %v (%v)", ra, ok, err)
	}
	if _, ok := IsMigrated(err); ok {
		t.Error("IsMigrated on a 429")
	}
	if _, ok := IsTooManyRequests(errors.New("x")); ok {
		t.Error("IsTooManyRequests on a plain error")
	}
	if _, ok := IsMigrated(nil); ok {
		t.Error("IsMigrated(nil)")
	}
}

func TestErrorAndNetworkErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&Error{Code: 400}, "tg: 400 Bad Request"},
		{&Error{Method: "x", Code: 599}, "tg: x: 599"},
		{&Error{Method: "x", Code: 400, Description: "Bad Request: y"}, "tg: x: 400 Bad Request: y"},
		{&NetworkError{Method: "getMe"}, "tg: getMe: network error"},
		{&NetworkError{Method: "getMe", Err: io.ErrUnexpectedEOF}, "tg: getMe: unexpected EOF"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%#v: %q, want %q", tc.err, got, tc.want)
		}
	}
	if (&NetworkError{Err: io.EOF}).Timeout() {
		t.Error("EOF is not a timeout")
	}
}

// TestRedirectsKeepTokenOut checks both the default client, which does not
// follow redirects, and a user client that does, into a redirect loop and
// to a bad Location.
func TestRedirectsKeepTokenOut(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "badLocation"):
			w.Header().Set("Location", "http://[::1"+r.URL.Path)
			w.WriteHeader(http.StatusFound)
		default: // loop to the same token-bearing URL
			http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
		}
	}
	c, _ := newTestServer(t, h)
	err := c.Call(context.Background(), "getMe", nil, nil)
	assertNoToken(t, err)
	if !IsCode(err, http.StatusTemporaryRedirect) {
		t.Errorf("default client: %v, want a 307 *Error", err)
	}
	_, err = c.DownloadFile(context.Background(), "a/b.jpg")
	assertNoToken(t, err)
	if !IsCode(err, http.StatusTemporaryRedirect) {
		t.Errorf("default client download: %v, want a 307 *Error", err)
	}

	follow := &http.Client{Transport: &http.Transport{}}
	defer follow.CloseIdleConnections()
	c, _ = newTestServer(t, h, WithHTTPClient(follow))
	for _, m := range []string{"getMe", "badLocation"} {
		err = c.Call(context.Background(), m, nil, nil)
		assertNoToken(t, err)
		if _, ok := errors.AsType[*NetworkError](err); !ok {
			t.Errorf("%s: %v (%T), want *NetworkError", m, err, err)
		}
		_, err = c.DownloadFile(context.Background(), m+"/x.jpg")
		assertNoToken(t, err)
	}
}

// TestProxyErrorsKeepTokenOut sends requests through an HTTP proxy that
// fails and echoes the absolute URL, and through one that is down.
func TestProxyErrorsKeepTokenOut(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "proxy cannot reach %s (%s)", r.URL, r.RequestURI)
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
	defer hc.CloseIdleConnections()
	c, err := New(testToken, WithBaseURL("http://telegram.invalid"), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(context.Background(), "getMe", nil, nil)
	assertNoToken(t, err)
	assertNoSecretFragment(t, err.Error())
	if !IsCode(err, 502) || !strings.Contains(err.Error(), "proxy cannot reach") {
		t.Errorf("err = %v", err)
	}
	_, err = c.DownloadFile(context.Background(), "a/b.jpg")
	assertNoToken(t, err)
	if !IsCode(err, 502) {
		t.Errorf("download err = %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	du, _ := url.Parse(down)
	hc2 := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(du)}}
	c, err = New(testToken, WithBaseURL("http://telegram.invalid"), WithHTTPClient(hc2))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(context.Background(), "getMe", nil, nil)
	assertNoToken(t, err)
	if _, ok := errors.AsType[*NetworkError](err); !ok {
		t.Errorf("err = %v (%T)", err, err)
	}
	_, err = c.DownloadFile(context.Background(), "a/b.jpg")
	assertNoToken(t, err)
	if _, ok := errors.AsType[*NetworkError](err); !ok {
		t.Errorf("download err = %v (%T)", err, err)
	}
}

// TestDownloadFileCancelMidBody cancels while the body is being read: the
// read fails with context.Canceled and no token.
func TestDownloadFileCancelMidBody(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		_, _ = w.Write(bytes.Repeat([]byte("a"), 1000))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, err := c.DownloadFile(ctx, "documents/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = io.ReadAll(rc)
	assertNoToken(t, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestDownloadFileSizeLimitAndEarlyClose reads a bounded prefix of a large
// file and closes it; the next download still works.
func TestDownloadFileSizeLimitAndEarlyClose(t *testing.T) {
	const size = 4 << 20
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.CopyN(w, zeros{}, size)
	})
	for range 3 {
		rc, err := c.DownloadFile(context.Background(), "documents/big.bin")
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
		if err != nil || n != 1<<20 {
			t.Fatalf("read %d, %v", n, err)
		}
		if err := rc.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestChatIDParsing(t *testing.T) {
	for in, want := range map[string]string{
		`-1001234567890`:         "-1001234567890",
		`"-1001234567890"`:       "-1001234567890",
		`"@chan"`:                "@chan",
		`9223372036854775807`:    "9223372036854775807",
		`-9223372036854775808`:   "-9223372036854775808",
		`"-9223372036854775808"`: "-9223372036854775808",
		`null`:                   "",
	} {
		var c ChatID
		if err := c.UnmarshalJSON([]byte(in)); err != nil || c.String() != want {
			t.Errorf("%s: %q, %v; want %q", in, c, err, want)
		}
	}
	for _, in := range []string{`9223372036854775808`, `1.5`, `1e3`, `"@"`, `""`, `"chan"`, `"1 "`, `true`, `{}`, `[]`, `-`, `"12abc"`} {
		var c ChatID
		if err := c.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted as %q", in, c)
		}
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for in, want := range map[float64]time.Duration{
		0: 0, -1: 0, 0.25: 250 * time.Millisecond, 30: 30 * time.Second,
		1 << 31: (1 << 31) * time.Second, 1<<31 + 1: 0, 1e30: 0, math.Inf(1): 0, math.NaN(): 0,
	} {
		if got := retryAfterSeconds(in); got != want {
			t.Errorf("retryAfterSeconds(%v) = %v, want %v", in, got, want)
		}
	}
}

// TestUploadFileNames sends names with quotes, backslashes, unicode and
// line breaks: each arrives as one intact part and no header is injected.
func TestUploadFileNames(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{`say "hi".txt`, `say "hi".txt`},
		{`back\slash.txt`, `back\slash.txt`},
		{"отчёт 📄.pdf", "отчёт 📄.pdf"},
		{"a\r\nContent-Type: text-evil\r\n\r\nb.txt", "a%0D%0AContent-Type: text-evil%0D%0A%0D%0Ab.txt"},
		{"tab\there\x00\x1b\x7f.txt", "tab\there%00%1B%7F.txt"},
	} {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				t.Errorf("%q: %v", tc.name, err)
				writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"bad form"}`)
				return
			}
			name, ct, data := readPart(t, r, "document")
			if name != tc.want || string(data) != "content" || strings.Contains(ct, "evil") {
				t.Errorf("%q: got name %q type %q data %q; want name %q", tc.name, name, ct, data, tc.want)
			}
			if v := r.MultipartForm.Value["chat_id"]; len(v) != 1 || v[0] != "5" {
				t.Errorf("%q: chat_id = %q", tc.name, v)
			}
			writeJSON(w, 200, `{"ok":true,"result":true}`)
		})
		err := c.Call(context.Background(), "sendDocument", map[string]any{
			"chat_id":  ID(5),
			"document": FileUpload(tc.name, strings.NewReader("content")),
		}, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
		}
	}
}

// TestUploadSameReaderTwice uses one upload in two media of a group: it is
// sent once and referenced twice, so a one-shot reader works.
func TestUploadSameReaderTwice(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
			return
		}
		var media []struct {
			Media string `json:"media"`
		}
		if err := json.Unmarshal([]byte(r.MultipartForm.Value["media"][0]), &media); err != nil {
			t.Error(err)
		}
		if len(media) != 2 || media[0].Media != media[1].Media || !strings.HasPrefix(media[0].Media, "attach://") {
			t.Errorf("media = %+v", media)
		}
		if len(r.MultipartForm.File) != 1 {
			t.Errorf("file parts = %v", r.MultipartForm.File)
		}
		_, _, data := readPart(t, r, strings.TrimPrefix(media[0].Media, "attach://"))
		if string(data) != "once" {
			t.Errorf("data = %q", data)
		}
		writeJSON(w, 200, `{"ok":true,"result":[]}`)
	})
	up := FileUpload("p.jpg", io.MultiReader(strings.NewReader("once")))
	err := c.Call(context.Background(), "sendMediaGroup", &sendMediaGroupTest{
		ChatID: ID(1),
		Media:  []mediaTest{{Type: "photo", Media: up}, {Type: "photo", Media: up}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

// TestUploadRejectedEarly has the server answer 413 without reading a
// large upload, as Telegram does for files over its limit: the caller gets
// the *Error, not a broken-pipe network error, and the writer ends.
func TestUploadRejectedEarly(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		writeJSON(w, http.StatusRequestEntityTooLarge, `{"ok":false,"error_code":413,"description":"Request Entity Too Large"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.Call(ctx, "sendDocument", map[string]any{
		"chat_id":  ID(1),
		"document": FileUpload("big.bin", io.LimitReader(zeros{}, 16<<20)),
	}, nil)
	assertNoToken(t, err)
	if !IsCode(err, http.StatusRequestEntityTooLarge) {
		t.Fatalf("err = %v (%T), want a 413 *Error", err, err)
	}
	waitNoWriterGoroutines(t)
}

// TestErrorDescriptionEchoingToken checks a JSON error whose description
// repeats the request URL.
func TestErrorDescriptionEchoingToken(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		desc, _ := json.Marshal("Not Found: " + r.URL.String() + " " + url.QueryEscape(testToken))
		writeJSON(w, 404, `{"ok":false,"error_code":404,"description":`+string(desc)+`}`)
	})
	err := c.Call(context.Background(), "getMe", nil, nil)
	assertNoToken(t, err)
	if e := asError(t, err); !strings.Contains(e.Description, "/bot<redacted>/getMe <redacted>") {
		t.Errorf("Description = %q", e.Description)
	}
}

// TestBaseURLEmptyQueryOrFragment rejects "?" and "#" with nothing after
// them: the token would go into the query, or not be sent at all.
func TestBaseURLEmptyQueryOrFragment(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:8081?", "http://127.0.0.1:8081#", "http://127.0.0.1:8081/api?/", "http://127.0.0.1:8081/api#/"} {
		if _, err := New(testToken, WithBaseURL(base)); err == nil {
			t.Errorf("base %q accepted", base)
		}
	}
}

// bufferingTransport reads the whole request body before sending it, as
// logging or retrying RoundTrippers do.
type bufferingTransport struct{ next http.RoundTripper }

func (b bufferingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	data, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("buffering body: %w", err)
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(data))
	r2.ContentLength = int64(len(data))
	return b.next.RoundTrip(r2)
}

// TestUploadCancelReportsContext cancels an upload whose reader blocks
// while the transport is reading the body: the error must say why (the
// context), not "read/write on closed pipe".
func TestUploadCancelReportsContext(t *testing.T) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	}, WithHTTPClient(&http.Client{Transport: bufferingTransport{tr}}))
	br := &blockingReader{release: make(chan struct{})}
	defer close(br.release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "sendDocument", &sendPhotoTest{ChatID: ID(1), Photo: FileUpload("slow", br)}, nil)
	assertNoToken(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if ne, ok := errors.AsType[*NetworkError](err); !ok || !ne.Timeout() {
		t.Errorf("err = %v (%T), want a timed-out *NetworkError", err, err)
	}
}

// TestScrubJoinedErrors hides a token held by one branch of a joined
// error while errors.Is still sees every branch.
func TestScrubJoinedErrors(t *testing.T) {
	r := newRedactor(testToken)
	leaky := fmt.Errorf("dial %s: %w", "http://x/bot"+testToken, io.ErrUnexpectedEOF)
	err := r.scrub(errors.Join(context.Canceled, leaky))
	assertNoToken(t, err)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("scrubbed error lost its chain: %v", err)
	}
	if clean := errors.Join(io.EOF, context.Canceled); r.scrub(clean) != clean {
		t.Error("an error without the token must be returned as is")
	}
}
