package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bots) != len(catalog) || len(c.Modes) != 2 || len(c.Works) != 2 || c.Users != 100 || c.Messages != 50 || c.Repeat != 1 {
		t.Errorf("defaults: %+v", c)
	}
	c, err = parseFlags([]string{"--bots", "grammy, herald", "--modes", "webhook", "--work", "1ms", "--users", "3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bots) != 2 || c.Bots[0].Name != herald || c.Bots[1].Name != "grammy" || c.Modes[0] != modeWebhook ||
		c.Works[0] != time.Millisecond || c.Users != 3 {
		t.Errorf("parsed: %+v", c)
	}
	for _, bad := range [][]string{
		{"--bots", "nope"}, {"--bots", ""}, {"--modes", "smoke"}, {"--work", "-1s"}, {"--work", "fast"},
		{"--users", "0"}, {"--messages", "1001"}, {"--repeat", "0"}, {"--timeout", "10ms"}, {"extra"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): no error", bad)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, b := newToken(800_001), newToken(800_001)
	if a == b || len(a) != len("800001:")+35 {
		t.Errorf("tokens %q and %q", a, b)
	}
}

func TestWithoutDir(t *testing.T) {
	got := withoutDir([]string{"--dir", "/x/bench/peers", "--users", "5", "-dir=/y", "--md", "a.md"})
	if want := "--users 5 --md a.md"; strings.Join(got, " ") != want {
		t.Errorf("withoutDir = %q, want %q", got, want)
	}
}
