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
	b.WriteString("import \"github.com/go-json-experiment/json/jsontext\"\n\n")
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
				fmt.Fprintf(b, "// UnmarshalJSONFrom decodes each element's variant.\nfunc (a *%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return unmarshalFrom(dec, a) }\n\n", v.Type)
				fmt.Fprintf(b, "func (a *%s) decodeJSON(s *scanner) error { return scan%sList(s, (*[]%s)(a)) }\n\n", v.Type, u.Name, u.Name)
			}
		}

		// Box used by generated decoders for fields of this union type.
		fmt.Fprintf(b, "type box%s struct{ v %s }\n\nfunc (x box%s) get() %s { return x.v }\n\n", u.Name, u.Name, u.Name, u.Name)
		fmt.Fprintf(b, "func (x *box%s) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return unmarshalFrom(dec, x) }\n\n", u.Name)
		fmt.Fprintf(b, "func (x *box%s) decodeJSON(s *scanner) error { return scan%s(s, &x.v) }\n\n", u.Name, u.Name)

		fmt.Fprintf(b, "// Decode%s decodes one %s from JSON, choosing its variant.\n", u.Name, u.Name)
		fmt.Fprintf(b, "func Decode%s(data []byte) (%s, error) {\n\treturn decodeUnionBytes(data, %q, scan%s)\n}\n\n", u.Name, u.Name, u.Name, u.Name)
		fmt.Fprintf(b, "// scan%sList reads an array of %s values; null gives nil.\n", u.Name, u.Name)
		fmt.Fprintf(b, "func scan%sList(s *scanner, dst *[]%s) error { return readArray(s, dst, scan%s) }\n\n", u.Name, u.Name, u.Name)
		if err := emitScanFunc(m, b, u); err != nil {
			return err
		}
	}
	return nil
}

// emitScanFunc writes scanX, which reads one X with the scanner, choosing
// its variant: by the value's kind, then by a first look at the object's
// members. null gives nil.
func emitScanFunc(m *model, b *bytes.Buffer, u *union) error {
	fmt.Fprintf(b, "// scan%s reads one %s, choosing its variant; null gives nil.\n", u.Name, u.Name)
	fmt.Fprintf(b, "func scan%s(s *scanner, dst *%s) error {\n", u.Name, u.Name)
	b.WriteString("\tswitch s.peek() {\n\tcase 'n':\n\t\t*dst = nil\n\t\treturn s.literal(\"null\")\n")
	for _, v := range u.Variants {
		switch v.Kind {
		case '"':
			fmt.Fprintf(b, "\tcase '\"':\n\t\tvar v string\n\t\terr := s.readString(&v)\n\t\t*dst = %s(v)\n\t\treturn err\n", v.Type)
		case '[':
			fmt.Fprintf(b, "\tcase '[':\n\t\tvar v %s\n\t\terr := v.decodeJSON(s)\n\t\t*dst = v\n\t\treturn err\n", v.Type)
		}
	}
	b.WriteString("\t}\n")
	ret := func(indent, typ string) {
		fmt.Fprintf(b, "%sv := new(%s)\n%s*dst = v\n%sreturn v.decodeJSON(s)\n", indent, typ, indent, indent)
	}
	key := u.Disc
	if u.Special == "maybeInaccessible" {
		key = "date"
	}
	var unique []string
	for _, v := range u.Variants {
		if v.Kind == '{' && v.Unique != "" {
			unique = append(unique, v.Unique)
		}
	}
	if len(unique) > 64 {
		return fmt.Errorf("union %s: %d members tell variants apart, at most 64", u.Name, len(unique))
	}
	args := fmt.Sprintf("%q", key)
	for _, name := range unique {
		args += fmt.Sprintf(", %q", name)
	}
	fmt.Fprintf(b, "\tm, err := s.scanMembers(%s)\n\tif err != nil {\n\t\treturn err\n\t}\n", args)
	has := func(name string) string {
		for i, n := range unique {
			if n == name {
				return fmt.Sprintf("m.has&(1<<%d) != 0", i)
			}
		}
		panic("unique member " + name + " not listed")
	}
	switch {
	case u.Special == "maybeInaccessible":
		b.WriteString("\tif m.zeroDate() {\n")
		ret("\t\t", "InaccessibleMessage")
		b.WriteString("\t}\n")
		ret("\t", "Message")
		b.WriteString("}\n\n")
		return nil
	case u.Disc == "":
		if writeShape(b, u.Variants, ret, has, "\t") {
			b.WriteString("}\n\n")
			return nil
		}
	default:
		b.WriteString("\tswitch string(m.disc) {\n")
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
			writeShape(b, group, ret, has, "\t\t")
		}
		b.WriteString("\t}\n")
	}
	fmt.Fprintf(b, "\traw, err := s.unknownVariant()\n\t*dst = &Unknown%s{Discriminator: string(m.disc), Raw: raw}\n\treturn err\n}\n\n", u.Name)
	return nil
}

// writeShape chooses among variants by a member only one of them has; the
// variant without one, if any, is the fallback.
func writeShape(b *bytes.Buffer, vs []*variant, ret func(indent, typ string), has func(name string) string, indent string) (returns bool) {
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
		fmt.Fprintf(b, "%sif %s {\n", indent, has(v.Unique))
		ret(indent+"\t", v.Type)
		fmt.Fprintf(b, "%s}\n", indent)
	}
	if fallback != nil {
		ret(indent, fallback.Type)
	}
	return fallback != nil
}
