package tg

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// marshalOne runs a MarshalJSONTo-style fn and returns its single value;
// it backs the encoding/json v1 MarshalJSON methods.
func marshalOne(fn func(*jsontext.Encoder) error) ([]byte, error) {
	var buf bytes.Buffer
	if err := fn(jsontext.NewEncoder(&buf)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// unmarshalOne decodes exactly one JSON value from b with an
// UnmarshalJSONFrom-style fn; it backs the v1 UnmarshalJSON methods.
func unmarshalOne(b []byte, fn func(*jsontext.Decoder) error) error {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	if err := fn(dec); err != nil {
		return err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("tg: unexpected data after JSON value")
	}
	return nil
}
