package webapp

import "errors"

// The errors of validation; every error returned wraps one of them.
var (
	// ErrMalformed: initData is not a query string, a field is repeated,
	// or a field (auth_date, user, chat, …) does not parse.
	ErrMalformed = errors.New("webapp: malformed init data")
	// ErrMissing: the hash, signature or auth_date field is absent.
	ErrMissing = errors.New("webapp: init data lacks a required field")
	// ErrSignature: the hash or signature does not match the data — the
	// data was changed, or signed for another bot or with another key.
	ErrSignature = errors.New("webapp: init data signature does not match")
	// ErrExpired: auth_date is older than the maximum age (or too far in
	// the future).
	ErrExpired = errors.New("webapp: init data expired")
)
