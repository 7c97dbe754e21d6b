package main

import (
	"bytes"
	"fmt"
	"strings"
)

// emitUnions writes, for every union: the sealed interface, the Unknown
// variant, the Decode function, the box used by decoders, and the methods
// that make each variant a member.
func emitUnions(m *model, b *bytes.Buffer) error {
	b.WriteString("import (\n\"fmt\"\n\n\"github.com/go-json-experiment/json\"\n\"github.com/go-json-experiment/json/jsontext\"\n)\n\n")
	accessor := map[string]bool{} // variant types whose discriminator accessor is written
	for _, u := range m.unions {
		names := make([]string, 0, len(u.Variants))
		for _, v := range u.Variants {
			if v.Kind == '{' {
				names = append(names, "*"+v.Type)
			} else {
				names = append(names, v.Type)
			}
		}
		how := "by the members present"
		if u.Disc != "" {
			how = fmt.Sprintf("by its %q member", u.Disc)
		}
		fmt.Fprintf(b, "// %s is a sealed union of %s, or *Unknown%s for a variant\n// this package does not know. Decoded %s.\n", u.Name, strings.Join(names, ", "), u.Name, how)
		if u.Href != "" {
			fmt.Fprintf(b, "// See %s\n", u.Href)
		}
		fmt.Fprintf(b, "type %s interface {\n", u.Name)
		if u.Method != "" {
			fmt.Fprintf(b, "\t// %s returns the %q member that selects the variant.\n\t%s() string\n", u.Method, u.Disc, u.Method)
		}
		fmt.Fprintf(b, "\tis%s()\n}\n\n", u.Name)

		// The unknown variant keeps the raw JSON so that nothing is lost.
		fmt.Fprintf(b, "// Unknown%s holds a %s variant that is newer than this package, as raw JSON.\n", u.Name, u.Name)
		fmt.Fprintf(b, "type Unknown%s struct {\n\t// Discriminator is the value of the selecting member, if any.\n\tDiscriminator string\n\t// Raw is the variant's JSON, written back unchanged when marshalled.\n\tRaw jsontext.Value\n}\n\n", u.Name)
		fmt.Fprintf(b, "func (*Unknown%s) is%s() {}\n\n", u.Name, u.Name)
		if u.Method != "" {
			fmt.Fprintf(b, "// %s returns the unknown discriminator.\nfunc (v *Unknown%s) %s() string { return v.Discriminator }\n\n", u.Method, u.Name, u.Method)
		}
		fmt.Fprintf(b, "// MarshalJSONTo writes the raw JSON back.\nfunc (v Unknown%s) MarshalJSONTo(enc *jsontext.Encoder) error { return writeRaw(enc, v.Raw) }\n\n", u.Name)

		for _, v := range u.Variants {
			switch v.Kind {
			case '{':
				fmt.Fprintf(b, "func (*%s) is%s() {}\n\n", v.Type, u.Name)
				if u.Method != "" && !accessor[v.Type] {
					accessor[v.Type] = true
					fmt.Fprintf(b, "// %s returns %q.\nfunc (*%s) %s() string { return %q }\n\n", u.Method, v.Value, v.Type, u.Method, v.Value)
				}
			case '"':
				fmt.Fprintf(b, "// %s is plain text inside a %s.\ntype %s string\n\nfunc (%s) is%s() {}\n\n", v.Type, u.Name, v.Type, v.Type, u.Name)
				if u.Method != "" {
					fmt.Fprintf(b, "// %s returns \"\": plain text has no %q member.\nfunc (%s) %s() string { return \"\" }\n\n", u.Method, u.Disc, v.Type, u.Method)
				}
			case '[':
				fmt.Fprintf(b, "// %s is a sequence of %s values.\ntype %s []%s\n\nfunc (%s) is%s() {}\n\n", v.Type, u.Name, v.Type, u.Name, v.Type, u.Name)
				if u.Method != "" {
					fmt.Fprintf(b, "// %s returns \"\": a sequence has no %q member.\nfunc (%s) %s() string { return \"\" }\n\n", u.Method, u.Disc, v.Type, u.Method)
				}
				fmt.Fprintf(b, "// UnmarshalJSONFrom decodes each element's variant.\nfunc (a *%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error {\n\tvar bs []box%s\n\tif err := json.UnmarshalDecode(dec, &bs); err != nil {\n\t\treturn err\n\t}\n\t*a = unbox(bs)\n\treturn nil\n}\n\n", v.Type, u.Name)
			}
		}

		// Box used by generated decoders for fields of this union type.
		fmt.Fprintf(b, "type box%s struct{ v %s }\n\nfunc (x box%s) get() %s { return x.v }\n\n", u.Name, u.Name, u.Name, u.Name)
		fmt.Fprintf(b, "func (x *box%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error {\n\traw, err := dec.ReadValue()\n\tif err != nil {\n\t\treturn err\n\t}\n\tif raw.Kind() == 'n' {\n\t\tx.v = nil\n\t\treturn nil\n\t}\n\tx.v, err = Decode%s(raw)\n\treturn err\n}\n\n", u.Name, u.Name)

		if err := emitDecodeFunc(m, b, u); err != nil {
			return err
		}
	}
	return nil
}

func emitDecodeFunc(m *model, b *bytes.Buffer, u *union) error {
	fmt.Fprintf(b, "// Decode%s decodes one %s from JSON, choosing its variant.\n", u.Name, u.Name)
	fmt.Fprintf(b, "func Decode%s(data []byte) (%s, error) {\n", u.Name, u.Name)
	ret := func(indent, typ string) {
		fmt.Fprintf(b, "%sreturn decodeVariant[%s, %s](data)\n", indent, u.Name, typ)
	}
	for _, v := range u.Variants {
		switch v.Kind {
		case '"':
			fmt.Fprintf(b, "\tif jsonKind(data) == '\"' {\n\t\tvar s string\n\t\tif err := json.Unmarshal(data, &s); err != nil {\n\t\t\treturn nil, fmt.Errorf(\"tg: decode %s: %%w\", err)\n\t\t}\n\t\treturn %s(s), nil\n\t}\n", u.Name, v.Type)
		case '[':
			fmt.Fprintf(b, "\tif jsonKind(data) == '[' {\n\t\tvar a %s\n\t\tif err := json.Unmarshal(data, &a); err != nil {\n\t\t\treturn nil, fmt.Errorf(\"tg: decode %s: %%w\", err)\n\t\t}\n\t\treturn a, nil\n\t}\n", v.Type, u.Name)
		}
	}
	key := u.Disc
	if u.Special == "maybeInaccessible" {
		key = "date"
	}
	fmt.Fprintf(b, "\tm, err := scanMembers(data, %q)\n\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"tg: decode %s: %%w\", err)\n\t}\n", key, u.Name)
	switch {
	case u.Special == "maybeInaccessible":
		b.WriteString("\tif isZeroDate(m.disc) {\n")
		ret("\t\t", "InaccessibleMessage")
		b.WriteString("\t}\n")
		ret("\t", "Message")
		b.WriteString("}\n\n")
		return nil
	case u.Disc == "":
		if writeShape(b, u.Variants, ret, "\t") {
			b.WriteString("}\n\n")
			return nil
		}
	default:
		b.WriteString("\tswitch m.disc {\n")
		done := map[string]bool{}
		for _, v := range u.Variants {
			if v.Kind != '{' || done[v.Value] {
				continue
			}
			done[v.Value] = true
			var group []*variant
			for _, o := range u.Variants {
				if o.Kind == '{' && o.Value == v.Value {
					group = append(group, o)
				}
			}
			fmt.Fprintf(b, "\tcase %q:\n", v.Value)
			writeShape(b, group, ret, "\t\t")
		}
		b.WriteString("\t}\n")
	}
	fmt.Fprintf(b, "\treturn &Unknown%s{Discriminator: m.disc, Raw: jsontext.Value(data).Clone()}, nil\n}\n\n", u.Name)
	return nil
}

// writeShape chooses among variants by a member only one of them has; the
// variant without one, if any, is the fallback.
func writeShape(b *bytes.Buffer, vs []*variant, ret func(indent, typ string), indent string) (returns bool) {
	var fallback *variant
	for _, v := range vs {
		if v.Kind != '{' {
			continue
		}
		if v.Unique == "" && len(vs) > 1 {
			fallback = v
			continue
		}
		if len(vs) == 1 {
			fallback = v
			continue
		}
		fmt.Fprintf(b, "%sif m.has(%q) {\n", indent, v.Unique)
		ret(indent+"\t", v.Type)
		fmt.Fprintf(b, "%s}\n", indent)
	}
	if fallback != nil {
		ret(indent, fallback.Type)
	}
	return fallback != nil
}
