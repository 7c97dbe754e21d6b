package tg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
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

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

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
