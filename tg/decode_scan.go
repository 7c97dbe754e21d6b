package tg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds the JSON scanner behind the generated decoders
// (decode_gen.go): it reads one value at a time straight from a byte slice,
// with the strictness of jsontext's defaults. The input must be RFC 8259
// JSON: numbers, escapes and literals are checked as they are read, and so
// are the object member names, which must be unique (RFC 7493), and the
// nesting, at most maxDepth deep. Strings must be valid UTF-8 unless the
// scanner is lenient (jsontext.AllowInvalidUTF8), which turns invalid bytes
// and unpaired surrogate escapes into U+FFFD.

// maxDepth is how deep objects and arrays may nest, as in jsontext.
const maxDepth = 10000

// scanner reads JSON values from data, starting at pos.
type scanner struct {
	data    []byte
	pos     int
	depth   int
	lenient bool   // invalid UTF-8 becomes U+FFFD instead of an error
	base    int64  // offset of data in the whole input, for errors
	buf     []byte // unescaped text of the last string read with escapes
}

// scanDecoder is implemented by the pointers to every generated struct.
type scanDecoder interface {
	decodeJSON(*scanner) error
}

// scanValue reads the next value of dec and returns a scanner over it:
// the UnmarshalJSONFrom methods scan what jsontext has read, and checked.
// Invalid UTF-8 is allowed where dec allows it.
func scanValue(dec *jsontext.Decoder) (scanner, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return scanner{}, err
	}
	lenient, _ := json.GetOption(dec.Options(), jsontext.AllowInvalidUTF8)
	return scanner{data: raw, lenient: lenient, base: dec.InputOffset() - int64(len(raw))}, nil
}

// unmarshalFrom reads the next value of dec into x with the scanner.
func unmarshalFrom(dec *jsontext.Decoder, x scanDecoder) error {
	s, err := scanValue(dec)
	if err != nil {
		return err
	}
	return x.decodeJSON(&s)
}

// end checks that nothing but white space follows the value read.
func (s *scanner) end() error {
	if c := s.peek(); c != 0 || s.pos < len(s.data) {
		return s.syntaxError(s.pos, fmt.Sprintf("invalid character %s after top-level value", quoteChar(c)))
	}
	return nil
}

// Errors. Syntax errors are *jsontext.SyntacticError, values of the wrong
// kind or out of range *json.SemanticError, as json.Unmarshal reports them.

func (s *scanner) syntaxError(at int, msg string) error {
	return &jsontext.SyntacticError{ByteOffset: s.base + int64(at), Err: errors.New(msg)}
}

func (s *scanner) eofError() error {
	return &jsontext.SyntacticError{ByteOffset: s.base + int64(len(s.data)), Err: errUnexpectedEOF}
}

var errUnexpectedEOF = io.ErrUnexpectedEOF

// kindError reports a value of another kind than want ("an integer") at s.pos.
func (s *scanner) kindError(want string) error {
	c := s.peek()
	if kindOf(c) == 0 {
		return s.invalidChar(c, "at start of value")
	}
	return &json.SemanticError{ByteOffset: s.base + int64(s.pos), JSONKind: kindOf(c),
		Err: fmt.Errorf("expected %s, got %s", want, kindName(kindOf(c)))}
}

// valueError reports a value, starting at at, that its Go field cannot hold.
func (s *scanner) valueError(at int, kind jsontext.Kind, err error) error {
	return &json.SemanticError{ByteOffset: s.base + int64(at), JSONKind: kind, JSONValue: jsontext.Value(s.data[at:s.pos]).Clone(), Err: err}
}

func (s *scanner) invalidChar(c byte, where string) error {
	if s.pos >= len(s.data) {
		return s.eofError()
	}
	return s.syntaxError(s.pos, fmt.Sprintf("invalid character %s %s", quoteChar(c), where))
}

func (s *scanner) duplicateName(name []byte) error {
	return &jsontext.SyntacticError{ByteOffset: s.base + int64(s.pos), JSONPointer: jsontext.Pointer("").AppendToken(string(name)), Err: jsontext.ErrDuplicateName}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	return strconv.QuoteRune(rune(c))
}

// kindOf returns the kind of the value that starts with c, or 0.
func kindOf(c byte) jsontext.Kind {
	switch c {
	case 'n', 't', 'f', '"', '{', '[':
		return jsontext.Kind(c)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "invalid JSON"
}

// peek skips white space and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	data, i := s.data, s.pos
	for ; i < len(data); i++ {
		c := data[i]
		if c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
			s.pos = i
			return c
		}
	}
	s.pos = i
	return 0
}

// literal reads the literal lit ("null", "true", "false") at s.pos.
func (s *scanner) literal(lit string) error {
	end := s.pos + len(lit)
	if end <= len(s.data) && string(s.data[s.pos:end]) == lit {
		s.pos = end
		return nil
	}
	for i := 0; i < len(lit); i++ {
		if s.pos+i >= len(s.data) {
			return s.eofError()
		}
		if s.data[s.pos+i] != lit[i] {
			s.pos += i
			return s.invalidChar(s.data[s.pos], "in literal "+lit+" (expecting "+quoteChar(lit[i])+")")
		}
	}
	return nil // unreachable
}

// literalOf returns the literal that starts with c: 'n', 't' or 'f'.
func literalOf(c byte) string {
	switch c {
	case 't':
		return "true"
	case 'f':
		return "false"
	}
	return "null"
}

// null reads a null if one is next, and reports whether it did.
func (s *scanner) null() bool {
	if s.peek() == 'n' && s.literal("null") == nil {
		return true
	}
	return false
}

// beginObject reads '{'. It returns false with no error for null, and
// false with an error for any other value.
func (s *scanner) beginObject() (bool, error) { return s.begin('{', "an object") }

// beginArray reads '[', like beginObject.
func (s *scanner) beginArray() (bool, error) { return s.begin('[', "an array") }

func (s *scanner) begin(open byte, want string) (bool, error) {
	switch s.peek() {
	case open:
		s.pos++
		return s.push()
	case 'n':
		return false, s.literal("null")
	}
	return false, s.kindError(want)
}

func (s *scanner) push() (bool, error) {
	s.depth++
	if s.depth > maxDepth {
		return false, s.syntaxError(s.pos-1, fmt.Sprintf("exceeded max depth of %d", maxDepth))
	}
	return true, nil
}

// member reads the name of the object's next member (i counts them from 0)
// and the ':' after it. At the object's '}' it returns false. The name is
// valid until the next read.
func (s *scanner) member(i int) (name []byte, ok bool, err error) {
	c := s.peek()
	if i > 0 {
		switch c {
		case ',':
			s.pos++
			c = s.peek()
		case '}':
			s.pos++
			s.depth--
			return nil, false, nil
		default:
			return nil, false, s.invalidChar(c, "after object value (expecting ',' or '}')")
		}
	} else if c == '}' {
		s.pos++
		s.depth--
		return nil, false, nil
	}
	if c != '"' {
		return nil, false, s.invalidChar(c, "at start of string (expecting '\"')")
	}
	if name, err = s.str(); err != nil {
		return nil, false, err
	}
	if c := s.peek(); c != ':' {
		return nil, false, s.invalidChar(c, "after object name (expecting ':')")
	}
	s.pos++
	return name, true, nil
}

// element reports whether the array has another element (i counts them
// from 0), reading the ',' before it or the closing ']'.
func (s *scanner) element(i int) (bool, error) {
	switch c := s.peek(); {
	case c == ']':
		s.pos++
		s.depth--
		return false, nil
	case i == 0:
		return true, nil
	case c != ',':
		return false, s.invalidChar(c, "after array element (expecting ',' or ']')")
	}
	s.pos++
	return true, nil
}

// mark records that member f of the object being read was seen, and
// reports a duplicate name.
func (s *scanner) mark(seen []uint64, f uint, name []byte) error {
	w, b := f>>6, uint64(1)<<(f&63)
	if seen[w]&b != 0 {
		return s.duplicateName(name)
	}
	seen[w] |= b
	return nil
}

// nameSet holds the names of the members of one object that its decoder
// does not know, to tell duplicates. The first few alias the input.
type nameSet struct {
	small [4][]byte
	n     int
	many  map[string]struct{}
}

// add records name and reports whether it was new. A stable name stays
// valid for the whole decoding; others are copied.
func (n *nameSet) add(name []byte, stable bool) bool {
	if n.many != nil {
		if _, dup := n.many[string(name)]; dup {
			return false
		}
		n.many[string(name)] = struct{}{}
		return true
	}
	for _, seen := range n.small[:n.n] {
		if string(seen) == string(name) {
			return false
		}
	}
	if n.n < len(n.small) {
		if !stable {
			name = append([]byte(nil), name...)
		}
		n.small[n.n] = name
		n.n++
		return true
	}
	n.many = make(map[string]struct{}, 2*len(n.small))
	for _, seen := range n.small {
		n.many[string(seen)] = struct{}{}
	}
	n.many[string(name)] = struct{}{}
	return true
}

// stable reports whether b, returned by str, aliases the input rather
// than s.buf, which the next string with escapes overwrites.
func (s *scanner) stable(b []byte) bool {
	return len(b) == 0 || cap(s.buf) == 0 || &b[0] != &s.buf[:1][0]
}

// skipUnknown skips the value of a member that the decoder does not know.
func (s *scanner) skipUnknown(unknown *nameSet, name []byte) error {
	if !unknown.add(name, s.stable(name)) {
		return s.duplicateName(name)
	}
	return s.skip()
}

// skip reads one value of any kind and drops it.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case '{':
		s.pos++
		if _, err := s.push(); err != nil {
			return err
		}
		var names nameSet
		for i := 0; ; i++ {
			name, ok, err := s.member(i)
			if !ok {
				return err
			}
			if err := s.skipUnknown(&names, name); err != nil {
				return err
			}
		}
	case '[':
		s.pos++
		if _, err := s.push(); err != nil {
			return err
		}
		for i := 0; ; i++ {
			more, err := s.element(i)
			if !more {
				return err
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	case 'n', 't', 'f':
		return s.literal(literalOf(c))
	default:
		_, _, err := s.number()
		return err
	}
}

// value reads one value of any kind and returns its JSON text.
func (s *scanner) value() ([]byte, error) {
	s.peek()
	start := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// number reads a JSON number and returns its text, and whether it is an
// integer (no fraction or exponent).
func (s *scanner) number() (lit []byte, isInt bool, err error) {
	data, start := s.data, s.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return nil, false, s.eofError()
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i++
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		if i == start {
			return nil, false, s.invalidChar(data[i], "at start of value")
		}
		return nil, false, s.invalidChar(data[i], "in number (expecting digit)")
	}
	isInt = true
	if i < len(data) && data[i] == '.' {
		isInt = false
		i++
		if i, err = s.digits(i); err != nil {
			return nil, false, err
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		isInt = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i, err = s.digits(i); err != nil {
			return nil, false, err
		}
	}
	s.pos = i
	return data[start:i], isInt, nil
}

// digits reads one or more digits from i.
func (s *scanner) digits(i int) (int, error) {
	data := s.data
	if i >= len(data) {
		return i, s.eofError()
	}
	if data[i] < '0' || data[i] > '9' {
		s.pos = i
		return i, s.invalidChar(data[i], "in number (expecting digit)")
	}
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i, nil
}

// startNumber looks at the next value for a number reader: null sets dst
// to 0 and is done, and so is a value of another kind, with an error.
func startNumber[T int64 | float64](s *scanner, dst *T, want string) (done bool, err error) {
	switch c := s.peek(); {
	case c == 'n':
		*dst = 0
		return true, s.literal("null")
	case kindOf(c) != '0':
		return true, s.kindError(want)
	}
	return false, nil
}

// readInt reads an integer that fits in int64; null gives 0.
func (s *scanner) readInt(dst *int64) error {
	c := s.peek()
	if c != '-' && c-'0' > 9 {
		_, err := startNumber(s, dst, "an integer")
		return err
	}
	// Fast path: up to 18 digits, then a delimiter.
	data, i := s.data, s.pos
	neg := c == '-'
	if neg {
		i++
	}
	var n int64
	j := i
	for j < len(data) && j-i < 18 && '0' <= data[j] && data[j] <= '9' {
		n = n*10 + int64(data[j]-'0')
		j++
	}
	if j > i && j < len(data) && (data[i] != '0' || j == i+1) {
		switch data[j] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			if neg {
				n = -n
			}
			*dst = n
			s.pos = j
			return nil
		}
	}
	start := s.pos
	lit, isInt, err := s.number()
	if err != nil {
		return err
	}
	v, ok := parseInt(lit)
	if !isInt || !ok {
		return s.valueError(start, '0', fmt.Errorf("%s is not a 64-bit integer", lit))
	}
	*dst = v
	return nil
}

// parseInt parses a JSON number literal that must be an integer.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// readFloat reads a number; null gives 0.
func (s *scanner) readFloat(dst *float64) error {
	if done, err := startNumber(s, dst, "a number"); done {
		return err
	}
	start := s.pos
	lit, isInt, err := s.number()
	if err != nil {
		return err
	}
	if isInt && len(lit) < 16 {
		if n, _ := parseInt(lit); n != 0 || lit[0] != '-' {
			*dst = float64(n) // exact: |n| < 2^53
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return s.valueError(start, '0', errors.Unwrap(err))
	}
	*dst = f
	return nil
}

// readBool reads true or false; null gives false.
func (s *scanner) readBool(dst *bool) error {
	switch c := s.peek(); c {
	case 't', 'f', 'n':
		*dst = c == 't'
		return s.literal(literalOf(c))
	}
	return s.kindError("a boolean")
}

// readBoolPtr reads an optional boolean whose absence means something else than false.
func (s *scanner) readBoolPtr(dst **bool) error {
	if s.null() {
		*dst = nil
		return nil
	}
	v := new(bool)
	if err := s.readBool(v); err != nil {
		return err
	}
	*dst = v
	return nil
}

// readString reads a string; null gives "".
func (s *scanner) readString(dst *string) error {
	switch s.peek() {
	case '"':
		b, err := s.str()
		if err != nil {
			return err
		}
		*dst = string(b)
		return nil
	case 'n':
		*dst = ""
		return s.literal("null")
	}
	return s.kindError("a string")
}

// SWAR constants: a byte of a uint64 is flagged (its high bit set) where
// it is '"', '\\', a control character or not ASCII.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// special8 flags the bytes of x, 8 bytes of a string read little-endian,
// that need a closer look: its lowest flagged byte is the first of them
// (the borrows that flag bytes wrongly only go up from a flagged one).
func special8(x uint64) uint64 {
	quote := x ^ (swarOnes * '"')
	slash := x ^ (swarOnes * '\\')
	flagged := (quote - swarOnes) & ^quote
	flagged |= (slash - swarOnes) & ^slash
	flagged |= (x - swarOnes*' ') & ^x // below ' '
	flagged |= x                       // not ASCII
	return flagged & swarHighs
}

// str reads the string at s.pos (its opening quote) and returns its text,
// unescaped. The text is valid until the next read.
func (s *scanner) str() ([]byte, error) {
	data := s.data
	start := s.pos + 1
	i := start
	for ; i+8 <= len(data); i += 8 {
		if m := special8(binary.LittleEndian.Uint64(data[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			goto found
		}
	}
	for ; i < len(data); i++ {
		if c := data[i]; c == '"' || c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			goto found
		}
	}
	return nil, s.eofError()
found: // data[i] is the first byte that is not plain ASCII
	if data[i] == '"' {
		s.pos = i + 1
		return data[start:i], nil
	}
	return s.strSlow(start, i)
}

// strSlow goes on reading a string from i, where it has an escape, a
// control character or a byte that is not ASCII.
func (s *scanner) strSlow(start, i int) ([]byte, error) {
	data := s.data
	copied := false // whether the text so far is in s.buf (from start up to from)
	from := start
	flush := func(to int) {
		if !copied {
			s.buf = s.buf[:0]
			copied = true
		}
		s.buf = append(s.buf, data[from:to]...)
	}
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if !copied {
				return data[start:i], nil
			}
			flush(i)
			return s.buf, nil
		case c == '\\':
			flush(i)
			if i+1 >= len(data) {
				return nil, s.eofError()
			}
			switch e := data[i+1]; {
			case unescaped[e] != 0:
				s.buf = append(s.buf, unescaped[e])
				i += 2
			case e == 'u':
				r, n, err := s.unicodeEscape(i)
				if err != nil {
					return nil, err
				}
				s.buf = utf8.AppendRune(s.buf, r)
				i += n
			default:
				return nil, s.syntaxError(i, fmt.Sprintf("invalid escape sequence %q in string", data[i:i+2]))
			}
			from = i
		case c < ' ':
			s.pos = i
			return nil, s.invalidChar(c, "in string (expecting non-control character)")
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				if !utf8.FullRune(data[i:]) {
					return nil, s.eofError()
				}
				if !s.lenient {
					return nil, s.syntaxError(i, "invalid UTF-8 within string")
				}
				flush(i)
				s.buf = append(s.buf, "\uFFFD"...)
				from = i + 1
			}
			i += n
		default:
			i++
		}
	}
	return nil, s.eofError()
}

// unescaped maps the byte after a backslash to what it stands for, but
// for the \u escapes; 0 for an invalid escape.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unicodeEscape reads the \uXXXX escape at i, and the low surrogate after
// it if it is a high one. It returns the rune and the length read.
func (s *scanner) unicodeEscape(i int) (rune, int, error) {
	data := s.data
	if i+6 > len(data) {
		return 0, 0, s.escapeError(i, len(data))
	}
	v1, ok := hex4(data[i+2 : i+6])
	if !ok {
		return 0, 0, s.escapeError(i, i+6)
	}
	r := rune(v1)
	if !utf16.IsSurrogate(r) {
		return r, 6, nil
	}
	if i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
		if v2, ok := hex4(data[i+8 : i+12]); ok {
			if r := utf16.DecodeRune(r, rune(v2)); r != utf8.RuneError {
				return r, 12, nil
			}
		}
	}
	if s.lenient {
		return utf8.RuneError, 6, nil
	}
	if i+12 > len(data) && hasEscapePrefix(data[i+6:]) {
		return 0, 0, s.eofError()
	}
	return 0, 0, s.escapeError(i, min(i+12, len(data)))
}

// hasEscapePrefix reports whether b may be a \u escape cut short.
func hasEscapePrefix(b []byte) bool {
	const prefix = `\u`
	for j, c := range b {
		if j < 2 && c != prefix[j] {
			return false
		}
	}
	return true
}

func (s *scanner) escapeError(i, end int) error {
	if end == len(s.data) && i+6 > len(s.data) {
		ok := true
		for _, c := range s.data[min(i+2, end):end] {
			if _, isHex := hexVal(c); !isHex {
				ok = false
			}
		}
		if ok {
			return s.eofError()
		}
	}
	return s.syntaxError(i, fmt.Sprintf("invalid escape sequence %q in string", s.data[i:end]))
}

func hex4(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b {
		d, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// readChatID reads a number, or a string holding "@username" or a decimal
// id; null gives the zero ChatID (as ChatID.UnmarshalJSONFrom).
func (s *scanner) readChatID(dst *ChatID) error {
	switch c := s.peek(); {
	case c == 'n':
		*dst = ChatID{}
		return s.literal("null")
	case c == '"':
		b, err := s.str()
		if err != nil {
			return err
		}
		return dst.parseString(string(b))
	case kindOf(c) == '0':
		lit, _, err := s.number()
		if err != nil {
			return err
		}
		id, ok := parseInt(lit)
		if !ok {
			return fmt.Errorf("tg: chat id %s is not an integer", lit)
		}
		*dst = ID(id)
		return nil
	}
	return s.kindError("a number or a string")
}

// readInputFile reads a string: a URL if it starts with http:// or
// https://, else a file_id; null gives the zero InputFile (as
// InputFile.UnmarshalJSONFrom).
func (s *scanner) readInputFile(dst *InputFile) error {
	switch s.peek() {
	case 'n':
		*dst = InputFile{}
		return s.literal("null")
	case '"':
		var v string
		if err := s.readString(&v); err != nil {
			return err
		}
		if hasPrefixFold(v, "http://") || hasPrefixFold(v, "https://") {
			*dst = FileURL(v)
		} else {
			*dst = FileID(v)
		}
		return nil
	}
	return s.kindError("a string")
}

// readStrings reads an array of strings; null gives nil.
func (s *scanner) readStrings(dst *[]string) error {
	return readArray(s, dst, (*scanner).readString)
}

// readInts reads an array of integers; null gives nil.
func (s *scanner) readInts(dst *[]int64) error {
	return readArray(s, dst, (*scanner).readInt)
}

// readArray reads an array whose elements read reads; null gives nil and
// [] an empty slice.
func readArray[T any](s *scanner, dst *[]T, read func(*scanner, *T) error) error {
	*dst = nil
	if ok, err := s.beginArray(); !ok {
		return err
	}
	v := []T{}
	for i := 0; ; i++ {
		more, err := s.element(i)
		if !more {
			*dst = v
			return err
		}
		var zero T
		v = append(v, zero)
		if err := read(s, &v[len(v)-1]); err != nil {
			return err
		}
	}
}

// memberScan is what a union's decoder learns about an object before
// choosing its variant: the text of the selecting member (a string's or a
// number's; "" when absent, null or a boolean) and which of the members
// that tell variants apart it has.
type memberScan struct {
	disc       []byte
	discString bool // disc is a string's text, not a number's
	has        uint64
}

// zeroDate reports whether the "date" member of a MaybeInaccessibleMessage
// makes it an InaccessibleMessage (see isZeroDate): a number of value 0,
// or no date.
func (m memberScan) zeroDate() bool {
	if m.discString || len(m.disc) == 0 {
		return isZeroDate(string(m.disc))
	}
	for _, c := range m.disc {
		switch {
		case c == 'e' || c == 'E':
			return true // only zeros before the exponent
		case '1' <= c && c <= '9':
			return false
		}
	}
	return true
}

// scanMembers reads the object at s.pos, leaving s.pos where it was,
// looking for the member key and for the names in unique. Without unique
// names it stops at key. The object's syntax is checked by the variant's
// decoder, or by skip for an unknown variant.
func (s *scanner) scanMembers(key string, unique ...string) (memberScan, error) {
	var m memberScan
	start, depth := s.pos, s.depth
	defer func() { s.pos, s.depth = start, depth }()
	if ok, err := s.beginObject(); !ok {
		return m, err
	}
	found := false
	for i := 0; ; i++ {
		name, ok, err := s.member(i)
		if !ok {
			return m, err
		}
		for j, u := range unique {
			if string(name) == u {
				m.has |= 1 << j
			}
		}
		if string(name) != key || key == "" || found {
			if err := s.skip(); err != nil {
				return m, err
			}
			continue
		}
		found = true
		switch s.peek() {
		case '"':
			b, err := s.str()
			if err != nil {
				return m, err
			}
			m.disc, m.discString = b, true
			if !s.stable(b) {
				m.disc = append([]byte(nil), b...)
			}
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			if m.disc, _, err = s.number(); err != nil {
				return m, err
			}
		case '{', '[':
			return m, s.syntaxError(s.pos, fmt.Sprintf("member %q is not a string or number", key))
		default:
			if err := s.skip(); err != nil {
				return m, err
			}
		}
		if len(unique) == 0 {
			return m, nil
		}
	}
}

// unknownVariant reads the object at s.pos whole and returns its JSON text,
// copied.
func (s *scanner) unknownVariant() (jsontext.Value, error) {
	raw, err := s.value()
	if err != nil {
		return nil, err
	}
	return jsontext.Value(raw).Clone(), nil
}

// decodeUnionBytes decodes data, one JSON value with nothing but white
// space around it, with the union decoder scan.
func decodeUnionBytes[I any](data []byte, name string, scan func(*scanner, *I) error) (I, error) {
	s := scanner{data: data}
	var v I
	err := scan(&s, &v)
	if err == nil {
		err = s.end()
	}
	if err != nil {
		var zero I
		return zero, fmt.Errorf("tg: decode %s: %w", name, err)
	}
	return v, nil
}
