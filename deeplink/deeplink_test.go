package deeplink

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	for _, c := range []struct {
		got  func() (string, error)
		want string
	}{
		{func() (string, error) { return Start("@shop_bot", "order-42_x") }, "https://t.me/shop_bot?start=order-42_x"},
		{func() (string, error) { return Start("shop_bot", "") }, "https://t.me/shop_bot?start="},
		{func() (string, error) { return StartGroup("shop_bot", "g1") }, "https://t.me/shop_bot?startgroup=g1"},
		{func() (string, error) { return StartGroup("shop_bot", "g1", DeleteMessages, PinMessages) }, "https://t.me/shop_bot?startgroup=g1&admin=delete_messages+pin_messages"},
		{func() (string, error) { return StartChannel("shop_bot", PostMessages) }, "https://t.me/shop_bot?startchannel&admin=post_messages"},
		{func() (string, error) { return StartApp("shop_bot", "", "ref") }, "https://t.me/shop_bot?startapp=ref"},
		{func() (string, error) { return StartApp("shop_bot", "cart", "ref") }, "https://t.me/shop_bot/cart?startapp=ref"},
	} {
		got, err := c.got()
		if err != nil || got != c.want {
			t.Errorf("got %q, %v; want %q", got, err, c.want)
			continue
		}
		l, err := Parse(got)
		if err != nil || l.Bot != "shop_bot" {
			t.Errorf("Parse(%q) = %+v, %v", got, l, err)
		}
	}
}

func TestLinksInvalid(t *testing.T) {
	for name, f := range map[string]func() (string, error){
		"payload char":    func() (string, error) { return Start("shop_bot", "a b") },
		"payload plus":    func() (string, error) { return Start("shop_bot", "a+b") },
		"payload long":    func() (string, error) { return Start("shop_bot", strings.Repeat("a", 65)) },
		"short bot":       func() (string, error) { return Start("bot", "") },
		"bot char":        func() (string, error) { return Start("shop-bot", "") },
		"right":           func() (string, error) { return StartGroup("shop_bot", "", "rule_all") },
		"channel, rights": func() (string, error) { return StartChannel("shop_bot") },
		"app payload":     func() (string, error) { return StartApp("shop_bot", "", strings.Repeat("a", 513)) },
		"app name":        func() (string, error) { return StartApp("shop_bot", "a/b", "") },
	} {
		if _, err := f(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := StartApp("shop_bot", "", strings.Repeat("a", 512)); err != nil {
		t.Errorf("512-character startapp: %v", err)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Link{
		"t.me/shop_bot?start=abc": {Bot: "shop_bot", Kind: KindStart, Payload: "abc"},
		"https://telegram.me/shop_bot?startgroup&admin=pin_messages+invite_users": {Bot: "shop_bot", Kind: KindStartGroup, Rights: []Right{PinMessages, InviteUsers}},
		"https://t.me/shop_bot/cart?startapp=x-1":                                 {Bot: "shop_bot", Kind: KindStartApp, App: "cart", Payload: "x-1"},
	} {
		got, err := Parse(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"https://example.com/shop_bot?start=a", "ftp://t.me/shop_bot?start=a", "https://t.me/shop_bot",
		"https://t.me/shop_bot?start=a&startgroup=b", "https://t.me/shop_bot?start=a%20b", "https://t.me/shop_bot/app?start=a",
		"https://t.me/shop_bot?startgroup=a&admin=everything", "https://t.me/x?start=a", "%zz",
	} {
		if _, err := Parse(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q): err = %v", bad, err)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	for n := 0; n <= MaxEncoded; n++ {
		data := bytes.Repeat([]byte{0xfb, 0xff, 0x00}, n)[:n] // bytes that need '-' and '_' in base64url
		p, err := Encode(data)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if err := Check(p, MaxPayload); err != nil {
			t.Fatalf("%d bytes: payload %q: %v", n, p, err)
		}
		back, err := Decode(p)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("%d bytes: decoded %x, %v", n, back, err)
		}
	}
	if _, err := Encode(make([]byte, MaxEncoded+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("49 bytes: %v", err)
	}
	for _, bad := range []string{"a", "ab+c", "a=="} {
		if _, err := Decode(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%q): %v", bad, err)
		}
	}
}

func TestPayload(t *testing.T) {
	for in, want := range map[string]struct {
		p  string
		ok bool
	}{
		"/start abc":          {"abc", true},
		"/start@shop_bot abc": {"abc", true},
		"/start":              {"", true},
		"/started abc":        {"", false},
		"hello":               {"", false},
		"/help abc":           {"", false},
	} {
		p, ok := Payload(in)
		if p != want.p || ok != want.ok {
			t.Errorf("Payload(%q) = %q, %v", in, p, ok)
		}
	}
}
