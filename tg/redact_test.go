package tg

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
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
