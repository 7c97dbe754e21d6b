package format

import "testing"

func TestEscapeHTML(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                    "plain",
		"a < b && c > d":           "a &lt; b &amp;&amp; c &gt; d",
		`<a href="x">`:             "&lt;a href=&quot;x&quot;&gt;",
		"&amp; stays escaped once": "&amp;amp; stays escaped once",
		"émoji 😀 _*[]":             "émoji 😀 _*[]",
	} {
		if got := EscapeHTML(in); got != want {
			t.Errorf("EscapeHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeMarkdownV2(t *testing.T) {
	all := "_*[]()~`>#+-=|{}.!\\"
	if got, want := EscapeMarkdownV2(all), `\_\*\[\]\(\)\~\`+"`"+`\>\#\+\-\=\|\{\}\.\!\\`; got != want {
		t.Errorf("EscapeMarkdownV2(all) = %s, want %s", got, want)
	}
	for in, want := range map[string]string{
		"Hello, world!": `Hello, world\!`,
		"1.5 + 2 = 3.5": `1\.5 \+ 2 \= 3\.5`,
		"😀 naïve (sic)": `😀 naïve \(sic\)`,
		"no specials":   "no specials",
		"":              "",
	} {
		if got := EscapeMarkdownV2(in); got != want {
			t.Errorf("EscapeMarkdownV2(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeMarkdownV2CodeAndURL(t *testing.T) {
	if got, want := EscapeMarkdownV2Code("a_b `x` c\\d (e)."), "a_b \\`x\\` c\\\\d (e)."; got != want {
		t.Errorf("Code: %q, want %q", got, want)
	}
	if got, want := EscapeMarkdownV2URL(`https://e.com/a_(b)\c?d=1.`), `https://e.com/a_(b\)\\c?d=1.`; got != want {
		t.Errorf("URL: %q, want %q", got, want)
	}
}
