package tg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

// A value of the wrong JSON kind is an error that names what was expected,
// for every kind of field the generated decoders read.
func TestDecodeWrongKinds(t *testing.T) {
	for _, in := range []string{
		`{"update_id":"1"}`,                                   // integer
		`{"update_id":1.5}`,                                   // integer with a fraction
		`{"update_id":99999999999999999999}`,                  // integer out of range
		`{"update_id":1,"message":[]}`,                        // object
		`{"update_id":1,"message":{"message_id":1,"text":5}}`, // string
		`{"update_id":1,"message":{"message_id":1,"from":{"id":1,"is_bot":"no"}}}`,   // boolean
		`{"update_id":1,"message":{"message_id":1,"entities":{}}}`,                   // array
		`{"update_id":1,"message":{"message_id":1,"location":{"latitude":"north"}}}`, // float
		`{"update_id":1,"message":{"message_id":1,"chat":"me"}}`,                     // struct value
		`{"update_id":1,"callback_query":{"id":"q","message":[1]}}`,                  // union
	} {
		var u Update
		err := json.Unmarshal([]byte(in), &u)
		if err == nil {
			t.Errorf("%s: decoded without error", in)
			continue
		}
		if !isDecodeError(err) {
			t.Errorf("%s: %v (%T) is not reported as a decoding error", in, err, err)
		}
		if _, err := DecodeUpdate([]byte(in)); !isDecodeError(err) {
			t.Errorf("%s: DecodeUpdate: %v (%T) is not reported as a decoding error", in, err, err)
		}
	}
}

// null is the absent value for every kind of field.
func TestDecodeNulls(t *testing.T) {
	in := `{"update_id":7,"message":{"message_id":1,"date":null,"text":null,"from":null,"entities":null,
		"chat":{"id":3,"type":"private","is_forum":null},"location":null,"forward_origin":null}}`
	var u Update
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	m := u.Message
	if u.UpdateID != 7 || m == nil || m.Date != 0 || m.Text != "" || m.From != nil || m.Entities != nil ||
		m.Chat.ID != 3 || m.Chat.IsForum || m.Location != nil || m.ForwardOrigin != nil {
		t.Errorf("nulls decoded as %+v", m)
	}
}

// An optional Boolean whose absence differs from false keeps the three
// states apart.
func TestDecodeOptionalBool(t *testing.T) {
	for in, want := range map[string]string{
		`{"request_id":1}`:                     "absent",
		`{"request_id":1,"user_is_bot":null}`:  "absent",
		`{"request_id":1,"user_is_bot":false}`: "false",
		`{"request_id":1,"user_is_bot":true}`:  "true",
	} {
		var r KeyboardButtonRequestUsers
		if err := json.Unmarshal([]byte(in), &r); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := "absent"
		if r.UserIsBot != nil {
			got = map[bool]string{false: "false", true: "true"}[*r.UserIsBot]
		}
		if got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
		out, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		if has := bytes.Contains(out, []byte("user_is_bot")); has != (want != "absent") {
			t.Errorf("%s encoded as %s", in, out)
		}
	}
	if err := json.Unmarshal([]byte(`{"user_is_bot":"yes"}`), new(KeyboardButtonRequestUsers)); err == nil {
		t.Error("a string decoded as an optional Boolean")
	}
}

// FuzzDecodeUpdate: any input either fails to decode with an error or
// decodes to an Update whose encoding is stable: decoding and encoding it
// again gives the same bytes. Never a panic. The seeds are the testdata
// updates, so plain `go test` runs them.
func FuzzDecodeUpdate(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if jsonKind(data) == '{' {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"text":"\u00e9\ud83d\ude00","entities":[{"type":"bold","offset":0,"length":1}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var u Update
		if err := json.Unmarshal(data, &u); err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Fatalf("decoding reported a panic: %v", err)
			}
			return
		}
		once, err := json.Marshal(&u)
		if err != nil {
			t.Fatalf("encoding a decoded update: %v", err)
		}
		var again Update
		if err := json.Unmarshal(once, &again); err != nil {
			t.Fatalf("decoding our own encoding %s: %v", once, err)
		}
		twice, err := json.Marshal(&again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("encoding not stable:\n%s\n%s", once, twice)
		}
	})
}
