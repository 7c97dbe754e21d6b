package emulator

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// params is one request's parameters in a single representation, whatever
// the encoding they arrived in: every value is text. A JSON string is
// unquoted; a JSON number, boolean, object or array is kept as its JSON
// text, so that "42" and 42 read the same, and a reply_markup sent as a
// JSON string in a form reads the same as an object in a JSON body.
type params struct {
	vals  map[string]string
	files map[string]*formFile // multipart parts that carried a file name
}

// formFile is an uploaded multipart part.
type formFile struct {
	name        string // the file name given by the client
	contentType string
	data        []byte
}

func newParams() *params { return &params{vals: make(map[string]string, 8)} }

// has reports whether name was given with a non-empty value or as a file.
func (p *params) has(name string) bool {
	if p.vals[name] != "" {
		return true
	}
	_, ok := p.files[name]
	return ok
}

func (p *params) str(name string) string { return p.vals[name] }

// int reads an Integer parameter; validation already checked its syntax.
func (p *params) int(name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(p.vals[name]), 10, 64)
	return n
}

func (p *params) bool(name string) bool {
	b, _ := parseBool(p.vals[name])
	return b
}

// decode unmarshals a JSON-serialized parameter into v. It reports false
// when the parameter is absent.
func (p *params) decode(name string, v any) (bool, error) {
	s := p.vals[name]
	if s == "" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(s), v)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0", "":
		return false, true
	}
	return false, false
}

// readParams merges the query string and the body of r into params.
// maxBody bounds the body, uploads included.
func readParams(w http.ResponseWriter, r *http.Request, maxBody int64) (*params, *apiError) {
	p := newParams()
	p.setLast(r.URL.Query())
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxBody))
	if err := readBodyParams(p, body, r.Header.Get("Content-Type")); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
		}
		if ae, ok := errors.AsType[*apiError](err); ok {
			return nil, ae
		}
		return nil, badRequest("can't parse request body: %v", err)
	}
	return p, nil
}

// readBodyParams reads a request body of Content-Type ct into p. As Telegram
// does, it accepts a body with no parameters in every form clients send
// one: an empty (or all-white-space) body whatever the Content-Type, a
// JSON null or {}, an empty form, and a multipart body with no parts.
// A JSON body without a Content-Type is told from a form by its first
// character. A non-empty body of any other Content-Type is an error.
func readBodyParams(p *params, body *bufio.Reader, ct string) error {
	if empty, err := skipSpace(body); empty || err != nil {
		return err
	}
	mt, mtParams, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return readJSONParams(p, body)
	case mt == "application/x-www-form-urlencoded":
		return readFormParams(p, body)
	case mt == "multipart/form-data":
		return readMultipartParams(p, body, mtParams["boundary"])
	case strings.TrimSpace(ct) == "":
		// Some clients POST JSON without a Content-Type.
		if looksLikeJSON(body) {
			return readJSONParams(p, body)
		}
		return readFormParams(p, body)
	}
	if mt == "" {
		mt = ct
	}
	return badRequest("unsupported Content-Type %q: send parameters as application/json, application/x-www-form-urlencoded, multipart/form-data or in the query string", mt)
}

// skipSpace discards the white space at the start of r and reports
// whether that was all r held.
func skipSpace(r *bufio.Reader) (bool, error) {
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if !isJSONSpace(c) {
			return false, r.UnreadByte()
		}
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// looksLikeJSON reports whether the body ahead in r, which does not
// start with white space, is JSON rather than a form: it starts an
// object, an array or a string, or is null. Form encoders escape '{',
// '[' and '"', so no form a client sends starts with one of them.
func looksLikeJSON(r *bufio.Reader) bool {
	head, _ := r.Peek(len("null") + 1)
	if len(head) == 0 {
		return false
	}
	switch head[0] {
	case '{', '[', '"':
		return true
	}
	return len(head) >= 4 && string(head[:4]) == "null" && (len(head) == 4 || isJSONSpace(head[4]))
}

// readJSONParams reads a JSON body: an object of parameters, or null
// (no parameters, as telego and telebot send for methods without any).
// An empty body is no parameters too. Anything after the value is an
// error.
func readJSONParams(p *params, r io.Reader) error {
	dec := jsontext.NewDecoder(r)
	tok, err := dec.ReadToken()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
	case '{':
		if err := readJSONObject(p, dec); err != nil {
			return err
		}
	default:
		return badRequest("request body must be a JSON object")
	}
	switch _, err := dec.ReadValue(); err {
	case io.EOF:
		return nil
	case nil:
		return badRequest("request body must be a single JSON object, but more follows it")
	default:
		return err
	}
}

// readJSONObject reads the members of an object whose '{' dec has read,
// and its '}'.
func readJSONObject(p *params, dec *jsontext.Decoder) error {
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		name := tok.String() // before the next read voids tok
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		switch v.Kind() {
		case '"':
			s, err := jsontext.AppendUnquote(nil, v)
			if err != nil {
				return err
			}
			p.vals[name] = string(s)
		case 'n':
			delete(p.vals, name)
		default:
			p.vals[name] = string(v)
		}
	}
	_, err := dec.ReadToken()
	return err
}

func readFormParams(p *params, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	q, err := url.ParseQuery(string(b))
	if err != nil {
		return err
	}
	p.setLast(q)
	return nil
}

// setLast sets each parameter of q to its last value.
func (p *params) setLast(q url.Values) {
	for k, vs := range q {
		if len(vs) > 0 {
			p.vals[k] = vs[len(vs)-1]
		}
	}
}

func readMultipartParams(p *params, r io.Reader, boundary string) error {
	if boundary == "" {
		return errors.New("multipart body without a boundary")
	}
	mr := multipart.NewReader(r, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		name, fileName, isFile := partNames(part)
		if name == "" {
			continue
		}
		if isFile {
			if p.files == nil {
				p.files = make(map[string]*formFile)
			}
			p.files[name] = &formFile{name: fileName, contentType: part.Header.Get("Content-Type"), data: data}
			continue
		}
		p.vals[name] = string(data)
	}
}

// partNames returns a multipart part's field name and file name, and
// whether the part is a file: whether its Content-Disposition has a
// filename parameter, even an empty one (telebot uploads from an
// io.Reader with filename=""). The
// Content-Disposition header is read strictly first (RFC 7578, quoted
// strings, RFC 2231 encoded names). When that fails it is read much as
// Telegram's server reads it: ";"-separated key=value pairs, each value
// trimmed and taken out of surrounding double quotes, with no escapes.
// grammY, for one, sends file names unquoted (filename=my photo.png),
// which the strict reading rejects whenever the name holds a space, a
// non-ASCII letter or any other character not allowed in a MIME token.
func partNames(part *multipart.Part) (name, fileName string, isFile bool) {
	if name = part.FormName(); name != "" {
		_, dp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		_, isFile = dp["filename"]
		return name, part.FileName(), isFile
	}
	disposition, params, _ := strings.Cut(part.Header.Get("Content-Disposition"), ";")
	if !strings.EqualFold(strings.TrimSpace(disposition), "form-data") {
		return "", "", false
	}
	for param := range strings.SplitSeq(params, ";") {
		key, value, ok := strings.Cut(param, "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "name":
			name = value
		case "filename":
			fileName, isFile = value, true
		}
	}
	return name, fileName, isFile
}
