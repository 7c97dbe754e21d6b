package tg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestNewRejectsMalformedTokens(t *testing.T) {
	for _, tok := range []string{
		"",
		"abc",
		"123456",
		"123456:",
		":S3kr1tValue",
		"12a:S3kr1tValue",
		"-5:S3kr1tValue",
		"0:S3kr1tValue",
		"123:S3kr/1tValue",
		"123:S3kr 1tValue",
		"123:S3kr1tValue:more",
		"99999999999999999999:S3kr1tValue",
	} {
		c, err := New(tok)
		if err == nil || c != nil {
			t.Errorf("New(%q) = %v, %v; want an error", tok, c, err)
			continue
		}
		if tok != "" && strings.Contains(err.Error(), tok) {
			t.Errorf("New(%q) error leaks the token: %v", tok, err)
		}
		if sec, _, ok := strings.Cut(tok, ":"); ok && sec != "" && len(tok) > len(sec)+1 && strings.Contains(err.Error(), tok[len(sec)+1:]) {
			t.Errorf("New(%q) error leaks the secret: %v", tok, err)
		}
	}
}

func TestNewAcceptsTokenAndParsesBotID(t *testing.T) {
	c, err := New(testToken)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.BotID(); got != testBotID {
		t.Errorf("BotID() = %d, want %d", got, testBotID)
	}
	if c.base != DefaultBaseURL {
		t.Errorf("base = %q, want %q", c.base, DefaultBaseURL)
	}
	if got, want := c.hc.prefix.reveal(), DefaultBaseURL+"/bot"+testToken+"/"; got != want {
		t.Errorf("prefix = %q, want %q", got, want)
	}
}

func TestNewOptionErrors(t *testing.T) {
	for name, opt := range map[string]Option{
		"relative base":   WithBaseURL("/api"),
		"ftp base":        WithBaseURL("ftp://example.com"),
		"base with query": WithBaseURL("https://example.com/?a=1"),
		"nil http client": WithHTTPClient(nil),
		"nil middleware":  WithMiddleware(nil),
	} {
		if _, err := New(testToken, opt); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	c, err := New(testToken, WithBaseURL("http://127.0.0.1:8081/"))
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "http://127.0.0.1:8081" {
		t.Errorf("trailing slash kept: %q", c.base)
	}
}

func TestDefaultTransportIsTuned(t *testing.T) {
	c, err := New(testToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.hc.http.Timeout != 0 {
		t.Errorf("http.Client.Timeout = %v, want none (long polling)", c.hc.http.Timeout)
	}
	tr, ok := c.hc.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.hc.http.Transport)
	}
	if tr.MaxIdleConns != 1024 || tr.MaxIdleConnsPerHost != 512 || !tr.ForceAttemptHTTP2 || tr.TLSHandshakeTimeout == 0 || tr.IdleConnTimeout == 0 {
		t.Errorf("transport not tuned: %+v", tr)
	}
	if tr == http.DefaultTransport {
		t.Error("must not share http.DefaultTransport")
	}
}

func TestClientPrintsNoToken(t *testing.T) {
	c, err := New(testToken)
	if err != nil {
		t.Fatal(err)
	}
	type holder struct {
		C  *Client
		V  Client
		Cl Caller
	}
	out := fmt.Sprintf("%v %+v %#v %s %q %v %+v %#v", c, c, c, c, c, *c, holder{c, *c, c}, holder{c, *c, c})
	if strings.Contains(out, testSecret) {
		t.Fatalf("fmt leaks the token: %s", out)
	}
	if !strings.Contains(fmt.Sprint(c), "7012345678") {
		t.Errorf("String should mention the bot id: %s", c)
	}
	for _, v := range []any{c.hc.prefix, c.hc.filePrefix} {
		if s := fmt.Sprintf("%v %+v %#v %s", v, v, v, v); strings.Contains(s, testSecret) {
			t.Errorf("secret prints the token: %s", s)
		}
	}
}

// recordingMiddleware appends its name before and after calling next.
func recordingMiddleware(name string, log *[]string) Middleware {
	return func(next Caller) Caller {
		return CallerFunc(func(ctx context.Context, method string, params, result any) error {
			*log = append(*log, name+">"+method)
			err := next.Call(ctx, method, params, result)
			*log = append(*log, name+"<")
			return err
		})
	}
}

func TestMiddlewareOrderAndShortCircuit(t *testing.T) {
	type params struct {
		Text string `json:"text"`
	}
	type reply struct {
		ID int `json:"id"`
	}
	var log []string
	var seenParams any
	// The innermost middleware answers by itself: a test double.
	double := func(next Caller) Caller {
		return CallerFunc(func(ctx context.Context, method string, p, result any) error {
			log = append(log, "double:"+method)
			seenParams = p
			result.(*reply).ID = 42
			return nil
		})
	}
	c, err := New(testToken,
		WithBaseURL("http://127.0.0.1:1"), // nothing listens; must not be reached
		WithMiddleware(recordingMiddleware("a", &log), recordingMiddleware("b", &log)),
		WithMiddleware(double),
	)
	if err != nil {
		t.Fatal(err)
	}
	p := &params{Text: "hi"}
	var r reply
	if err := c.Call(context.Background(), "sendMessage", p, &r); err != nil {
		t.Fatal(err)
	}
	want := []string{"a>sendMessage", "b>sendMessage", "double:sendMessage", "b<", "a<"}
	if !slices.Equal(log, want) {
		t.Errorf("order = %v, want %v", log, want)
	}
	if seenParams != any(p) {
		t.Errorf("middleware saw params %v, want the caller's pointer", seenParams)
	}
	if r.ID != 42 {
		t.Errorf("result = %+v, want the double's answer", r)
	}
}

func TestMiddlewareWrapsHTTPCaller(t *testing.T) {
	var log []string
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"ok":true,"result":true}`)
	}, WithMiddleware(recordingMiddleware("m", &log)))
	var ok bool
	if err := c.Call(context.Background(), "close", nil, &ok); err != nil || !ok {
		t.Fatalf("Call = %v, result %v", err, ok)
	}
	if !slices.Equal(log, []string{"m>close", "m<"}) {
		t.Errorf("log = %v", log)
	}
	// A middleware that turns errors into something else sees *Error.
	sentinel := errors.New("mapped")
	c2, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: nope"}`)
	}, WithMiddleware(func(next Caller) Caller {
		return CallerFunc(func(ctx context.Context, m string, p, r any) error {
			if err := next.Call(ctx, m, p, r); IsCode(err, 400) {
				return sentinel
			}
			return nil
		})
	}))
	if err := c2.Call(context.Background(), "getMe", nil, nil); err != sentinel {
		t.Errorf("err = %v, want the middleware's", err)
	}
}
