package fasthttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	fh "github.com/valyala/fasthttp"
)

// Config tunes the transport. The zero value is ready to use.
type Config struct {
	// MaxConnsPerHost bounds the connections to the Bot API host
	// (default 512).
	MaxConnsPerHost int
	// Timeout bounds a call whose context has no deadline, from sending
	// the request to the end of the response (default 2 minutes: longer
	// than any long poll).
	Timeout time.Duration
	// IdleTimeout closes keep-alive connections unused this long
	// (default 90 s).
	IdleTimeout time.Duration
	// TLS configures HTTPS connections (default: crypto/tls defaults).
	TLS *tls.Config
	// Dial opens connections (default: a net.Dialer with a 10 s timeout).
	Dial func(addr string) (net.Conn, error)
}

// Transport is an http.RoundTripper on a fasthttp client. Create it with
// New; it is safe for concurrent use.
type Transport struct {
	c       *fh.Client
	timeout time.Duration
}

// New returns a Transport with cfg.
func New(cfg Config) *Transport {
	if cfg.MaxConnsPerHost <= 0 {
		cfg.MaxConnsPerHost = 512
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 90 * time.Second
	}
	if cfg.Dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		cfg.Dial = func(addr string) (net.Conn, error) { return d.Dial("tcp", addr) }
	}
	return &Transport{
		timeout: cfg.Timeout,
		c: &fh.Client{
			MaxConnsPerHost:               cfg.MaxConnsPerHost,
			MaxIdleConnDuration:           cfg.IdleTimeout,
			TLSConfig:                     cfg.TLS,
			Dial:                          cfg.Dial,
			StreamResponseBody:            true, // file downloads are not held in memory
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			NoDefaultUserAgentHeader:      true,
			// A request is retried only when it surely was not processed
			// (fasthttp's default for idempotent requests): Bot API calls
			// are POSTs, so never.
			RetryIfErr: func(*fh.Request, int, error) (bool, bool) { return false, false },
		},
	}
}

// Client returns an *http.Client on a new Transport with cfg that does not
// follow redirects, for tg.WithHTTPClient.
func Client(cfg Config) *http.Client {
	return &http.Client{
		Transport: New(cfg),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// RoundTrip sends r with fasthttp. The response body streams from the
// connection until closed.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	req := fh.AcquireRequest()
	if err := t.build(req, r); err != nil {
		fh.ReleaseRequest(req)
		closeBody(r)
		return nil, err
	}
	resp := fh.AcquireResponse()
	ctx := r.Context()
	deadline, fromCtx := ctx.Deadline()
	if !fromCtx {
		deadline = time.Now().Add(t.timeout)
	}
	var err error
	if ctx.Done() != nil && strings.HasSuffix(r.URL.Path, "/getUpdates") {
		err = t.doAbandonable(ctx, req, resp, deadline)
		if errors.Is(err, errAbandoned) {
			closeBody(r)
			return nil, context.Cause(ctx)
		}
	} else {
		err = t.c.DoDeadline(req, resp, deadline)
		fh.ReleaseRequest(req)
	}
	closeBody(r)
	if err != nil {
		fh.ReleaseResponse(resp)
		switch {
		case ctx.Err() != nil:
			err = context.Cause(ctx)
		case fromCtx && errors.Is(err, fh.ErrTimeout):
			// The context's deadline passed; its timer may not have
			// fired yet.
			err = context.DeadlineExceeded
		}
		return nil, err
	}
	return response(r, resp), nil
}

// errAbandoned reports a long poll left to finish on its own.
var errAbandoned = errors.New("fasthttp: request abandoned")

// doAbandonable runs the request on a helper goroutine, so that the call
// returns as soon as ctx ends; the helper then releases req and resp.
func (t *Transport) doAbandonable(ctx context.Context, req *fh.Request, resp *fh.Response, deadline time.Time) error {
	done := make(chan error, 1)
	var mu sync.Mutex
	abandoned := false
	go func() {
		err := t.c.DoDeadline(req, resp, deadline)
		fh.ReleaseRequest(req)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			if resp.BodyStream() != nil {
				_ = resp.CloseBodyStream()
			}
			fh.ReleaseResponse(resp)
			return
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case err := <-done: // finished while ctx ended: use it
		return err
	default:
		abandoned = true
		return errAbandoned
	}
}

// build copies r into req: method, URL, headers and body.
func (t *Transport) build(req *fh.Request, r *http.Request) error {
	req.Header.SetMethod(r.Method)
	req.SetRequestURI(r.URL.String())
	if r.Host != "" {
		req.Header.SetHost(r.Host)
	}
	for name, values := range r.Header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if r.ContentLength > 0 && r.GetBody != nil { // a body in memory (JSON)
		if _, err := io.Copy(req.BodyWriter(), r.Body); err != nil {
			return err
		}
		return nil
	}
	size := -1 // chunked: a streamed upload
	if r.ContentLength > 0 {
		size = int(r.ContentLength)
	}
	req.SetBodyStream(r.Body, size)
	return nil
}

// response turns resp into an *http.Response whose Body releases resp
// when closed.
func response(r *http.Request, resp *fh.Response) *http.Response {
	h := make(http.Header, 4)
	for k, v := range resp.Header.All() {
		h.Add(string(k), string(v))
	}
	code := resp.StatusCode()
	out := &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		ContentLength: int64(resp.Header.ContentLength()),
		Request:       r,
	}
	if out.ContentLength < 0 {
		out.ContentLength = -1
	}
	b := &body{resp: resp}
	if s := resp.BodyStream(); s != nil {
		b.r = s
	} else {
		b.buf.Reset(resp.Body())
		b.r = &b.buf
	}
	out.Body = b
	return out
}

// body is a response body read from a pooled fasthttp.Response.
type body struct {
	resp *fh.Response
	buf  bytes.Reader
	r    io.Reader
	once sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	if b.r == nil {
		return 0, errors.New("fasthttp: read of a closed body")
	}
	return b.r.Read(p)
}

// Close releases the response; later reads fail.
func (b *body) Close() error {
	var err error
	b.once.Do(func() {
		if b.resp.BodyStream() != nil {
			err = b.resp.CloseBodyStream()
		}
		b.r = nil
		fh.ReleaseResponse(b.resp)
	})
	return err
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
}
