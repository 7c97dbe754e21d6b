package tg

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
// decoding error, decoding "result" into result. It always closes the body.
func (h *httpCaller) readResponse(method string, resp *http.Response, result any) error {
	defer drainClose(resp.Body)
	ct := resp.Header.Get("Content-Type")
	if !isJSONContentType(ct) {
		return h.nonJSONError(method, resp, ct)
	}
	env, err := decodeEnvelope(resp.Body, result)
	if err != nil {
		if isDecodeError(err) {
			return h.redact.scrub(fmt.Errorf("tg: %s: decoding response (HTTP %d): %w", method, resp.StatusCode, err))
		}
		return &NetworkError{Method: method, Err: h.redact.scrub(err)}
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
		RetryAfter:      time.Duration(env.retryAfter * float64(time.Second)),
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

// decodeEnvelope reads the response object in one pass, decoding "result"
// directly into result (or skipping it when result is nil).
func decodeEnvelope(r io.Reader, result any) (envelope, error) {
	var env envelope
	dec := jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return env, err
	}
	if tok.Kind() != '{' {
		return env, fmt.Errorf("response is a JSON %s, not an object", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return env, err
		}
		switch name.String() {
		case "ok":
			err = json.UnmarshalDecode(dec, &env.ok)
			env.hasOK = err == nil
		case "result":
			if result == nil {
				err = dec.SkipValue()
			} else {
				err = json.UnmarshalDecode(dec, result)
			}
		case "error_code":
			err = json.UnmarshalDecode(dec, &env.code)
		case "description":
			err = json.UnmarshalDecode(dec, &env.description)
		case "parameters":
			var p responseParameters
			err = json.UnmarshalDecode(dec, &p)
			env.retryAfter, env.migrateTo = p.RetryAfter, p.MigrateToChatID
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return env, err
		}
	}
	_, err = dec.ReadToken() // '}'
	return env, err
}

// isDecodeError tells malformed JSON or a result of the wrong shape apart
// from a failure to read the body, which is a network error. A body cut
// short (io.ErrUnexpectedEOF) counts as a network error.
func isDecodeError(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	if err == io.EOF { // empty body
		return true
	}
	if _, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		return true
	}
	_, ok := errors.AsType[*json.SemanticError](err)
	return ok
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
	snippet := strings.Join(strings.Fields(strings.ToValidUTF8(string(buf[:n]), "\uFFFD")), " ")
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
		Description: h.redact.text(desc),
		RetryAfter:  parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
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
