package tg

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testToken looks like a real token; testSecret is its secret part, which
// must never appear in any error or printed value.
const (
	testToken  = "7012345678:AAH-test_SecretSECRET0123456789abcdef"
	testSecret = "AAH-test_SecretSECRET0123456789abcdef"
	testBotID  = 7012345678
)

// newTestServer starts an httptest server and a Client pointed at it.
func newTestServer(t *testing.T, h http.HandlerFunc, opts ...Option) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(testToken, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	// Each test gets its own transport; close its idle connections at the end.
	t.Cleanup(c.hc.http.CloseIdleConnections)
	return c, srv
}

// writeJSON answers with a JSON body and status.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// assertNoToken fails if err, printed in any way, or any error it wraps
// contains the token or its secret.
func assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error")
	}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 20 {
			return
		}
		for _, s := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%s", e)} {
			if strings.Contains(s, testSecret) || strings.Contains(s, testToken) {
				t.Fatalf("error layer %d (%T) leaks the token: %s", depth, e, s)
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
}

// asError returns err as *Error or fails the test.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("error %T (%v) is not a *tg.Error", err, err)
	}
	return e
}
