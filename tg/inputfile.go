package tg

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

type fileKind uint8

const (
	fileNone fileKind = iota
	fileByID
	fileByURL
	fileByUpload
)

// InputFile is a file to send: an existing file_id, an HTTP URL Telegram
// downloads by itself, or new content uploaded from an io.Reader. The zero
// value is unset, so an omitzero parameter holding it is left out.
//
// Uploads are streamed as multipart/form-data by Client.Call, never
// buffered in memory. The reader is not closed by the client. It is read
// once per attempt; if a call is repeated (e.g. by a retry middleware) the
// reader is rewound when it is an io.Seeker, and the call fails otherwise.
// An upload InputFile must not be used by two calls at the same time.
type InputFile struct {
	kind fileKind
	ref  string  // file_id or URL
	up   *upload // upload state, shared by copies of the value
}

// FileID returns an InputFile for a file already on Telegram's servers.
// An empty id gives the zero InputFile.
func FileID(id string) InputFile {
	if id == "" {
		return InputFile{}
	}
	return InputFile{kind: fileByID, ref: id}
}

// FileURL returns an InputFile that Telegram fetches from an HTTP(S) URL.
// An empty URL gives the zero InputFile.
func FileURL(u string) InputFile {
	if u == "" {
		return InputFile{}
	}
	return InputFile{kind: fileByURL, ref: u}
}

// FileUpload returns an InputFile uploading the content of r under the
// given file name (Telegram shows it for documents; "file" if empty).
// A nil r gives the zero InputFile.
func FileUpload(name string, r io.Reader) InputFile {
	if r == nil {
		return InputFile{}
	}
	if name == "" {
		name = "file"
	}
	return InputFile{kind: fileByUpload, up: &upload{name: name, r: r}}
}

// IsZero reports whether f is unset.
func (f InputFile) IsZero() bool { return f.kind == fileNone }

// ID returns the file_id and true if f refers to an existing file.
func (f InputFile) ID() (string, bool) { return f.ref, f.kind == fileByID }

// URL returns the URL and true if f is fetched by Telegram from a URL.
func (f InputFile) URL() (string, bool) { return f.ref, f.kind == fileByURL }

// Upload returns the file name and reader and true if f is an upload.
func (f InputFile) Upload() (name string, r io.Reader, ok bool) {
	if f.kind != fileByUpload {
		return "", nil, false
	}
	return f.up.name, f.up.r, true
}

// String describes f for logs: "file_id:…", "url:…", "upload:name" or "".
func (f InputFile) String() string {
	switch f.kind {
	case fileByID:
		return "file_id:" + f.ref
	case fileByURL:
		return "url:" + f.ref
	case fileByUpload:
		return "upload:" + strconv.Quote(f.up.name)
	default:
		return ""
	}
}

var errUnsetInputFile = errors.New("tg: InputFile is unset")

// MarshalJSONTo writes a file_id or URL as a JSON string. An upload can
// only be encoded by Client.Call, which streams it as a multipart part, so
// marshalling one here is an error.
func (f InputFile) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch f.kind {
	case fileByID, fileByURL:
		return enc.WriteToken(jsontext.String(f.ref))
	case fileByUpload:
		return fmt.Errorf("tg: InputFile upload %q can only be sent through Client.Call", f.up.name)
	default:
		return errUnsetInputFile
	}
}

// UnmarshalJSONFrom reads a JSON string: a URL if it starts with http://
// or https://, else a file_id. null gives the zero InputFile.
func (f *InputFile) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*f = InputFile{}
	case '"':
		s := tok.String()
		if hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") {
			*f = FileURL(s)
		} else {
			*f = FileID(s)
		}
	default:
		return fmt.Errorf("tg: InputFile must be a JSON string, got %s", tok.Kind())
	}
	return nil
}

// MarshalJSON implements the encoding/json v1 Marshaler.
func (f InputFile) MarshalJSON() ([]byte, error) { return json.Marshal(f) }

// UnmarshalJSON implements the encoding/json v1 Unmarshaler.
func (f *InputFile) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, f) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
