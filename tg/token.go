package tg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// redactedText replaces the token (or anything derived from it) wherever
// it would otherwise be printed.
const redactedText = "<redacted>"

// secret holds text that contains the bot token. Every fmt verb prints
// "<redacted>", so a secret never leaks through logging or %#v dumps.
type secret string

func (secret) String() string             { return redactedText }
func (secret) GoString() string           { return redactedText }
func (secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redactedText)) }
func (s secret) reveal() string           { return string(s) }

var (
	errEmptyToken     = errors.New("tg: empty bot token")
	errMalformedToken = errors.New("tg: malformed bot token: want <bot id>:<secret>")
)

// parseToken checks the shape "<digits>:<secret>" and returns the bot id.
// The secret may contain only characters Telegram uses (A-Z a-z 0-9 _ -),
// which also keeps it safe to place in a URL path unescaped.
// Errors never include the token.
func parseToken(token string) (int64, error) {
	if token == "" {
		return 0, errEmptyToken
	}
	idPart, key, ok := strings.Cut(token, ":")
	if !ok || idPart == "" || key == "" || len(idPart) > 19 {
		return 0, errMalformedToken
	}
	for i := 0; i < len(idPart); i++ {
		if idPart[i] < '0' || idPart[i] > '9' {
			return 0, errMalformedToken
		}
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return 0, errMalformedToken
		}
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 {
		return 0, errMalformedToken
	}
	return id, nil
}

// BotIDOf returns the bot id at the start of token ("<bot id>:<secret>"),
// or an error, which never includes the token, when it is malformed.
func BotIDOf(token string) (int64, error) { return parseToken(token) }
