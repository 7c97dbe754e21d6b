package main

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// emitDecoders writes, for every struct, a decodeJSON method that reads it
// with the byte scanner of package tg (decode_scan.go): one case per member,
// each reading its value straight into the field, so that decoding an
// Update needs no reflection, no tokens and no intermediate values, and
// picks union variants on the way. UnmarshalJSONFrom (JSON v2) and
// UnmarshalJSON (encoding/json, and the fast entry point) call it.
func emitDecoders(m *model, b *bytes.Buffer) error {
	b.WriteString("import \"github.com/go-json-experiment/json/jsontext\"\n\n")
	// Arrays of these are decoded by DecodeUpdates and decodeEnvelopeBytes.
	m.lists = map[string]bool{"Update": true, "Message": true}
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
	for _, elem := range slices.Sorted(maps.Keys(m.lists)) {
		emitListDecoder(b, elem)
	}
	return nil
}

// listBuffer is how many elements a list decoder reads on its stack before
// it needs the heap: arrays up to that long get a slice of their length.
const listBuffer = 8

// emitListDecoder writes decodeXList, which reads an array of struct X.
func emitListDecoder(b *bytes.Buffer, elem string) {
	fmt.Fprintf(b, `// decode%[1]sList reads an array of %[1]s; null gives nil and [] an empty
// slice. The first %[2]d elements are read on the stack, so that a short
// array costs one allocation of its length.
func decode%[1]sList(s *scanner, dst *[]%[1]s) error {
	*dst = nil
	if ok, err := s.beginArray(); !ok {
		return err
	}
	var small [%[2]d]%[1]s
	var v []%[1]s
	for i := 0; ; i++ {
		more, err := s.element(i)
		if !more {
			if v == nil {
				v = make([]%[1]s, i)
				copy(v, small[:i])
			}
			*dst = v
			return err
		}
		if i < len(small) {
			err = small[i].decodeJSON(s)
		} else {
			if v == nil {
				v = make([]%[1]s, i, 2*i)
				copy(v, small[:])
			}
			v = append(v, %[1]s{})
			err = v[i].decodeJSON(s)
		}
		if err != nil {
			return err
		}
	}
}

`, elem, listBuffer)
}

func (m *model) emitDecoder(b *bytes.Buffer, goType, owner string, fields []*Field, params bool) error {
	fmt.Fprintf(b, "// UnmarshalJSONFrom decodes %s from a JSON object; null leaves it as it is.\n", goType)
	fmt.Fprintf(b, "func (x *%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error {\n\ts, err := scanValue(dec)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn x.decodeJSON(&s)\n}\n\n", goType)
	fmt.Fprintf(b, "// UnmarshalJSON decodes %s from a JSON object, the whole of data; null\n// leaves it as it is. Invalid UTF-8 is an error.\n", goType)
	fmt.Fprintf(b, "func (x *%s) UnmarshalJSON(data []byte) error {\n\ts := scanner{data: data}\n\tif err := x.decodeJSON(&s); err != nil {\n\t\treturn err\n\t}\n\treturn s.end()\n}\n\n", goType)

	var cases bytes.Buffer
	n := 0
	for _, f := range fields {
		if f.Name == m.drop[owner] && !params {
			continue
		}
		ft, err := m.fieldType(owner, f)
		if err != nil {
			return err
		}
		stmt, err := m.decodeStmt(ft, "x."+goName(f.Name))
		if err != nil {
			return fmt.Errorf("%s.%s: %w", owner, f.Name, err)
		}
		fmt.Fprintf(&cases, "\t\tcase %q:\n\t\t\tif err = s.mark(seen[:], %d, name); err == nil {\n%s\t\t\t}\n", f.Name, n, indent(stmt, "\t\t\t\t"))
		n++
	}

	fmt.Fprintf(b, "func (x *%s) decodeJSON(s *scanner) error {\n", goType)
	b.WriteString("\tif ok, err := s.beginObject(); !ok {\n\t\treturn err\n\t}\n")
	if n > 0 {
		fmt.Fprintf(b, "\tvar seen [%d]uint64\n", (n+63)/64)
	}
	b.WriteString("\tvar unknown nameSet\n")
	b.WriteString("\tfor i := 0; ; i++ {\n\t\tname, ok, err := s.member(i)\n\t\tif !ok {\n\t\t\treturn err\n\t\t}\n")
	b.WriteString("\t\tswitch string(name) {\n")
	b.Write(cases.Bytes())
	b.WriteString("\t\tdefault:\n\t\t\terr = s.skipUnknown(&unknown, name)\n\t\t}\n")
	b.WriteString("\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n}\n\n")
	return nil
}

// indent prefixes every line of s with in.
func indent(s, in string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return in + strings.Join(lines, in) + "\n"
}

// decodeStmt returns statements that read the next value into dst, a field
// of Go type ft, leaving any failure in err.
func (m *model) decodeStmt(ft ftype, dst string) (string, error) {
	if ft.Union != nil {
		switch ft.Dims {
		case 0:
			return fmt.Sprintf("err = scan%s(s, &%s)", ft.Union.Name, dst), nil
		case 1:
			return fmt.Sprintf("err = scan%sList(s, &%s)", ft.Union.Name, dst), nil
		}
		return fmt.Sprintf("err = readArray(s, &%s, scan%sList)", dst, ft.Union.Name), nil
	}
	if elem, ok := strings.CutPrefix(ft.Go, "*"); ok && m.isStruct(elem) {
		return fmt.Sprintf("if s.null() {\n\t%s = nil\n} else {\n\t%s = new(%s)\n\terr = %s.decodeJSON(s)\n}", dst, dst, elem, dst), nil
	}
	if m.isStruct(ft.Go) {
		return fmt.Sprintf("err = %s.decodeJSON(s)", dst), nil
	}
	if elem, ok := strings.CutPrefix(ft.Go, "[]"); ok {
		if m.isStruct(elem) {
			m.lists[elem] = true
			return fmt.Sprintf("err = decode%sList(s, &%s)", elem, dst), nil
		}
		if method, ok := sliceReaders[elem]; ok {
			return fmt.Sprintf("err = s.%s(&%s)", method, dst), nil
		}
		read, err := m.readFunc(elem)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("err = readArray(s, &%s, %s)", dst, read), nil
	}
	read, ok := scalarReaders[ft.Go]
	if !ok {
		return "", fmt.Errorf("no decoder for Go type %s", ft.Go)
	}
	return fmt.Sprintf("err = s.%s(&%s)", read, dst), nil
}

// scalarReaders are the scanner's methods that read one value of a Go type.
var scalarReaders = map[string]string{
	"int64":     "readInt",
	"float64":   "readFloat",
	"string":    "readString",
	"bool":      "readBool",
	"*bool":     "readBoolPtr",
	"ChatID":    "readChatID",
	"InputFile": "readInputFile",
}

// sliceReaders are the scanner's methods that read an array of a Go type.
var sliceReaders = map[string]string{
	"int64":   "readInts",
	"float64": "readFloats",
	"string":  "readStrings",
	"bool":    "readBools",
}

// readFunc returns an expression of type func(*scanner, *T) error that
// reads a T, for the elements of nested slices.
func (m *model) readFunc(goType string) (string, error) {
	if read, ok := scalarReaders[goType]; ok {
		return "(*scanner)." + read, nil
	}
	if elem, ok := strings.CutPrefix(goType, "[]"); ok {
		if m.isStruct(elem) {
			m.lists[elem] = true
			return fmt.Sprintf("decode%sList", elem), nil
		}
		if method, ok := sliceReaders[elem]; ok {
			return "(*scanner)." + method, nil
		}
	}
	return "", fmt.Errorf("no decoder for elements of Go type %s", goType)
}
