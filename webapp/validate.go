package webapp

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

// DefaultMaxAge is the age limit of auth_date when Options.MaxAge is 0.
const DefaultMaxAge = 24 * time.Hour

// NoAgeLimit as Options.MaxAge turns the age check off.
const NoAgeLimit time.Duration = -1

// clockSkew is how far in the future auth_date may be (clocks differ).
const clockSkew = time.Minute

// Telegram's Ed25519 public keys for third-party validation, hex-encoded,
// as published in "Validating data for Third-Party Use":
// https://core.telegram.org/bots/webapps#validating-data-for-third-party-use
const (
	// ProductionKey signs the initData of the production environment.
	ProductionKey = "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d"
	// TestKey signs the initData of the test environment.
	TestKey = "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec"
)

// PublicKey decodes ProductionKey or TestKey (or another hex Ed25519
// public key).
func PublicKey(hexKey string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("webapp: %q is not a hex Ed25519 public key", hexKey)
	}
	return ed25519.PublicKey(b), nil
}

// Options tune a validation.
type Options struct {
	// MaxAge bounds the age of auth_date: 0 means DefaultMaxAge,
	// NoAgeLimit turns the check off.
	MaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) limits() (time.Duration, time.Time) {
	age := o.MaxAge
	if age == 0 {
		age = DefaultMaxAge
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	return age, now()
}

// Validator checks the hash of initData for one bot. It keeps only the
// secret derived from the token, never the token, and is safe for
// concurrent use.
type Validator struct {
	secret []byte
	opts   Options
}

// NewValidator returns a validator for the bot with token.
func NewValidator(token string, opts Options) (*Validator, error) {
	if _, err := tg.BotIDOf(token); err != nil {
		return nil, fmt.Errorf("webapp: %w", err)
	}
	return &Validator{secret: SecretKey(token), opts: opts}, nil
}

// SecretKey returns HMAC-SHA-256 of the token keyed with "WebAppData",
// the key of initData's hash.
func SecretKey(token string) []byte {
	m := hmac.New(sha256.New, []byte("WebAppData"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// Sign returns the hash field for the data-check-string of fields (all
// but hash), as Telegram computes it. It is what tests and emulators need
// to make initData.
func Sign(secret []byte, fields map[string]string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(dataCheckString(fields, "hash")))
	return hex.EncodeToString(m.Sum(nil))
}

// Validate checks initData's hash and age and returns its content.
func (v *Validator) Validate(initData string) (*InitData, error) {
	fields, err := parse(initData)
	if err != nil {
		return nil, err
	}
	got, ok := fields["hash"]
	if !ok || got == "" {
		return nil, fmt.Errorf("%w: hash", ErrMissing)
	}
	gotBytes, err := hex.DecodeString(got)
	want, _ := hex.DecodeString(Sign(v.secret, fields))
	if err != nil || !hmac.Equal(gotBytes, want) {
		return nil, fmt.Errorf("%w: hash", ErrSignature)
	}
	age, now := v.opts.limits()
	return decode(fields, age, now)
}

// ValidateThirdParty checks initData's Ed25519 signature by key (see
// PublicKey) for the bot botID, and its age, and returns its content.
// The hash field is neither needed nor checked.
func ValidateThirdParty(initData string, botID int64, key ed25519.PublicKey, opts Options) (*InitData, error) {
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("webapp: public key of %d bytes, want %d", len(key), ed25519.PublicKeySize)
	}
	fields, err := parse(initData)
	if err != nil {
		return nil, err
	}
	s, ok := fields["signature"]
	if !ok || s == "" {
		return nil, fmt.Errorf("%w: signature", ErrMissing)
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature is not %d bytes of base64url", ErrSignature, ed25519.SignatureSize)
	}
	if !ed25519.Verify(key, ThirdPartyMessage(botID, fields), sig) {
		return nil, fmt.Errorf("%w: Ed25519 signature for bot %d", ErrSignature, botID)
	}
	age, now := opts.limits()
	return decode(fields, age, now)
}

// ThirdPartyMessage returns what Telegram signs with Ed25519:
// "<bot_id>:WebAppData\n" and the data-check-string of every field but
// hash and signature.
func ThirdPartyMessage(botID int64, fields map[string]string) []byte {
	return []byte(strconv.FormatInt(botID, 10) + ":WebAppData\n" + dataCheckString(fields, "hash", "signature"))
}
