package herald

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxCallbackData is Telegram's limit on callback_data, in bytes.
const MaxCallbackData = 64

// ErrCallbackDataTooLong is returned by Pack when the packed data would not
// fit in MaxCallbackData bytes.
var ErrCallbackDataTooLong = errors.New("herald: callback data longer than 64 bytes")

// ErrCallbackDataInvalid is returned by Pack when a string field is not
// valid UTF-8, which Telegram refuses as button data.
var ErrCallbackDataInvalid = errors.New("herald: callback data is not valid UTF-8")

// CallbackData packs a struct of type T into callback_data and parses it
// back: "prefix:field1:field2…". Fields may be strings, booleans and
// integers (signed or unsigned), in declaration order; ':' and '%' in
// strings are escaped. Unexported fields are skipped.
//
//	type OrderAction struct{ Action string; OrderID int64 }
//	orders := herald.MustCallbackData[OrderAction]("order")
//	data, err := orders.Pack(OrderAction{"confirm", 42}) // "order:confirm:42"
//	r.CallbackQuery(confirm, orders.Filter())             // in confirm: v, _ := orders.Value(c)
type CallbackData[T any] struct {
	prefix string
	fields []int // indexes of the exported fields of T
	key    *Key[T]
}

// NewCallbackData returns a codec for T with the given prefix, or an error
// when T is not a struct of supported fields or the prefix contains ':'.
func NewCallbackData[T any](prefix string) (*CallbackData[T], error) {
	if prefix == "" || strings.ContainsAny(prefix, ":%") {
		return nil, fmt.Errorf("herald: callback data prefix %q must be non-empty without ':' or '%%'", prefix)
	}
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("herald: callback data type %v is not a struct", t)
	}
	cd := &CallbackData[T]{prefix: prefix, key: NewKey[T]("callback data " + prefix)}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Type.Kind() {
		case reflect.String, reflect.Bool,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			cd.fields = append(cd.fields, i)
		default:
			return nil, fmt.Errorf("herald: callback data field %s.%s has unsupported type %v", t, f.Name, f.Type)
		}
	}
	return cd, nil
}

// MustCallbackData is NewCallbackData that panics on error, for package-level codecs.
func MustCallbackData[T any](prefix string) *CallbackData[T] {
	cd, err := NewCallbackData[T](prefix)
	if err != nil {
		panic(err)
	}
	return cd
}

var dataEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

// Pack encodes v. It fails with ErrCallbackDataTooLong (wrapped, with the
// length) when the result exceeds 64 bytes, and with ErrCallbackDataInvalid
// when a string field is not valid UTF-8.
func (cd *CallbackData[T]) Pack(v T) (string, error) {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	b.WriteString(cd.prefix)
	for _, i := range cd.fields {
		b.WriteByte(':')
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			if !utf8.ValidString(f.String()) {
				return "", fmt.Errorf("%w: field %s", ErrCallbackDataInvalid, rv.Type().Field(i).Name)
			}
			b.WriteString(dataEscaper.Replace(f.String()))
		case reflect.Bool:
			if f.Bool() {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.WriteString(strconv.FormatInt(f.Int(), 10))
		default:
			b.WriteString(strconv.FormatUint(f.Uint(), 10))
		}
	}
	if b.Len() > MaxCallbackData {
		return "", fmt.Errorf("%w: %q is %d bytes", ErrCallbackDataTooLong, b.String(), b.Len())
	}
	return b.String(), nil
}

// Unpack parses data produced by Pack.
func (cd *CallbackData[T]) Unpack(data string) (T, error) {
	var v T
	rest, ok := strings.CutPrefix(data, cd.prefix)
	if !ok || (len(cd.fields) > 0 && !strings.HasPrefix(rest, ":")) || (len(cd.fields) == 0 && rest != "") {
		return v, fmt.Errorf("herald: callback data %q does not start with %q", data, cd.prefix+":")
	}
	var parts []string
	if len(cd.fields) > 0 {
		parts = strings.Split(rest[1:], ":")
	}
	if len(parts) != len(cd.fields) {
		return v, fmt.Errorf("herald: callback data %q has %d fields, want %d", data, len(parts), len(cd.fields))
	}
	rv := reflect.ValueOf(&v).Elem()
	for n, i := range cd.fields {
		f, p := rv.Field(i), parts[n]
		switch f.Kind() {
		case reflect.String:
			s, err := unescapeData(p)
			if err != nil {
				return v, fmt.Errorf("herald: callback data %q: %w", data, err)
			}
			f.SetString(s)
		case reflect.Bool:
			if p != "0" && p != "1" {
				return v, fmt.Errorf("herald: callback data %q: field %d: %q is not 0 or 1", data, n+1, p)
			}
			f.SetBool(p == "1")
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			x, err := strconv.ParseInt(p, 10, f.Type().Bits())
			if err != nil {
				return v, fmt.Errorf("herald: callback data %q: field %d: %w", data, n+1, err)
			}
			f.SetInt(x)
		default:
			x, err := strconv.ParseUint(p, 10, f.Type().Bits())
			if err != nil {
				return v, fmt.Errorf("herald: callback data %q: field %d: %w", data, n+1, err)
			}
			f.SetUint(x)
		}
	}
	return v, nil
}

func unescapeData(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		switch s[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "3A":
			b.WriteByte(':')
		default:
			return "", fmt.Errorf("bad escape in %q", s)
		}
		i += 2
	}
	return b.String(), nil
}

// Filter matches callback queries whose data parses as T; the handler reads
// the value with Value.
func (cd *CallbackData[T]) Filter() Filter {
	return func(c *Context) bool {
		q := c.Update.CallbackQuery
		if q == nil || !strings.HasPrefix(q.Data, cd.prefix) {
			return false
		}
		v, err := cd.Unpack(q.Data)
		if err != nil {
			return false
		}
		cd.key.Set(c, v)
		return true
	}
}

// Value returns the value parsed by Filter for the current update.
func (cd *CallbackData[T]) Value(c *Context) (T, bool) { return cd.key.Get(c) }
