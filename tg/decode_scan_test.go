package tg

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeBoth decodes in with DecodeUpdate and with json.Unmarshal, whose
// syntax checks are jsontext's, and fails unless both agree.
func decodeBoth(t testing.TB, in []byte) (Update, error) {
	t.Helper()
	fast, err := DecodeUpdate(in)
	var v2 Update
	err2 := json.Unmarshal(in, &v2)
	if (err == nil) != (err2 == nil) {
		t.Fatalf("%q: DecodeUpdate: %v; json.Unmarshal: %v", in, err, err2)
	}
	if err == nil && !reflect.DeepEqual(fast, v2) {
		t.Fatalf("%q: DecodeUpdate gives %+v, json.Unmarshal %+v", in, fast, v2)
	}
	return fast, err
}

func TestScanStrings(t *testing.T) {
	for in, want := range map[string]string{
		`"plain"`:                  "plain",
		`""`:                       "",
		`"\"\\\/\b\f\n\r\t"`:       "\"\\/\b\f\n\r\t",
		`"\u00e9\u00E9 caf\u00e9"`: "éé café",
		`"\ud83d\ude00 smile"`:     "😀 smile",
		`"\uD83D\uDE00"`:           "😀",
		`"Ада ☕ 😀"`:                "Ада ☕ 😀",
		`"a long enough string to use the eight-byte path, then \n an escape"`: "a long enough string to use the eight-byte path, then \n an escape",
		`"12345678\u0041"`: "12345678A",
		`"\u0000"`:         "\x00",
	} {
		u, err := decodeBoth(t, []byte(`{"update_id":1,"message":{"message_id":2,"text":`+in+`}}`))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if u.Message.Text != want {
			t.Errorf("%s: %q, want %q", in, u.Message.Text, want)
		}
	}
	for _, in := range []string{
		`"\ud83d"`,         // lone high surrogate
		`"\ude00"`,         // lone low surrogate
		`"\ud83d\u0041"`,   // high surrogate, then not a low one
		`"\ud83dx"`,        // high surrogate, then text
		`"\x"`,             // unknown escape
		`"\u12"`,           // short escape
		`"\u12g4"`,         // not hex
		"\"tab\there\"",    // control character
		"\"\xff\"",         // invalid UTF-8
		"\"caf\xc3\"",      // cut UTF-8 sequence
		"\"\xed\xa0\x80\"", // encoded surrogate
		`"unterminated`,
	} {
		if _, err := decodeBoth(t, []byte(`{"update_id":1,"message":{"message_id":2,"text":`+in+`}}`)); err == nil {
			t.Errorf("%s: decoded without error", in)
		}
	}
}

// With jsontext.AllowInvalidUTF8, as the client decodes responses, invalid
// UTF-8 and unpaired surrogates become U+FFFD.
func TestScanLenientUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"\"a\xffb\"":                  "a\uFFFDb",
		"\"caf\xc3 \\n\"":             "caf\uFFFD \n",
		`"\ud83d!"`:                   "\uFFFD!",
		`"x\ude00\ud83d\ude00"`:       "x\uFFFD😀",
		"\"\xed\xa0\x80\"":            "\uFFFD\uFFFD\uFFFD",
		"\"fine 😀 \xf0\x9f\x98 cut\"": "fine 😀 \uFFFD\uFFFD\uFFFD cut",
	} {
		var u Update
		in := `{"update_id":1,"message":{"message_id":2,"text":` + in + `}}`
		if err := json.Unmarshal([]byte(in), &u, jsontext.AllowInvalidUTF8(true)); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if u.Message.Text != want {
			t.Errorf("%q: %q, want %q", in, u.Message.Text, want)
		}
		if _, err := DecodeUpdate([]byte(in)); err == nil {
			t.Errorf("%q: DecodeUpdate accepted invalid text", in)
		}
	}
}

func TestScanIntegers(t *testing.T) {
	for in, want := range map[string]int64{
		`0`:                    0,
		`-0`:                   0,
		`42`:                   42,
		`-1002233445566`:       -1002233445566,
		`9223372036854775807`:  math.MaxInt64,
		`-9223372036854775808`: math.MinInt64,
		`123456789012345678`:   123456789012345678,
		`1234567890123456789`:  1234567890123456789,
		` 7 `:                  7,
		`null`:                 0,
	} {
		u, err := decodeBoth(t, []byte(`{"update_id":`+in+`}`))
		if err != nil || u.UpdateID != want {
			t.Errorf("%s: %d, %v; want %d", in, u.UpdateID, err, want)
		}
	}
	for _, in := range []string{
		`9223372036854775808`, `-9223372036854775809`, `99999999999999999999`,
		`1.0`, `1e3`, `1E+2`, `-`, `01`, `-01`, `+1`, `.5`, `1.`, `1e`, `0x10`, `"1"`, `true`, `[]`, `{}`, `nul`, `Infinity`,
	} {
		if _, err := decodeBoth(t, []byte(`{"update_id":`+in+`}`)); err == nil {
			t.Errorf("%s: decoded as an integer", in)
		}
	}
}

func TestScanFloats(t *testing.T) {
	loc := func(lat string) string {
		return `{"update_id":1,"message":{"message_id":1,"location":{"latitude":` + lat + `,"longitude":0}}}`
	}
	for in, want := range map[string]float64{
		`52.2297`:            52.2297,
		`-0.5`:               -0.5,
		`1e2`:                100,
		`1E-2`:               0.01,
		`-12`:                -12,
		`123456789012345678`: 123456789012345678,
		`null`:               0,
	} {
		u, err := decodeBoth(t, []byte(loc(in)))
		if err != nil || u.Message.Location.Latitude != want {
			t.Errorf("%s: %v, %v; want %v", in, u.Message, err, want)
		}
	}
	u, err := decodeBoth(t, []byte(loc(`-0`)))
	if err != nil || !math.Signbit(u.Message.Location.Latitude) {
		t.Errorf("-0: %v, %v", u.Message, err)
	}
	for _, in := range []string{`1e400`, `-1e400`, `1.e1`, `"1"`, `NaN`, `- 1`} {
		if _, err := decodeBoth(t, []byte(loc(in))); err == nil {
			t.Errorf("%s: decoded as a float", in)
		}
	}
}

// Syntax that jsontext rejects is rejected, wherever it is: in a known
// member, in an unknown one that is skipped, or around the value.
func TestScanSyntax(t *testing.T) {
	for _, in := range []string{
		``, ` `, `{`, `}`, `{"update_id":1`, `{"update_id":1,}`, `{"update_id" 1}`, `{"update_id":1 "x":2}`,
		`{update_id:1}`, `{'update_id':1}`, `{"update_id":1}}`, `{"update_id":1} x`, `{"update_id":1}{}`,
		`{"x":[1,]}`, `{"x":[1 2]}`, `{"x":{"a":1,"a":2}}`, `{"x":{"a":1,"\u0061":2}}`, `{"x":tru}`, `{"x":nulll}`,
		`{"x":[}`, `{"x":{]}`, `{"x":"\q"}`, "{\"x\":\"\xff\"}", `{"x":01}`, `{"x":-}`, `{"x":1.}`,
		`{"update_id":1,"update_id":2}`, `{"x":1,"x":1}`, `{"update_id":1,"\u0075pdate_id":2}`,
		`{"message":{"message_id":1,"chat":{"id":1,"type":"private","id":2}}}`,
		`{"message":{"message_id":1,"text":"a","text":"b"}}`,
		`{"message":{"message_id":1,"forward_origin":{"type":"user","date":1,"type":"user"}}}`,
		`{"message":{"message_id":1,"forward_origin":{"type":"spaceship","a":1,"a":1}}}`,
		`[]`, `null`, `1`, `"x"`,
	} {
		_, err := DecodeUpdate([]byte(in))
		if err == nil {
			t.Errorf("%s: decoded without error", in)
			continue
		}
		if !isDecodeError(err) {
			t.Errorf("%s: %v (%T) is not reported as a decoding error", in, err, err)
		}
		if in != "null" {
			var u Update
			if json.Unmarshal([]byte(in), &u) == nil {
				t.Errorf("%s: json.Unmarshal accepts what DecodeUpdate rejects", in)
			}
		}
	}
	// Unknown members of any shape are skipped, white space is allowed.
	u, err := decodeBoth(t, []byte(" \t\r\n{ \"future\" : { \"a\" : [ 1 , -2.5e3 , true , false , null , \"s\\u00e9\" , { } , [ ] ] } ,\n \"update_id\" : 9 , \"a\":1, \"b\":2, \"c\":3, \"d\":4, \"e\":5, \"f\":6 } \n"))
	if err != nil || u.UpdateID != 9 {
		t.Errorf("skipping: %+v, %v", u, err)
	}
}

// Many unknown members still tell duplicates.
func TestScanManyUnknownNames(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"update_id":1`)
	for i := range 40 {
		b.WriteString(`,"k` + strings.Repeat("x", i) + `":1`)
	}
	if _, err := decodeBoth(t, []byte(b.String()+`}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeBoth(t, []byte(b.String()+`,"kxxx":2}`)); err == nil {
		t.Fatal("a duplicate among many unknown names was accepted")
	}
}

func TestScanDepth(t *testing.T) {
	nested := func(n int) []byte {
		return []byte(`{"update_id":1,"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
	}
	if _, err := decodeBoth(t, nested(maxDepth-1)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	if _, err := decodeBoth(t, nested(maxDepth)); err == nil {
		t.Errorf("depth %d: no error", maxDepth+1)
	}
	// Replies nested in replies: a typed path of the same depth.
	deep := strings.Repeat(`{"message_id":1,"reply_to_message":`, maxDepth) + `null` + strings.Repeat(`}`, maxDepth)
	if _, err := decodeBoth(t, []byte(`{"update_id":1,"message":`+deep+`}`)); err == nil {
		t.Error("nested replies deeper than the limit: no error")
	}
}

// Every prefix of an update is an error, never a panic.
func TestScanTruncated(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "text_message.json"))
	if err != nil {
		t.Fatal(err)
	}
	trimmed := strings.TrimSpace(string(data))
	for i := range len(trimmed) {
		_, err := DecodeUpdate([]byte(trimmed[:i]))
		if err == nil {
			t.Fatalf("%d of %d bytes decoded without error", i, len(trimmed))
		}
		var v2 Update
		if json.Unmarshal([]byte(trimmed[:i]), &v2) == nil {
			t.Fatalf("json.Unmarshal accepts %d bytes", i)
		}
	}
}

// DecodeUpdate gives what json.Unmarshal gives for every update in testdata.
func TestDecodeUpdateTestdata(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		for _, raw := range readUpdates(t, filepath.Base(name)) {
			if _, err := decodeBoth(t, raw); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

func TestDecodeUpdates(t *testing.T) {
	ups, err := DecodeUpdates([]byte(` [{"update_id":1},{"update_id":2,"message":{"message_id":3,"text":"hi"}}] `))
	if err != nil || len(ups) != 2 || ups[1].Message.Text != "hi" {
		t.Fatalf("%+v, %v", ups, err)
	}
	if ups, err := DecodeUpdates([]byte(`[]`)); err != nil || ups == nil || len(ups) != 0 {
		t.Errorf("[]: %#v, %v", ups, err)
	}
	for _, in := range []string{`[{"update_id":1}`, `[{"update_id":1}] x`, `{}`, `[1]`} {
		if _, err := DecodeUpdates([]byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

// isDecodeError reports whether err is a *json.SemanticError or a
// *jsontext.SyntacticError, as json.Unmarshal reports decoding errors.
func isDecodeError(err error) bool {
	_, semantic := errors.AsType[*json.SemanticError](err)
	_, syntactic := errors.AsType[*jsontext.SyntacticError](err)
	return semantic || syntactic
}

// UnmarshalJSON is the encoding/json entry point: the same decoder.
func TestUnmarshalJSONMethod(t *testing.T) {
	data := readUpdates(t, "callback_query.json")[0]
	var a, b Update
	if err := a.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("UnmarshalJSON gives %+v, json.Unmarshal %+v", a, b)
	}
}

// FuzzDecodeUpdateBytes: DecodeUpdate accepts exactly what json.Unmarshal
// (jsontext's syntax) accepts, and decodes it the same.
func FuzzDecodeUpdateBytes(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && jsonKind(data) == '{' {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"text":"\u00e9\ud83d\ude00","entities":[{"type":"bold","offset":0,"length":1}]}}`))
	f.Add([]byte(`{"update_id":1,"x":{"a":[1,2.5e-3,true,null,"\n"]},"callback_query":{"id":"q","message":{"chat":{"id":1,"type":"private"},"message_id":1,"date":0}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if jsonKind(data) != '{' {
			return // json.Unmarshal takes null, DecodeUpdate wants an object
		}
		decodeBoth(t, data)
	})
}
