package tg

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// envelopeResults are the kinds of result the generated methods decode.
var envelopeResults = []struct {
	name string
	new  func() any
}{
	{"updates", func() any { return new([]Update) }},
	{"message", func() any { return new(Message) }},
	{"messages", func() any { return new([]Message) }},
	{"user", func() any { return new(User) }},
	{"bool", func() any { return new(bool) }},
	{"messageOrBool", func() any { return new(MessageOrBool) }},
	{"chatMembers", func() any { return new([]boxChatMember) }},
	{"chatMember", func() any { return new(boxChatMember) }},
	{"nil", func() any { return nil }},
}

// envelopesAgree checks that decodeEnvelopeBytes gives what decodeEnvelope
// gives for body, for every kind of result.
func envelopesAgree(t *testing.T, body []byte) {
	t.Helper()
	for _, r := range envelopeResults {
		want, got := r.new(), r.new()
		envWant, errWant := decodeEnvelope(bytes.NewReader(body), want)
		envGot, errGot := decodeEnvelopeBytes(body, got)
		if (errWant == nil) != (errGot == nil) || (errWant == io.EOF) != (errGot == io.EOF) {
			t.Fatalf("%q into %s: decodeEnvelope: %v; decodeEnvelopeBytes: %v", body, r.name, errWant, errGot)
		}
		if errWant != nil {
			continue
		}
		if envWant != envGot {
			t.Fatalf("%q into %s: envelope %+v, want %+v", body, r.name, envGot, envWant)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%q into %s: result %+v, want %+v", body, r.name, got, want)
		}
	}
}

func TestDecodeEnvelopeBytes(t *testing.T) {
	for _, body := range []string{
		`{"ok":true,"result":[{"update_id":1,"message":{"message_id":2,"chat":{"id":3,"type":"private"},"date":4,"text":"hi"}}]}`,
		`{"ok":true,"result":[]}`,
		`{"ok":true,"result":{"message_id":5,"date":1,"chat":{"id":-100,"type":"supergroup"},"text":"x"}}`,
		`{"ok":true,"result":true}`,
		`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Bot"}}`,
		`{"ok":true,"result":[{"status":"creator","user":{"id":1,"is_bot":false,"first_name":"A"},"is_anonymous":false}]}`,
		`{"ok":true,"result":{"status":"member","user":{"id":1,"is_bot":false,"first_name":"A"}}}`,
		`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}`,
		`{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded","parameters":{"migrate_to_chat_id":-1001234,"x":1}}`,
		`{"description":"no ok","error_code":500}`,
		`{"ok":null,"result":null,"error_code":null,"description":null,"parameters":null}`,
		" \n{ \"ok\" : true , \"result\" : [ ] , \"extra\" : { \"a\" : [ 1 ] } } \n",
		`{"ok":true,"result":[]} trailing`,
		"{\"ok\":false,\"description\":\"bad \xff byte\"}",
		"{\"ok\":true,\"result\":[{\"update_id\":1,\"message\":{\"message_id\":1,\"text\":\"\\ud83d \xff\"}}]}",
		``, ` `, "\x00", "{\"ok\":true}\x00", `[]`, `null`, `"ok"`, `x`, `{`, `{"ok":true`, `{"ok":true,"result":[{"update_id":1}`,
		`{"ok":"true"}`, `{"ok":true,"ok":true}`, `{"ok":true,"x":1,"x":2}`, `{"error_code":1.5}`, `{"error_code":"1"}`,
		`{"parameters":{"retry_after":"5"}}`, `{"parameters":{"retry_after":1,"retry_after":2}}`, `{"parameters":[]}`,
		`{"ok":true,"result":[{"update_id":"1"}]}`, `{"ok":true,"result":{"update_id":1}}`,
	} {
		envelopesAgree(t, []byte(body))
	}
	if _, err := decodeEnvelopeBytes(nil, nil); err != io.EOF {
		t.Errorf("empty body: %v, want io.EOF", err)
	}
	if _, err := decodeEnvelopeBytes([]byte(`{"ok":tr`), nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut body: %v, want io.ErrUnexpectedEOF", err)
	}
}

// BenchmarkDecodeEnvelopeBytes decodes the getUpdates response of
// BenchmarkDecodeEnvelopeUpdates read whole.
func BenchmarkDecodeEnvelopeBytes(b *testing.B) {
	data := pollResponse(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var ups []Update
		if _, err := decodeEnvelopeBytes(data, &ups); err != nil || len(ups) != 100 {
			b.Fatal(len(ups), err)
		}
	}
}

// FuzzDecodeEnvelopeBytes: decodeEnvelopeBytes agrees with decodeEnvelope.
func FuzzDecodeEnvelopeBytes(f *testing.F) {
	f.Add([]byte(`{"ok":true,"result":[{"update_id":1,"message":{"message_id":2,"chat":{"id":3,"type":"private"},"date":4,"text":"hi"}}]}`))
	f.Add([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":5,"migrate_to_chat_id":-1}}`))
	f.Add([]byte(`{"ok":true,"result":{"status":"member","user":{"id":1,"is_bot":false,"first_name":"A"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		envelopesAgree(t, body)
	})
}
