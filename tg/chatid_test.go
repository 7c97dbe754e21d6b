package tg

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestChatIDConstructors(t *testing.T) {
	if id, ok := ID(-100123).Int64(); !ok || id != -100123 {
		t.Errorf("ID.Int64() = %d, %v", id, ok)
	}
	for _, in := range []string{"durov", "@durov"} {
		c := Username(in)
		if c.String() != "@durov" {
			t.Errorf("Username(%q) = %q", in, c)
		}
		if _, ok := c.Int64(); ok {
			t.Errorf("Username(%q).Int64() ok", in)
		}
		if u, ok := c.Username(); !ok || u != "@durov" {
			t.Errorf("Username(%q).Username() = %q, %v", in, u, ok)
		}
	}
	for _, c := range []ChatID{{}, ID(0), Username(""), Username("@")} {
		if !c.IsZero() || c.String() != "" {
			t.Errorf("%#v should be zero", c)
		}
	}
	if ID(5).IsZero() || Username("x").IsZero() {
		t.Error("set ChatID reported zero")
	}
	if ID(42).String() != "42" {
		t.Errorf("ID(42).String() = %q", ID(42))
	}
}

func TestChatIDJSON(t *testing.T) {
	type params struct {
		Chat     ChatID `json:"chat_id"`
		Optional ChatID `json:"from_chat_id,omitzero"`
	}
	for _, tc := range []struct {
		in   ChatID
		want string
	}{
		{ID(-1001234567890), `{"chat_id":-1001234567890}`},
		{Username("channel"), `{"chat_id":"@channel"}`},
	} {
		for name, marshal := range map[string]func(any) ([]byte, error){
			"v2": func(v any) ([]byte, error) { return json.Marshal(v) },
			"v1": stdjson.Marshal,
		} {
			b, err := marshal(params{Chat: tc.in})
			if err != nil || string(b) != tc.want {
				t.Errorf("%s marshal %v = %s, %v; want %s", name, tc.in, b, err, tc.want)
			}
		}
		var back params
		if err := json.Unmarshal([]byte(tc.want), &back); err != nil || back.Chat != tc.in {
			t.Errorf("v2 round trip %s = %#v, %v", tc.want, back.Chat, err)
		}
		var back1 params
		if err := stdjson.Unmarshal([]byte(tc.want), &back1); err != nil || back1.Chat != tc.in {
			t.Errorf("v1 round trip %s = %#v, %v", tc.want, back1.Chat, err)
		}
	}
	if _, err := json.Marshal(params{}); err == nil || !strings.Contains(err.Error(), "ChatID is unset") {
		t.Errorf("unset required ChatID: %v", err)
	}
}

func TestChatIDUnmarshal(t *testing.T) {
	for in, want := range map[string]ChatID{
		`123`:          ID(123),
		`-100123`:      ID(-100123),
		`"-100123"`:    ID(-100123),
		`"@name"`:      Username("name"),
		`null`:         {},
		`"42"`:         ID(42),
		` 7 `:          ID(7),
		`"@na\u006De"`: Username("name"),
	} {
		var c ChatID
		if err := json.Unmarshal([]byte(in), &c); err != nil || c != want {
			t.Errorf("v2 %s = %#v, %v; want %#v", in, c, err, want)
		}
		c = ID(99)
		if err := c.UnmarshalJSON([]byte(in)); err != nil || c != want {
			t.Errorf("v1 %s = %#v, %v; want %#v", in, c, err, want)
		}
	}
	for _, in := range []string{`"durov"`, `"@"`, `1.5`, `1e3`, `true`, `{}`, `[]`, `"12x"`, `99999999999999999999`, `""`, `1 2`} {
		var c ChatID
		if err := json.Unmarshal([]byte(in), &c); err == nil {
			t.Errorf("v2 %s accepted as %#v", in, c)
		}
		if err := c.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("v1 %s accepted as %#v", in, c)
		}
	}
}

func TestChatIDParsing(t *testing.T) {
	for in, want := range map[string]string{
		`-1001234567890`:         "-1001234567890",
		`"-1001234567890"`:       "-1001234567890",
		`"@chan"`:                "@chan",
		`9223372036854775807`:    "9223372036854775807",
		`-9223372036854775808`:   "-9223372036854775808",
		`"-9223372036854775808"`: "-9223372036854775808",
		`null`:                   "",
	} {
		var c ChatID
		if err := c.UnmarshalJSON([]byte(in)); err != nil || c.String() != want {
			t.Errorf("%s: %q, %v; want %q", in, c, err, want)
		}
	}
	for _, in := range []string{`9223372036854775808`, `1.5`, `1e3`, `"@"`, `""`, `"chan"`, `"1 "`, `true`, `{}`, `[]`, `-`, `"12abc"`} {
		var c ChatID
		if err := c.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted as %q", in, c)
		}
	}
}
