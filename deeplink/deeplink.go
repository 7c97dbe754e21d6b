package deeplink

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxPayload is the longest start or startgroup payload, in characters.
const MaxPayload = 64

// MaxAppPayload is the longest startapp payload, in characters.
const MaxAppPayload = 512

// MaxEncoded is the most bytes Encode accepts: 48 bytes are 64 base64
// characters.
const MaxEncoded = MaxPayload / 4 * 3

// ErrInvalid is wrapped by every error about a payload, bot username,
// admin right or link that Telegram would not accept.
var ErrInvalid = errors.New("deeplink: invalid")

// Check returns nil when payload is a valid start payload of at most max
// characters (MaxPayload, or MaxAppPayload for startapp).
func Check(payload string, max int) error {
	if len(payload) > max {
		return fmt.Errorf("%w: payload of %d characters, at most %d", ErrInvalid, len(payload), max)
	}
	for i := 0; i < len(payload); i++ {
		if !payloadByte(payload[i]) {
			return fmt.Errorf("%w: payload has %q at %d; only A-Z a-z 0-9 _ - are allowed", ErrInvalid, payload[i], i)
		}
	}
	return nil
}

func payloadByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// Encode returns data as a start payload (unpadded base64url, whose
// alphabet is the payload's), or an error when data is over MaxEncoded
// bytes.
func Encode(data []byte) (string, error) {
	if len(data) > MaxEncoded {
		return "", fmt.Errorf("%w: %d bytes encode to more than %d characters (at most %d bytes)", ErrInvalid, len(data), MaxPayload, MaxEncoded)
	}
	return base64.RawURLEncoding.EncodeToString(data), nil
}

// Decode reverses Encode.
func Decode(payload string) ([]byte, error) {
	if err := Check(payload, MaxAppPayload); err != nil {
		return nil, err
	}
	data, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url: %v", ErrInvalid, err)
	}
	return data, nil
}

// Payload returns the payload of a /start message ("/start p" or
// "/start@bot p"), and whether text is a /start command at all; a bare
// "/start" gives "" and true.
func Payload(text string) (string, bool) {
	cmd, rest, _ := strings.Cut(text, " ")
	name, _, _ := strings.Cut(cmd, "@")
	if name != "/start" {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// checkBot validates a bot username (with or without @) and returns it
// without @.
func checkBot(bot string) (string, error) {
	bot = strings.TrimPrefix(bot, "@")
	if len(bot) < 5 || len(bot) > 32 {
		return "", fmt.Errorf("%w: bot username %q must have 5 to 32 characters", ErrInvalid, bot)
	}
	for i := 0; i < len(bot); i++ {
		if c := bot[i]; !payloadByte(c) || c == '-' {
			return "", fmt.Errorf("%w: bot username %q may hold only A-Z a-z 0-9 _", ErrInvalid, bot)
		}
	}
	return bot, nil
}

func tme(path string, q string) string {
	return (&url.URL{Scheme: "https", Host: "t.me", Path: "/" + path, RawQuery: q}).String()
}
