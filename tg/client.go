package tg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Client calls the Telegram Bot API. It is safe for concurrent use and
// should be reused. The token is never exported, printed or included in
// errors.
type Client struct {
	botID  int64
	base   string
	caller Caller      // the middleware chain ending in the HTTP caller
	hc     *httpCaller // innermost caller; also used by DownloadFile
	local  *localFiles // absolute file paths of a local Bot API server (WithLocalFiles); nil: refused
}

// New returns a Client for the bot token "<bot id>:<secret>". The error
// never contains the token.
func New(token string, opts ...Option) (*Client, error) {
	id, err := parseToken(token)
	if err != nil {
		return nil, err
	}
	redact := newRedactor(token)
	cfg := config{baseURL: DefaultBaseURL}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, redact.scrub(err) // a base URL may hold the token by mistake
		}
	}
	if redact.contains(cfg.baseURL) {
		// The token is added to the path by the client; a base URL that
		// holds it too would print it (String) and never work.
		return nil, errors.New("tg: invalid base URL: it must not contain the bot token")
	}
	if cfg.httpClient == nil {
		cfg.httpClient = newDefaultHTTPClient()
	}
	hc := &httpCaller{
		http:       cfg.httpClient,
		prefix:     secret(cfg.baseURL + "/bot" + token + "/"),
		filePrefix: secret(cfg.baseURL + "/file/bot" + token + "/"),
		redact:     redact,
	}
	return &Client{
		botID:  id,
		base:   cfg.baseURL,
		caller: chain(hc, cfg.middlewares),
		hc:     hc,
		local:  cfg.local,
	}, nil
}

// Call runs the Caller chain (middleware, then HTTP) for one Bot API method.
// params is a struct with json tags (or a map) encoding to a JSON object,
// or nil, which sends the empty object {}; result is a pointer to decode
// the result into, or nil to discard it. Generated methods use Call; it
// is also the way to call methods newer than the generated code.
//
// Params are sent as a JSON body, or as a streamed multipart/form-data
// body when they hold an InputFile upload. Strings with invalid UTF-8 are
// sent with U+FFFD in place of the bad bytes, as encoding/json v1 does.
// The error is an *Error, a *NetworkError, or a plain error for bad
// arguments, encoding and decoding failures and failing upload readers.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	return c.caller.Call(ctx, method, params, result)
}

// BotID returns the bot's user id, the numeric prefix of its token.
func (c *Client) BotID() int64 { return c.botID }

// String describes the client without the token.
func (c Client) String() string {
	return "tg.Client{bot: " + strconv.FormatInt(c.botID, 10) + ", base: " + strconv.Quote(c.base) + "}"
}

// GoString is like String; it keeps %#v from printing the token.
func (c Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb, including %+v and
// %#v, prints String and never the fields holding the token.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// newDefaultHTTPClient returns an http.Client with a transport tuned for
// many concurrent calls to one host. It has no overall Timeout because
// long polling holds a request for about a minute; deadlines come from the
// context. Redirects are not followed: the Bot API never redirects, and
// following one could send the token-bearing path elsewhere.
func newDefaultHTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		t = t.Clone()
	} else { // replaced by the program; start from net/http's defaults
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ExpectContinueTimeout: time.Second}
	}
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 512
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ForceAttemptHTTP2 = true
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
