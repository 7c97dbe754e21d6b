package main

import (
	"bytes"
	"fmt"
	"strings"
)

// emitUnionTests writes a test that marshals a zero value of every object
// variant of every union and decodes it back through the union's Decode
// function: the discriminator must be written and must select the same type.
func emitUnionTests(m *model, b *bytes.Buffer) error {
	b.WriteString("import (\n\"reflect\"\n\"testing\"\n\n\"github.com/go-json-experiment/json\"\n)\n\n")
	b.WriteString("func TestUnionVariantsRoundTrip(t *testing.T) {\n\tcases := []struct {\n\t\tunion  string\n\t\tvalue  any\n\t\tdecode func([]byte) (any, error)\n\t}{\n")
	for _, u := range m.unions {
		for _, v := range u.Variants {
			if v.Kind != '{' {
				continue
			}
			fmt.Fprintf(b, "\t\t{%q, &%s{%s}, func(d []byte) (any, error) { return Decode%s(d) }},\n", u.Name, v.Type, m.requiredInit(v.Type), u.Name)
		}
	}
	b.WriteString("\t}\n\tfor _, c := range cases {\n")
	b.WriteString("\t\tdata, err := json.Marshal(c.value)\n\t\tif err != nil {\n\t\t\tt.Errorf(\"%s: marshal %T: %v\", c.union, c.value, err)\n\t\t\tcontinue\n\t\t}\n")
	b.WriteString("\t\tgot, err := c.decode(data)\n\t\tif err != nil {\n\t\t\tt.Errorf(\"%s: decode %T from %s: %v\", c.union, c.value, data, err)\n\t\t\tcontinue\n\t\t}\n")
	b.WriteString("\t\tif reflect.TypeOf(got) != reflect.TypeOf(c.value) {\n\t\t\tt.Errorf(\"%s: %s decoded as %T, want %T\", c.union, data, got, c.value)\n\t\t}\n\t}\n}\n")
	return nil
}

// requiredInit returns the field initialisers of a composite literal of
// struct typ that can be marshalled: the required fields whose zero value
// cannot be (ChatID, InputFile) get a value, and a required struct held by
// value gets a literal built the same way when it needs one, at any depth
// (InputRichBlockPhoto.photo is an InputMediaPhoto whose media is an
// InputFile). A required pointer, union or slice is left nil: it is
// marshalled as null or []. Struct fields held by value form no cycle (a
// field that would close one is a pointer; see fieldType).
func (m *model) requiredInit(typ string) string {
	var inits []string
	if typ == "Message" {
		inits = append(inits, "Date: 1") // date 0 marks an InaccessibleMessage
	}
	for _, f := range m.types[typ].Fields {
		if !f.Required || f.Name == m.drop[typ] {
			continue
		}
		ft, err := m.fieldType(typ, f)
		if err != nil {
			continue
		}
		switch {
		case ft.Go == "ChatID":
			inits = append(inits, goName(f.Name)+": ID(1)")
		case ft.Go == "InputFile":
			inits = append(inits, goName(f.Name)+": FileID(\"x\")")
		case ft.Union == nil && m.isStruct(ft.Go):
			if inner := m.requiredInit(ft.Go); inner != "" {
				inits = append(inits, goName(f.Name)+": "+ft.Go+"{"+inner+"}")
			}
		}
	}
	return strings.Join(inits, ", ")
}
