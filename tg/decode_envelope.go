package tg

import (
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeEnvelopeBytes is decodeEnvelope (response.go) for a body read
// whole: it reads the response object with the scanner, decoding "result"
// into result (or skipping it when result is nil), with the same results
// and errors (io.EOF for an empty body) and the same leniency: invalid
// UTF-8 becomes U+FFFD. Like decodeEnvelope it stops at the object's end.
// The results of the generated types (*Update, *Message, …, *[]Update,
// *[]Message) are scanned too; others go through json.Unmarshal.
func decodeEnvelopeBytes(data []byte, result any) (envelope, error) {
	var env envelope
	s := scanner{data: data, lenient: true}
	switch c := s.peek(); {
	case c == 0 && s.pos == len(data):
		return env, io.EOF
	case c != '{':
		if k := kindOf(c); k != 0 {
			return env, fmt.Errorf("response is a JSON %s, not an object", k)
		}
		return env, s.invalidChar(c, "at start of value")
	}
	s.pos++
	s.depth++
	var seen [1]uint64
	var unknown nameSet
	for i := 0; ; i++ {
		name, ok, err := s.member(i)
		if !ok {
			return env, err
		}
		switch string(name) {
		case "ok":
			if err = s.mark(seen[:], 0, name); err == nil {
				err = s.readBool(&env.ok)
				env.hasOK = err == nil
			}
		case "result":
			if err = s.mark(seen[:], 1, name); err == nil {
				err = s.readResult(result)
			}
		case "error_code":
			if err = s.mark(seen[:], 2, name); err == nil {
				var code int64
				err = s.readInt(&code)
				env.code = int(code)
			}
		case "description":
			if err = s.mark(seen[:], 3, name); err == nil {
				err = s.readString(&env.description)
			}
		case "parameters":
			if err = s.mark(seen[:], 4, name); err == nil {
				var p responseParameters // rare: decoded as decodeEnvelope does
				err = s.readResult(&p)
				env.retryAfter, env.migrateTo = p.RetryAfter, p.MigrateToChatID
			}
		default:
			err = s.skipUnknown(&unknown, name)
		}
		if err != nil {
			return env, err
		}
	}
}

// readResult decodes the value of "result" into result.
func (s *scanner) readResult(result any) error {
	switch r := result.(type) {
	case nil:
		return s.skip()
	case scanDecoder:
		return r.decodeJSON(s)
	case *[]Update:
		return decodeUpdateList(s, r)
	case *[]Message:
		return decodeMessageList(s, r)
	}
	raw, err := s.value()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, result, jsontext.AllowInvalidUTF8(true))
}
