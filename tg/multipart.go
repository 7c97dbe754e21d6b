package tg

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// filePart is an upload found while encoding params.
type filePart struct {
	part     string // multipart part name: the parameter, or the attach name
	topLevel bool   // a parameter of its own, not referenced by attach://
	up       *upload
}

// encodedParams is params as a JSON object plus the uploads it refers to.
type encodedParams struct {
	body  []byte
	files []filePart
}

// encodeParams marshals params to a JSON object. Uploads are recorded and
// written as "attach://<part>": a top-level parameter's part is named after
// the parameter (and the JSON member is later dropped from the form); a
// nested one (InputMedia, InputSticker, …) gets a generated part name
// that the JSON keeps referencing. An upload found again is not sent
// twice: the later member references the first one's part. nil params
// encode as {}.
func encodeParams(params any) (encodedParams, error) {
	var ep encodedParams
	if params == nil {
		ep.body = []byte("{}")
		return ep, nil
	}
	e := uploadEncoders.Get().(*uploadEncoder)
	defer e.release()
	body, err := json.Marshal(params, e.opts)
	if err != nil {
		return ep, err
	}
	switch k := jsontext.Value(body).Kind(); k {
	case '{':
		ep.body, ep.files = body, e.files
	case 'n':
		ep.body = []byte("{}")
	default:
		return ep, fmt.Errorf("params must encode as a JSON object, not %s", k)
	}
	return ep, nil
}

// uploadEncoder marshals params that may hold uploads. Its options,
// with the upload hook bound to it, are built once and reused, because
// JSON v2 caches per options value how it encodes each type: a new hook
// per call rebuilt that cache on every call.
type uploadEncoder struct {
	opts  json.Options
	files []filePart      // the uploads of the current call
	used  map[string]bool // part names taken
}

var uploadEncoders = sync.Pool{New: func() any {
	e := &uploadEncoder{used: make(map[string]bool)}
	e.opts = json.JoinOptions(json.WithMarshalers(json.MarshalToFunc(e.marshalFile)), jsontext.AllowInvalidUTF8(true))
	return e
}}

// release forgets the call's uploads (now owned by its encodedParams)
// and returns e to the pool.
func (e *uploadEncoder) release() {
	e.files = nil
	clear(e.used)
	uploadEncoders.Put(e)
}

// marshalFile writes an InputFile, recording uploads.
func (e *uploadEncoder) marshalFile(enc *jsontext.Encoder, f InputFile) error {
	if f.kind != fileByUpload {
		return f.MarshalJSONTo(enc)
	}
	// The same upload used again (one photo in two media) refers to the
	// part already made: its reader can be read only once.
	for _, p := range e.files {
		if p.up == f.up {
			return enc.WriteToken(jsontext.String("attach://" + p.part))
		}
	}
	fp := filePart{up: f.up}
	if enc.StackDepth() == 1 {
		if k, _ := enc.StackIndex(1); k == '{' {
			fp.part, fp.topLevel = enc.StackPointer().LastToken(), true
		}
	}
	for n := len(e.files); fp.part == "" || e.used[fp.part]; n++ {
		fp.part = "upload" + strconv.Itoa(n)
	}
	e.used[fp.part] = true
	e.files = append(e.files, fp)
	return enc.WriteToken(jsontext.String("attach://" + fp.part))
}

// formField is one text field of a multipart request.
type formField struct {
	name  string
	value []byte
}

// formFields turns the top-level members of the JSON object ep.body into
// form fields: strings unquoted, other values as JSON text, nulls dropped,
// and members replaced by a top-level file part left out.
func formFields(ep encodedParams) ([]formField, error) {
	skip := make(map[string]bool)
	for _, f := range ep.files {
		if f.topLevel {
			skip[f.part] = true
		}
	}
	dec := jsontext.NewDecoder(bytes.NewReader(ep.body), jsontext.AllowInvalidUTF8(true))
	if _, err := dec.ReadToken(); err != nil { // '{'
		return nil, err
	}
	var fields []formField
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		n := name.String() // before the next read voids the token
		v, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		switch {
		case skip[n] || v.Kind() == 'n':
			continue
		case v.Kind() == '"':
			s, err := jsontext.AppendUnquote(nil, v)
			if err != nil {
				return nil, err
			}
			fields = append(fields, formField{n, s})
		default:
			fields = append(fields, formField{n, bytes.Clone(v)})
		}
	}
	return fields, nil
}

// writeForm writes the multipart body: text fields first, then each file
// streamed from its reader. It closes mw but not the underlying writer.
func writeForm(mw *multipart.Writer, fields []formField, files []filePart) error {
	for _, f := range fields {
		w, err := mw.CreateFormField(f.name)
		if err != nil {
			return err
		}
		if _, err := w.Write(f.value); err != nil {
			return err
		}
	}
	for _, f := range files {
		h := make(textproto.MIMEHeader, 2)
		h.Set("Content-Disposition", multipart.FileContentDisposition(f.part, headerSafe(f.up.name)))
		h.Set("Content-Type", contentTypeOf(f.up.name))
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if err := f.up.copyTo(w); err != nil {
			return err
		}
	}
	return mw.Close()
}

// headerSafe percent-encodes the control characters of a file name that
// would make its part header unparsable (all but tab; CR and LF are
// already encoded by multipart.FileContentDisposition).
func headerSafe(name string) string {
	unsafe := func(c rune) bool { return (c < 0x20 || c == 0x7f) && c != '\t' && c != '\r' && c != '\n' }
	if !strings.ContainsFunc(name, unsafe) {
		return name
	}
	var b strings.Builder
	for _, c := range []byte(name) {
		if unsafe(rune(c)) {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func contentTypeOf(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// streamForm starts writing the multipart body in a goroutine and returns
// the body to send, its Content-Type, and a channel that receives the
// writer's result once the goroutine has ended. Closing body with an
// error makes the goroutine stop at its next write.
func streamForm(fields []formField, files []filePart) (body *io.PipeReader, contentType string, done <-chan error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	ch := make(chan error, 1)
	go func() {
		err := writeForm(mw, fields, files)
		pw.CloseWithError(err) // nil: the reader sees EOF
		ch <- err
	}()
	return pr, mw.FormDataContentType(), ch
}
