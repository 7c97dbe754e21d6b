package tg

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Error is an error answered by the Bot API (a response with "ok": false),
// or an HTTP response that was not a Bot API answer at all, such as an HTML
// error page from a proxy. It never contains the bot token or the URL.
type Error struct {
	// Method is the Bot API method that failed, e.g. "sendMessage".
	Method string
	// Code is the Bot API error_code, or the HTTP status when the response
	// was not a Bot API answer.
	Code int
	// Description is the human-readable reason given by the server.
	Description string
	// RetryAfter is how long to wait before repeating the request (429),
	// from parameters.retry_after or else the Retry-After header.
	RetryAfter time.Duration
	// MigrateToChatID is the new id of a group upgraded to a supergroup.
	MigrateToChatID int64
}

// Error formats the error as "tg: <method>: <code> <description>".
func (e *Error) Error() string {
	desc := e.Description
	if desc == "" {
		desc = http.StatusText(e.Code)
	}
	b := make([]byte, 0, 16+len(e.Method)+len(desc))
	b = append(b, "tg: "...)
	if e.Method != "" {
		b = append(b, e.Method...)
		b = append(b, ": "...)
	}
	b = strconv.AppendInt(b, int64(e.Code), 10)
	if desc != "" {
		b = append(b, ' ')
		b = append(b, desc...)
	}
	return string(b)
}

// NetworkError is a failure to reach the Bot API or to read its answer
// (DNS, connection refused or reset, TLS, timeouts, context cancellation).
// Err has the token scrubbed; errors.Is(err, context.Canceled) and similar
// checks see through it. The request may or may not have been executed.
type NetworkError struct {
	// Method is the Bot API method being called, e.g. "sendMessage".
	Method string
	// Err is the underlying error, with the token removed.
	Err error
}

// Error formats the error as "tg: <method>: <cause>".
func (e *NetworkError) Error() string {
	if e.Err == nil {
		return "tg: " + e.Method + ": network error"
	}
	return "tg: " + e.Method + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *NetworkError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout (including an expired
// context deadline).
func (e *NetworkError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	t, ok := errors.AsType[interface {
		error
		Timeout() bool
	}](e.Err)
	return ok && t.Timeout()
}

// IsCode reports whether err is, or wraps, an *Error with the given code.
func IsCode(err error, code int) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code == code
}

// IsTooManyRequests reports whether err is a 429 flood-control error and,
// if so, how long Telegram asked to wait (zero when it did not say).
func IsTooManyRequests(err error) (retryAfter time.Duration, ok bool) {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != http.StatusTooManyRequests {
		return 0, false
	}
	return e.RetryAfter, true
}

// IsMigrated reports whether err says the group became a supergroup and,
// if so, returns the supergroup's chat id to use instead.
func IsMigrated(err error) (newChatID int64, ok bool) {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.MigrateToChatID == 0 {
		return 0, false
	}
	return e.MigrateToChatID, true
}

// IsForbidden reports a 403: the bot was blocked by the user, kicked from
// the chat, or may not write there.
func IsForbidden(err error) bool { return IsCode(err, http.StatusForbidden) }

// IsUnauthorized reports a 401: the token is invalid or was revoked.
func IsUnauthorized(err error) bool { return IsCode(err, http.StatusUnauthorized) }

// IsConflict reports a 409: another getUpdates is running, or a webhook is
// set while polling.
func IsConflict(err error) bool { return IsCode(err, http.StatusConflict) }
