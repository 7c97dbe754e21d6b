package tg

// This file holds the entry points of the generated decoders
// (decode_gen.go), which read JSON with the scanner of decode_scan.go.

// DecodeUpdate decodes one update from data, a JSON object with nothing
// but white space around it, such as a webhook request's body. It is what
// (*Update).UnmarshalJSON does, with a result instead of a receiver, and
// what json.Unmarshal does, without reading the input twice. Members this
// version does not know are skipped; a known member of the wrong kind,
// invalid JSON (duplicate names included) and invalid UTF-8 are errors,
// a *jsontext.SyntacticError or a *json.SemanticError.
func DecodeUpdate(data []byte) (Update, error) {
	var u Update
	s := scanner{data: data}
	if s.peek() != '{' {
		return u, s.kindError("an object")
	}
	if err := u.decodeJSON(&s); err != nil {
		return u, err
	}
	return u, s.end()
}

// DecodeUpdates decodes a JSON array of updates, the result of getUpdates,
// as DecodeUpdate decodes each. null gives nil.
func DecodeUpdates(data []byte) ([]Update, error) {
	var ups []Update
	s := scanner{data: data}
	if err := decodeUpdateList(&s, &ups); err != nil {
		return nil, err
	}
	return ups, s.end()
}
