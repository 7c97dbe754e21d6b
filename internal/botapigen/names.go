package main

import (
	"strings"
	"unicode"
)

// initialisms are the snake_case words written in capitals in Go names.
var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs", "ip": "IP",
	"api": "API", "json": "JSON", "http": "HTTP", "https": "HTTPS",
	"uri": "URI", "html": "HTML",
}

// goName turns a snake_case Bot API name into an exported Go name:
// "chat_id" → "ChatID", "file_unique_id" → "FileUniqueID".
func goName(snake string) string {
	var b strings.Builder
	for _, w := range strings.Split(snake, "_") {
		if w == "" {
			continue
		}
		if up, ok := initialisms[w]; ok {
			b.WriteString(up)
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// methodName upper-cases the first letter: "sendMessage" → "SendMessage".
func methodName(name string) string {
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
