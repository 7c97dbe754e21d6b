package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Spec is the parsed api.json, with methods and types in document order.
type Spec struct {
	Version string
	File    string // base name of the file it was read from ("api-10.2.json"); "" when parsed from memory
	Methods []*Method
	Types   []*Type
}

// Method is one Bot API method as described by api.json.
type Method struct {
	Name    string   `json:"name"`
	Href    string   `json:"href"`
	Returns []string `json:"returns"`
	Fields  []*Field `json:"fields"`
}

// Type is one Bot API type as described by api.json.
type Type struct {
	Name      string   `json:"name"`
	Href      string   `json:"href"`
	Fields    []*Field `json:"fields"`
	Subtypes  []string `json:"subtypes"`
	SubtypeOf []string `json:"subtype_of"`
}

// Field is a field of a type or a parameter of a method.
type Field struct {
	Name        string   `json:"name"`
	Types       []string `json:"types"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
}

// LoadSpec reads and parses the spec file at path.
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSpec(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.File = filepath.Base(path)
	return s, nil
}

// ParseSpec parses api.json, keeping the document order of methods and types.
func ParseSpec(data []byte) (*Spec, error) {
	var top struct {
		Version string         `json:"version"`
		Methods jsontext.Value `json:"methods"`
		Types   jsontext.Value `json:"types"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	s := &Spec{Version: top.Version}
	if err := eachMember(top.Methods, func(raw jsontext.Value) error {
		m := new(Method)
		s.Methods = append(s.Methods, m)
		return json.Unmarshal(raw, m)
	}); err != nil {
		return nil, fmt.Errorf("parse methods: %w", err)
	}
	if err := eachMember(top.Types, func(raw jsontext.Value) error {
		t := new(Type)
		s.Types = append(s.Types, t)
		return json.Unmarshal(raw, t)
	}); err != nil {
		return nil, fmt.Errorf("parse types: %w", err)
	}
	if len(s.Methods) == 0 || len(s.Types) == 0 {
		return nil, fmt.Errorf("spec has %d methods and %d types; is it api.json?", len(s.Methods), len(s.Types))
	}
	return s, nil
}

// eachMember calls fn with the value of every member of a JSON object, in order.
func eachMember(obj jsontext.Value, fn func(jsontext.Value) error) error {
	dec := jsontext.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return fmt.Errorf("expected an object: %v", err)
	}
	for dec.PeekKind() != '}' {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}
