package tg

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// envelope is the Bot API response wrapper, minus "result", which is
// decoded straight into the caller's value.
type envelope struct {
	ok          bool
	hasOK       bool
	code        int
	description string
	retryAfter  float64 // seconds, from parameters.retry_after
	migrateTo   int64
}

// responseParameters mirrors the Bot API ResponseParameters object.
type responseParameters struct {
	RetryAfter      float64 `json:"retry_after"`
	MigrateToChatID int64   `json:"migrate_to_chat_id"`
}

// readResponse turns an HTTP response into nil, *Error, *NetworkError or a
// decoding error, decoding "result" into result. A response that is not a
// Bot API answer (not JSON, or a non-2xx status with a body that does not
// decode) is an *Error with the HTTP status as its code. It always closes
// the body.
func (h *httpCaller) readResponse(method string, resp *http.Response, result any) error {
	defer drainClose(resp.Body)
	ct := resp.Header.Get("Content-Type")
	if !isJSONContentType(ct) {
		return h.nonJSONError(method, resp, ct)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil { // reset, cut short, cancelled
		return &NetworkError{Method: method, Err: h.redact.scrub(err)}
	}
	env, err := decodeEnvelopeBytes(data, result)
	switch {
	case err == nil:
	case resp.StatusCode/100 != 2:
		// Not a Bot API answer (an empty or broken body from a proxy or
		// load balancer): report the HTTP status so that callers can
		// branch on it, as for a non-JSON page.
		return h.malformedError(method, resp, err)
	default:
		return h.redact.scrub(fmt.Errorf("tg: %s: decoding response (HTTP %d): %w", method, resp.StatusCode, err))
	}
	switch {
	case env.ok:
		return nil
	case !env.hasOK && resp.StatusCode/100 == 2:
		return fmt.Errorf(`tg: %s: malformed response (HTTP %d): no "ok" field`, method, resp.StatusCode)
	}
	e := &Error{
		Method:          method,
		Code:            env.code,
		Description:     h.redact.text(env.description),
		RetryAfter:      retryAfterSeconds(env.retryAfter),
		MigrateToChatID: env.migrateTo,
	}
	if e.Code == 0 {
		e.Code = resp.StatusCode
	}
	if e.RetryAfter <= 0 {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

func isJSONContentType(ct string) bool {
	if ct == "" {
		return true // be lenient; decoding will tell
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// nonJSONError describes a response that is not a Bot API answer, such as
// an HTML error page from a proxy, with a short, cleaned-up snippet.
func (h *httpCaller) nonJSONError(method string, resp *http.Response, ct string) error {
	buf := make([]byte, 512)
	n, _ := io.ReadFull(resp.Body, buf)
	// Redact before cutting anything: a token split by a cut would no
	// longer be recognised. The read itself may have split one at the end.
	text := h.redact.text(string(buf[:n]))
	if n == len(buf) {
		text = h.redact.trimCutSecret(text)
	}
	snippet := strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if len(snippet) > 160 {
		cut := 160
		for cut > 0 && !utf8.RuneStart(snippet[cut]) {
			cut--
		}
		snippet = snippet[:cut] + "…"
	}
	if ct == "" {
		ct = "none"
	}
	desc := "unexpected non-JSON response: HTTP " + resp.Status + ", Content-Type " + strconv.Quote(ct)
	if snippet != "" {
		desc += ": " + snippet
	}
	return &Error{
		Method:      method,
		Code:        resp.StatusCode,
		Description: h.redact.text(desc), // the status line or type may echo it too
		RetryAfter:  parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// malformedError describes a non-2xx response whose JSON body could not be
// decoded (decodeErr) as an *Error carrying the HTTP status.
func (h *httpCaller) malformedError(method string, resp *http.Response, decodeErr error) error {
	why := decodeErr.Error()
	if decodeErr == io.EOF {
		why = "empty body"
	}
	return &Error{
		Method:      method,
		Code:        resp.StatusCode,
		Description: h.redact.text("malformed response: HTTP " + resp.Status + ": " + why),
		RetryAfter:  parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
}

// retryAfterSeconds converts parameters.retry_after to a duration. Values
// that are not positive or beyond the range parseRetryAfter accepts give
// zero (unknown), as converting them would overflow in a
// platform-dependent way.
func retryAfterSeconds(s float64) time.Duration {
	if !(s > 0 && s <= 1<<31) {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > 1<<31 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
