package source

import (
	"errors"
	"strings"

	"github.com/go-json-experiment/json"
)

// encodeReply writes rep as {"method": "...", ...params}.
func encodeReply(rep *Reply) ([]byte, error) {
	if rep.Method == "" {
		return nil, errors.New("reply has no method")
	}
	params := []byte("{}")
	if rep.Params != nil {
		var err error
		if params, err = json.Marshal(rep.Params, json.Deterministic(true)); err != nil {
			return nil, err
		}
	}
	if string(params) == "null" {
		params = []byte("{}")
	}
	if len(params) < 2 || params[0] != '{' || params[len(params)-1] != '}' {
		return nil, errors.New("reply params do not encode to a JSON object")
	}
	method, err := json.Marshal(rep.Method)
	if err != nil {
		return nil, err
	}
	inner := strings.TrimSpace(string(params[1 : len(params)-1]))
	out := make([]byte, 0, len(`{"method":,}`)+len(method)+len(inner))
	out = append(out, `{"method":`...)
	out = append(out, method...)
	if inner != "" {
		out = append(out, ',')
		out = append(out, inner...)
	}
	return append(out, '}'), nil
}
