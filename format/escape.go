package format

import "strings"

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// EscapeHTML escapes s for parse_mode HTML. Telegram asks for <, > and &
// outside tags to be written as &lt;, &gt; and &amp;; " becomes &quot; as
// well, so the result is also safe inside an attribute such as
// <a href="…">. The same escaping holds inside <code> and <pre>.
func EscapeHTML(s string) string { return htmlEscaper.Replace(s) }

// EscapeMarkdownV2 escapes s for parse_mode MarkdownV2 outside code, pre
// and link URLs: each of _ * [ ] ( ) ~ ` > # + - = | { } . ! and the
// backslash itself gets a preceding backslash.
func EscapeMarkdownV2(s string) string { return escapeWith(s, "\\_*[]()~`>#+-=|{}.!") }

// EscapeMarkdownV2Code escapes s for use inside a MarkdownV2 `code` or
// ```pre``` block, where only ` and \ must be escaped.
func EscapeMarkdownV2Code(s string) string { return escapeWith(s, "`\\") }

// EscapeMarkdownV2URL escapes s for use inside the (…) part of a
// MarkdownV2 inline link or custom emoji, where only ) and \ must be
// escaped.
func EscapeMarkdownV2URL(s string) string { return escapeWith(s, ")\\") }

// escapeWith puts a backslash before every byte of s that is in special
// (all special characters are ASCII, so bytes of multi-byte UTF-8
// sequences never match).
func escapeWith(s, special string) string {
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
