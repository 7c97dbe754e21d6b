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
	"os"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestRedactorText(t *testing.T) {
	r := newRedactor(testToken)
	for _, in := range []string{
		"https://api.telegram.org/bot" + testToken + "/getMe",
		"https://api.telegram.org/bot" + url.PathEscape(testToken) + "/getMe",
		"x=" + url.QueryEscape(testToken),
		"only the secret " + testSecret + " twice " + testSecret,
	} {
		out := r.text(in)
		if strings.Contains(out, testSecret) || !strings.Contains(out, "<redacted>") {
			t.Errorf("text(%q) = %q", in, out)
		}
	}
	if got := r.text("https://api.telegram.org/bot" + testToken + "/getMe"); got != "https://api.telegram.org/bot<redacted>/getMe" {
		t.Errorf("URL form = %q", got)
	}
	if got := r.text("nothing here"); got != "nothing here" {
		t.Errorf("clean text changed: %q", got)
	}
}

// leakyError hides the token in a deeper layer only.
type leakyError struct{ err error }

func (e *leakyError) Error() string { return "outer" }
func (e *leakyError) Unwrap() error { return e.err }

func TestRedactorScrub(t *testing.T) {
	r := newRedactor(testToken)
	if r.scrub(nil) != nil {
		t.Error("scrub(nil) != nil")
	}
	clean := errors.New("clean")
	if r.scrub(clean) != clean {
		t.Error("a clean error must be returned as is")
	}

	ue := &url.Error{Op: "Post", URL: "https://h/bot" + testToken + "/sendMessage", Err: context.Canceled}
	got := r.scrub(ue)
	assertNoToken(t, got)
	if !errors.Is(got, context.Canceled) {
		t.Error("url.Error scrub lost errors.Is")
	}
	if u, ok := errors.AsType[*url.Error](got); !ok || u.URL != "https://h/bot<redacted>/sendMessage" {
		t.Errorf("url.Error = %v", got)
	}

	inner := fmt.Errorf("redirect to https://evil/bot%s/x: %w", testToken, os.ErrDeadlineExceeded)
	got = r.scrub(&url.Error{Op: "Get", URL: "u", Err: inner})
	assertNoToken(t, got)
	if !errors.Is(got, os.ErrDeadlineExceeded) {
		t.Error("scrubbed inner error lost errors.Is")
	}
	ne := &NetworkError{Method: "getMe", Err: got}
	if !ne.Timeout() {
		t.Error("NetworkError.Timeout() lost through redaction")
	}

	got = r.scrub(&leakyError{err: errors.New("token " + testToken)})
	assertNoToken(t, got)
	got = r.scrub(errors.Join(clean, errors.New(testSecret)))
	assertNoToken(t, got)
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
