package tg

import (
	stdjson "encoding/json"
	"os"
	"testing"

	"github.com/go-json-experiment/json"
)

// benchUpdate is a realistic 1–2 KB update: a supergroup message replying to a
// bot message, with entities, a text mention and inline keyboards.
func benchUpdate(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/text_message.json")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecodeUpdate decodes the update with Herald's types and JSON v2.
func BenchmarkDecodeUpdate(b *testing.B) {
	data := benchUpdate(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var u Update
		if err := json.Unmarshal(data, &u); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSendMessage() *SendMessageParams {
	return &SendMessageParams{
		ChatID:          ID(-1001987654321),
		MessageThreadID: 2999,
		Text:            "Order <b>#42</b> confirmed. We will message you when it ships.",
		ParseMode:       "HTML",
		ReplyParameters: &ReplyParameters{MessageID: 5821},
		ReplyMarkup: &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
			{{Text: "Track", CallbackData: "track:42"}, {Text: "Cancel", CallbackData: "order:cancel:42"}},
			{{Text: "Open shop", URL: "https://example.com/shop"}},
		}},
	}
}

// BenchmarkEncodeSendMessage encodes sendMessage parameters with JSON v2.
func BenchmarkEncodeSendMessage(b *testing.B) {
	p := benchSendMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeSendMessageStdlib is the encoding/json v1 baseline.
func BenchmarkEncodeSendMessageStdlib(b *testing.B) {
	p := benchSendMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stdjson.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeParams encodes sendMessage parameters as every call does
// (encodeParams: JSON v2 with the upload hook where a type can hold one).
func BenchmarkEncodeParams(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    *SendMessageParams
	}{
		{"echo", &SendMessageParams{ChatID: ID(1_000_042), Text: "bench 17"}},
		{"full", benchSendMessage()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := encodeParams(bc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
