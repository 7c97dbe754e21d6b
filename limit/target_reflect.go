package limit

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldbot/herald/tg"
)

// plan says where a struct type keeps the fields the limiter reads; a nil
// index means the type has no such field.
type plan struct {
	chat, paid, items []int
}

var plans sync.Map // reflect.Type → *plan

var chatIDType = reflect.TypeFor[tg.ChatID]()

// reflectTarget reads a target from parameters that are not one of the
// generated structs the type switch knows: a struct or pointer to one
// whose fields have the Bot API's json names (or are named ChatID,
// AllowPaidBroadcast, Media, MessageIDs), or a map keyed by the Bot API's
// parameter names.
func reflectTarget(params any) target {
	v := reflect.ValueOf(params)
	for range 4 { // *T, **T, interfaces; deeper nesting is not parameters
		if k := v.Kind(); k != reflect.Pointer && k != reflect.Interface {
			break
		}
		if v.IsNil() {
			return target{}
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		p := planFor(v.Type())
		var t target
		if p.chat != nil {
			t.chat = chatFrom(v.FieldByIndex(p.chat))
		}
		if p.paid != nil {
			t.paid = v.FieldByIndex(p.paid).Bool()
		}
		if p.items != nil {
			t.items = v.FieldByIndex(p.items).Len()
		}
		return t
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return target{}
		}
		var t target
		if c := mapValue(v, "chat_id"); c.IsValid() {
			t.chat = chatFrom(c)
		}
		if b := mapValue(v, "allow_paid_broadcast"); b.IsValid() && b.Kind() == reflect.Bool {
			t.paid = b.Bool()
		}
		for _, name := range [...]string{"media", "message_ids"} {
			if s := mapValue(v, name); s.IsValid() && (s.Kind() == reflect.Slice || s.Kind() == reflect.Array) {
				t.items = s.Len()
			}
		}
		return t
	}
	return target{}
}

func mapValue(m reflect.Value, key string) reflect.Value {
	v := m.MapIndex(reflect.ValueOf(key).Convert(m.Type().Key()))
	if v.IsValid() && v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	return v
}

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "chat_id" || name == "" && f.Name == "ChatID":
			if chatKind(f.Type) {
				p.chat = f.Index
			}
		case name == "allow_paid_broadcast" || name == "" && f.Name == "AllowPaidBroadcast":
			if f.Type.Kind() == reflect.Bool {
				p.paid = f.Index
			}
		case name == "media" || name == "message_ids" || name == "" && (f.Name == "Media" || f.Name == "MessageIDs"):
			if k := f.Type.Kind(); k == reflect.Slice || k == reflect.Array {
				p.items = f.Index
			}
		}
	}
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

// chatKind reports whether a field of type t can hold a chat id.
func chatKind(t reflect.Type) bool {
	if t == chatIDType {
		return true
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.String:
		return true
	}
	return false
}

// chatFrom converts a tg.ChatID, an integer, a float holding an integer
// (decoded JSON) or a string ("@name" or a decimal id) to a tg.ChatID.
func chatFrom(v reflect.Value) tg.ChatID {
	if v.Type() == chatIDType {
		return v.Interface().(tg.ChatID)
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return tg.ID(v.Int())
	case reflect.Float64, reflect.Float32:
		if f := v.Float(); f == float64(int64(f)) {
			return tg.ID(int64(f))
		}
	case reflect.String:
		s := v.String()
		if strings.HasPrefix(s, "@") {
			return tg.Username(s)
		}
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			return tg.ID(id)
		}
	}
	return tg.ChatID{}
}
