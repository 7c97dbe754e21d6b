package emulator

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// paramKind is how a parameter's value is checked, derived from its
// types in the spec.
type paramKind uint8

const (
	kindString paramKind = iota
	kindInt
	kindFloat
	kindBool
	kindChatID     // Integer or String
	kindFileOrText // InputFile or String
	kindFile       // InputFile only
	kindArray      // Array of …, JSON-serialized
	kindObject     // an object type or a union of them, JSON-serialized
)

type paramInfo struct {
	name     string
	kind     paramKind
	required bool
}

// methodInfo is a Bot API method as the emulator validates and serves it.
type methodInfo struct {
	name    string // canonical spelling, e.g. "sendMessage"
	index   int    // position in the stats counters
	params  []paramInfo
	handler handlerFunc // nil: in the spec but not modelled
}

// methodTable maps lower-cased method names to their info. It is built
// once from tg.Methods() and the handler table.
type methodTable struct {
	byLower map[string]*methodInfo
	list    []*methodInfo
}

func buildMethodTable(handlers map[string]handlerFunc) *methodTable {
	specs := tg.Methods()
	t := &methodTable{byLower: make(map[string]*methodInfo, len(specs))}
	for i, s := range specs {
		mi := &methodInfo{name: s.Name, index: i, handler: handlers[s.Name]}
		for _, ps := range s.Params {
			required := ps.Required && !optionalInPractice[[2]string{s.Name, ps.Name}]
			mi.params = append(mi.params, paramInfo{name: ps.Name, kind: kindOf(ps.Types), required: required})
		}
		t.byLower[strings.ToLower(s.Name)] = mi
		t.list = append(t.list, mi)
	}
	return t
}

// optionalInPractice are the parameters the spec marks required that
// Telegram accepts empty or absent: setWebhook with an empty url removes
// the webhook ("Use an empty string to remove webhook integration").
var optionalInPractice = map[[2]string]bool{{"setWebhook", "url"}: true}

func (t *methodTable) lookup(method string) *methodInfo { return t.byLower[strings.ToLower(method)] }

func kindOf(types []string) paramKind {
	if len(types) == 2 {
		switch {
		case types[0] == "Integer" && types[1] == "String":
			return kindChatID
		case types[0] == "InputFile" && types[1] == "String":
			return kindFileOrText
		}
	}
	if len(types) > 1 {
		if strings.HasPrefix(types[0], "Array of ") {
			return kindArray
		}
		return kindObject
	}
	switch t := types[0]; {
	case t == "Integer":
		return kindInt
	case t == "Float" || t == "Float number":
		return kindFloat
	case t == "Boolean" || t == "True":
		return kindBool
	case t == "String":
		return kindString
	case t == "InputFile":
		return kindFile
	case strings.HasPrefix(t, "Array of "):
		return kindArray
	}
	return kindObject
}

// validate checks required parameters and the syntax of every given one
// against the spec. Unknown parameters are ignored, as Telegram does.
func (mi *methodInfo) validate(p *params) *apiError {
	for _, pi := range mi.params {
		if pi.kind != kindString && pi.kind != kindFileOrText && p.vals[pi.name] == "null" {
			// Form clients send a JSON null for an unset object or array.
			delete(p.vals, pi.name)
		}
		if !p.has(pi.name) {
			if pi.required {
				return missingParam(mi.name, pi.name)
			}
			continue
		}
		v := strings.TrimSpace(p.vals[pi.name])
		switch pi.kind {
		case kindInt:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return badRequest("parameter %q must be an Integer", pi.name)
			}
		case kindFloat:
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return badRequest("parameter %q must be a Float", pi.name)
			}
		case kindBool:
			if _, ok := parseBool(v); !ok {
				return badRequest("parameter %q must be a Boolean", pi.name)
			}
		case kindChatID:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil && !strings.HasPrefix(v, "@") {
				return errChatNotFound
			}
		case kindFile:
			if _, ok := p.files[pi.name]; !ok && !strings.HasPrefix(v, "attach://") {
				return badRequest("parameter %q must be a file upload", pi.name)
			}
		case kindArray:
			if !isJSONKind(v, '[') {
				return parseError(pi.name, "array")
			}
		case kindObject:
			if !isJSONKind(v, '{') {
				return parseError(pi.name, "object")
			}
		}
	}
	return nil
}

func isJSONKind(v string, kind byte) bool {
	return len(v) > 0 && v[0] == kind && jsontext.Value(v).IsValid()
}

func missingParam(method, name string) *apiError {
	switch {
	case name == "chat_id":
		return errChatIDEmpty
	case name == "text" && (method == "sendMessage" || method == "editMessageText"):
		return errTextEmpty
	case name == "callback_query_id":
		return errQueryTooOld
	case name == "message_id":
		return badRequest("message identifier is not specified")
	}
	return badRequest("parameter %q is required", name)
}

func parseError(name, what string) *apiError {
	switch name {
	case "reply_markup":
		return errReplyMarkupParse
	case "entities", "caption_entities":
		return errEntitiesParse
	}
	return badRequest("can't parse %s JSON %s", name, what)
}
