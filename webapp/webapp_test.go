package webapp

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testToken = "123456:AAE-test_token_value"

var now = time.Unix(1_800_000_000, 0)

func fixedNow() time.Time { return now }

// signed returns initData with fields and a valid hash for token.
func signed(token string, fields map[string]string) string {
	q := url.Values{}
	for k, v := range fields {
		q.Set(k, v)
	}
	q.Set("hash", Sign(SecretKey(token), fields))
	return q.Encode()
}

func sample(authDate time.Time) map[string]string {
	return map[string]string{
		"query_id":       "AAHdF6IQAAAAAN0XohDhrOrc",
		"user":           `{"id":279058397,"first_name":"Ann","last_name":"Lee","username":"ann","language_code":"de","is_premium":true,"allows_write_to_pm":true}`,
		"chat":           `{"id":-100123,"type":"supergroup","title":"Club & co"}`,
		"chat_type":      "supergroup",
		"chat_instance":  "-42",
		"start_param":    "ref_7",
		"can_send_after": "3",
		"auth_date":      strconv.FormatInt(authDate.Unix(), 10),
		"signature":      "c2ln", // a field like any other for the hash
	}
}

func TestValidate(t *testing.T) {
	v, err := NewValidator(testToken, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.Validate(signed(testToken, sample(now.Add(-time.Hour))))
	if err != nil {
		t.Fatal(err)
	}
	if d.QueryID != "AAHdF6IQAAAAAN0XohDhrOrc" || d.User == nil || d.User.ID != 279058397 || d.User.FirstName != "Ann" ||
		!d.User.IsPremium || !d.User.AllowsWriteToPM || d.User.LanguageCode != "de" || d.Chat == nil || d.Chat.ID != -100123 ||
		d.Chat.Title != "Club & co" || d.ChatType != "supergroup" || d.ChatInstance != "-42" || d.StartParam != "ref_7" ||
		d.CanSendAfter != 3*time.Second || !d.AuthDate.Equal(now.Add(-time.Hour)) || d.Receiver != nil || d.Fields["signature"] != "c2ln" {
		t.Errorf("decoded %+v (user %+v, chat %+v)", d, d.User, d.Chat)
	}
}

func TestValidateFailures(t *testing.T) {
	v, _ := NewValidator(testToken, Options{Now: fixedNow, MaxAge: time.Hour})
	good := signed(testToken, sample(now.Add(-time.Minute)))
	tamper := func(from, to string) string {
		if !strings.Contains(good, from) {
			t.Fatalf("%q not in %q", from, good)
		}
		return strings.Replace(good, from, to, 1)
	}
	noHash := url.Values{}
	for k, val := range sample(now) {
		noHash.Set(k, val)
	}
	old := sample(now.Add(-2 * time.Hour))
	future := sample(now.Add(5 * time.Minute))
	badDate := sample(now)
	badDate["auth_date"] = "yesterday"
	noDate := sample(now)
	delete(noDate, "auth_date")
	badUser := sample(now)
	badUser["user"] = `{"id":"x"}`
	for name, c := range map[string]struct {
		data string
		want error
	}{
		"user changed":     {tamper("279058397", "279058398"), ErrSignature},
		"start changed":    {tamper("ref_7", "ref_8"), ErrSignature},
		"other token":      {signed("123456:other", sample(now)), ErrSignature},
		"hash not hex":     {good + "zz", ErrSignature},
		"field added":      {good + "&extra=1", ErrSignature},
		"no hash":          {noHash.Encode(), ErrMissing},
		"field twice":      {good + "&start_param=x", ErrMalformed},
		"not a query":      {"a=%zz", ErrMalformed},
		"too old":          {signed(testToken, old), ErrExpired},
		"future":           {signed(testToken, future), ErrExpired},
		"auth_date word":   {signed(testToken, badDate), ErrMalformed},
		"auth_date absent": {signed(testToken, noDate), ErrMissing},
		"user not json":    {signed(testToken, badUser), ErrMalformed},
	} {
		_, err := v.Validate(c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "AAE-test_token_value") || strings.Contains(msg, Sign(SecretKey(testToken), sample(now))[:16]) {
			t.Errorf("%s: error %q leaks a secret", name, msg)
		}
	}
	// The age check can be turned off.
	lenient, _ := NewValidator(testToken, Options{Now: fixedNow, MaxAge: NoAgeLimit})
	if _, err := lenient.Validate(signed(testToken, old)); err != nil {
		t.Errorf("NoAgeLimit: %v", err)
	}
	if _, err := NewValidator("not a token", Options{}); err == nil || strings.Contains(err.Error(), "not a token") {
		t.Errorf("bad token: %v", err)
	}
}

// TestValidateKnownVector checks a hash computed by Telegram's algorithm
// elsewhere (the sample of the @tma.js/init-data documentation), so that
// the data-check-string and key derivation here agree with Telegram's.
func TestValidateKnownVector(t *testing.T) {
	const initData = "query_id=AAHdF6IQAAAAAN0XohDhrOrc" +
		"&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D" +
		"&auth_date=1662771648&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
	v, _ := NewValidator("5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8", Options{MaxAge: NoAgeLimit})
	d, err := v.Validate(initData)
	if err != nil {
		t.Fatal(err)
	}
	if d.User.Username != "vdkfrost" || d.AuthDate.Unix() != 1662771648 {
		t.Errorf("%+v", d.User)
	}
	if _, err := (&Validator{secret: SecretKey("5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8")}).Validate(initData); !errors.Is(err, ErrExpired) {
		t.Errorf("default max age: %v", err)
	}
}

// thirdParty returns initData signed with priv for bot, as Telegram does.
func thirdParty(priv ed25519.PrivateKey, bot int64, fields map[string]string) string {
	sig := ed25519.Sign(priv, ThirdPartyMessage(bot, fields))
	q := url.Values{}
	for k, v := range fields {
		q.Set(k, v)
	}
	q.Set("signature", base64.RawURLEncoding.EncodeToString(sig))
	q.Set("hash", "0123") // present in real initData; not part of the signed message
	return q.Encode()
}

func TestValidateThirdParty(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fields := sample(now.Add(-time.Minute))
	delete(fields, "signature")
	data := thirdParty(priv, 123456, fields)
	opts := Options{Now: fixedNow}
	d, err := ValidateThirdParty(data, 123456, pub, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.User.ID != 279058397 || d.StartParam != "ref_7" {
		t.Errorf("%+v", d)
	}
	prod, err := PublicKey(ProductionKey)
	if err != nil {
		t.Fatal(err)
	}
	test, err := PublicKey(TestKey)
	if err != nil {
		t.Fatal(err)
	}
	old := sample(now.Add(-48 * time.Hour))
	delete(old, "signature")
	noSig := url.Values{"auth_date": {"1"}, "hash": {"ab"}}
	for name, c := range map[string]struct {
		data string
		bot  int64
		key  ed25519.PublicKey
		want error
	}{
		"other bot":      {data, 654321, pub, ErrSignature},
		"production key": {data, 123456, prod, ErrSignature},
		"test key":       {data, 123456, test, ErrSignature},
		"tampered":       {strings.Replace(data, "ref_7", "ref_9", 1), 123456, pub, ErrSignature},
		"signature cut":  {strings.Replace(data, "signature=", "signature=AA", 1), 123456, pub, ErrSignature},
		"no signature":   {noSig.Encode(), 123456, pub, ErrMissing},
		"too old":        {thirdParty(priv, 123456, old), 123456, pub, ErrExpired},
	} {
		if _, err := ValidateThirdParty(c.data, c.bot, c.key, opts); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
	if _, err := ValidateThirdParty(data, 123456, pub[:5], opts); err == nil {
		t.Error("short key accepted")
	}
	if _, err := PublicKey("abcd"); err == nil {
		t.Error("short hex key accepted")
	}
}
