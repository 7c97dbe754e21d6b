package main

import (
	"bytes"
	"fmt"
	"strings"
)

// emitDecoders writes an UnmarshalJSONFrom method for every struct: a
// streaming decoder over jsontext tokens with one case per member, so that
// decoding an Update needs no reflection and picks union variants on the way.
func emitDecoders(m *model, b *bytes.Buffer) error {
	b.WriteString("import (\n\"github.com/go-json-experiment/json\"\n\"github.com/go-json-experiment/json/jsontext\"\n)\n\n")
	b.WriteString("var _ = json.UnmarshalDecode // used for nested slices\n\n")
	for _, t := range m.spec.Types {
		if m.isStruct(t.Name) {
			if err := m.emitDecoder(b, t.Name, t.Name, t.Fields, false); err != nil {
				return err
			}
		}
	}
	for _, meth := range m.spec.Methods {
		if len(meth.Fields) > 0 {
			if err := m.emitDecoder(b, methodName(meth.Name)+"Params", meth.Name, meth.Fields, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *model) emitDecoder(b *bytes.Buffer, goType, owner string, fields []*Field, params bool) error {
	fmt.Fprintf(b, "// UnmarshalJSONFrom decodes %s from a JSON object.\n", goType)
	fmt.Fprintf(b, "func (x *%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error {\n", goType)
	b.WriteString("\tif ok, err := beginObject(dec); !ok {\n\t\treturn err\n\t}\n")
	b.WriteString("\tfor dec.PeekKind() != '}' {\n\t\tname, err := readName(dec)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n")
	b.WriteString("\t\tswitch string(name) {\n")
	for _, f := range fields {
		if f.Name == m.drop[owner] && !params {
			continue
		}
		ft, err := m.fieldType(owner, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\t\tcase %q:\n", f.Name)
		fmt.Fprintf(b, "\t\t\terr = %s\n", m.decodeExpr(ft, "x."+goName(f.Name)))
	}
	b.WriteString("\t\tdefault:\n\t\t\terr = dec.SkipValue()\n\t\t}\n")
	b.WriteString("\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn endObject(dec)\n}\n\n")
	return nil
}

// decodeExpr returns an expression of type error that decodes the next value
// into dst, a field of Go type ft.
func (m *model) decodeExpr(ft ftype, dst string) string {
	switch {
	case ft.Union != nil && ft.Dims == 0:
		return fmt.Sprintf("decodeUnionFrom(dec, &%s, Decode%s)", dst, ft.Union.Name)
	case ft.Union != nil && ft.Dims == 1:
		return fmt.Sprintf("decodeUnionsFrom(dec, &%s, Decode%s)", dst, ft.Union.Name)
	}
	switch ft.Go {
	case "int64":
		return fmt.Sprintf("readInt(dec, &%s)", dst)
	case "float64":
		return fmt.Sprintf("readFloat(dec, &%s)", dst)
	case "string":
		return fmt.Sprintf("readString(dec, &%s)", dst)
	case "bool":
		return fmt.Sprintf("readBool(dec, &%s)", dst)
	case "*bool":
		return fmt.Sprintf("readBoolPtr(dec, &%s)", dst)
	case "ChatID", "InputFile":
		return fmt.Sprintf("%s.UnmarshalJSONFrom(dec)", dst)
	}
	if elem, ok := strings.CutPrefix(ft.Go, "[]"); ok && m.isStruct(elem) {
		return fmt.Sprintf("readStructs(dec, &%s)", dst)
	}
	if elem, ok := strings.CutPrefix(ft.Go, "*"); ok && m.isStruct(elem) {
		return fmt.Sprintf("readStructPtr(dec, &%s)", dst)
	}
	if m.isStruct(ft.Go) {
		return fmt.Sprintf("%s.UnmarshalJSONFrom(dec)", dst)
	}
	// Slices of scalars and nested slices go through the reflection decoder,
	// which still calls the elements' UnmarshalJSONFrom.
	return fmt.Sprintf("json.UnmarshalDecode(dec, &%s)", dst)
}
