package tg

import (
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file keeps the streaming envelope decoder the client used before
// decodeEnvelopeBytes, as the reference the tests compare it with.

// decodeEnvelope reads the response object in one pass from a stream, decoding "result"
// directly into result (or skipping it when result is nil).
func decodeEnvelope(r io.Reader, result any) (envelope, error) {
	var env envelope
	dec := jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return env, err
	}
	if tok.Kind() != '{' {
		return env, fmt.Errorf("response is a JSON %s, not an object", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return env, err
		}
		switch name.String() {
		case "ok":
			err = json.UnmarshalDecode(dec, &env.ok)
			env.hasOK = err == nil
		case "result":
			if result == nil {
				err = dec.SkipValue()
			} else {
				err = json.UnmarshalDecode(dec, result)
			}
		case "error_code":
			err = json.UnmarshalDecode(dec, &env.code)
		case "description":
			err = json.UnmarshalDecode(dec, &env.description)
		case "parameters":
			var p responseParameters
			err = json.UnmarshalDecode(dec, &p)
			env.retryAfter, env.migrateTo = p.RetryAfter, p.MigrateToChatID
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return env, err
		}
	}
	_, err = dec.ReadToken() // '}'
	return env, err
}
