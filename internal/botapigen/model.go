package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// model is the spec resolved into Go shapes: unions, discriminators, field types.
type model struct {
	spec    *Spec
	types   map[string]*Type
	unions  []*union
	unionOf map[string]*union   // union Go name → union
	drop    map[string]string   // concrete type → JSON name of its dropped discriminator
	discVal map[string]string   // concrete type → its discriminator value
	edges   map[string][]string // required by-value struct edges, for cycle checks
	lists   map[string]bool     // struct types whose arrays the decoders read
}

// union is a sealed interface: an abstract spec type, or a synthesized one
// (ReplyMarkup) for parameters that accept several object types.
type union struct {
	Name     string
	Href     string
	Disc     string // JSON member that selects the variant; "" when chosen by shape
	Method   string // Go name of the accessor for Disc ("Type", "Status", "Source")
	Variants []*variant
	Special  string // "maybeInaccessible" for MaybeInaccessibleMessage
}

// variant is one case of a union.
type variant struct {
	Type   string // Go type name
	Kind   byte   // '{' object, '"' string, '[' array
	Value  string // discriminator value
	Unique string // member that tells it from variants with the same Value ("" = fallback)
}

// ftype is the Go type of a field, with what decoding needs to know about it.
type ftype struct {
	Go    string
	Union *union // set when the innermost element is a union interface
	Dims  int    // slice depth around the union
}

var discRe = regexp.MustCompile(`(?:always|must be) [“"]?([a-z0-9_]+)`)

// replyMarkupTypes is the parameter union of the four keyboard types.
var replyMarkupTypes = []string{"InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply"}

func newModel(s *Spec) (*model, error) {
	m := &model{
		spec: s, types: map[string]*Type{}, unionOf: map[string]*union{},
		drop: map[string]string{}, discVal: map[string]string{},
		edges: map[string][]string{},
	}
	for _, t := range s.Types {
		m.types[t.Name] = t
	}
	for _, t := range s.Types {
		if len(t.Subtypes) == 0 {
			continue
		}
		u, err := m.buildUnion(t.Name, t.Href, t.Subtypes)
		if err != nil {
			return nil, err
		}
		m.addUnion(u)
	}
	rm, err := m.buildUnion("ReplyMarkup", "https://core.telegram.org/bots/api#sendmessage", replyMarkupTypes)
	if err != nil {
		return nil, err
	}
	m.addUnion(rm)
	if err := m.synthesizeUnions(); err != nil {
		return nil, err
	}
	for _, t := range s.Types {
		for _, f := range t.Fields {
			if f.Required && len(f.Types) == 1 && m.isStruct(f.Types[0]) {
				m.edges[t.Name] = append(m.edges[t.Name], f.Types[0])
			}
		}
	}
	return m, nil
}

// synthesizeUnions adds a union for each field that accepts one of several
// object types (or arrays of them, all as deep) when no union covers them
// all: a single value of five InputMedia types of which one is not an
// InputMedia, say. It is named after the field's owner and the field
// ("InputRichMessageMedia" + "Media"); a field with the same types as an
// earlier one uses that one's union. The variants keep the order of the
// spec and are told apart like those of an abstract type (buildUnion).
func (m *model) synthesizeUnions() error {
	made := map[string]*union{} // variant names, joined → synthesized union
	check := func(owner, href string, f *Field) error {
		elems, _, ok := m.objectChoice(f.Types)
		if !ok || m.coveringUnion(elems) != nil {
			return nil
		}
		key := strings.Join(elems, ",")
		if made[key] != nil {
			return nil
		}
		name := owner + goName(f.Name)
		if _, taken := m.types[name]; taken || m.unionOf[name] != nil {
			return fmt.Errorf("%s.%s: the name %s of its union is taken", owner, f.Name, name)
		}
		u, err := m.buildUnion(name, href, elems)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", owner, f.Name, err)
		}
		made[key] = u
		m.addUnion(u)
		return nil
	}
	for _, t := range m.spec.Types {
		for _, f := range t.Fields {
			if err := check(t.Name, t.Href, f); err != nil {
				return err
			}
		}
	}
	for _, meth := range m.spec.Methods {
		for _, f := range meth.Fields {
			if err := check(methodName(meth.Name), meth.Href, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectChoice reports whether types is a choice of several object types,
// each wrapped in the same number (dims) of "Array of", and returns the
// object types. The choices with a Go type of their own (ChatID,
// InputFile, ReplyMarkup) are not one.
func (m *model) objectChoice(types []string) (elems []string, dims int, ok bool) {
	if len(types) < 2 || slices.Equal(types, replyMarkupTypes) {
		return nil, 0, false
	}
	for i, t := range types {
		d := 0
		for {
			e, cut := strings.CutPrefix(t, "Array of ")
			if !cut {
				break
			}
			t, d = e, d+1
		}
		if i == 0 {
			dims = d
		}
		if d != dims || !m.isStruct(t) {
			return nil, 0, false
		}
		elems = append(elems, t)
	}
	return elems, dims, true
}

// coveringUnion returns the narrowest union whose variants include every
// one of names (InputMedia, not InputPollMedia), or nil.
func (m *model) coveringUnion(names []string) *union {
	var best *union
	for _, u := range m.unions {
		if u.Special == "" && coversAll(u, names) && (best == nil || len(u.Variants) < len(best.Variants)) {
			best = u
		}
	}
	return best
}

func (m *model) addUnion(u *union) {
	m.unions = append(m.unions, u)
	m.unionOf[u.Name] = u
}

// buildUnion finds how the variants of an abstract type are told apart.
func (m *model) buildUnion(name, href string, subtypes []string) (*union, error) {
	u := &union{Name: name, Href: href}
	if name == "MaybeInaccessibleMessage" {
		u.Special = "maybeInaccessible"
	}
	var objs []*variant
	for _, st := range subtypes {
		switch {
		case st == "String":
			u.Variants = append(u.Variants, &variant{Type: name + "String", Kind: '"'})
		case st == "Array of "+name:
			u.Variants = append(u.Variants, &variant{Type: name + "Array", Kind: '['})
		default:
			t, ok := m.types[st]
			if !ok || len(t.Fields) == 0 {
				return nil, fmt.Errorf("union %s: variant %q is not an object type", name, st)
			}
			v := &variant{Type: st, Kind: '{'}
			objs = append(objs, v)
			u.Variants = append(u.Variants, v)
		}
	}
	// A discriminator is a first field shared by every variant whose description
	// names a constant ("always "x"" or "must be x").
	disc := m.types[objs[0].Type].Fields[0].Name
	for _, v := range objs {
		f := m.types[v.Type].Fields[0]
		sub := discRe.FindStringSubmatch(f.Description)
		if f.Name != disc || sub == nil || u.Special != "" {
			disc = ""
			break
		}
		v.Value = sub[1]
	}
	if disc == "" {
		for _, v := range objs {
			v.Value = ""
		}
	} else {
		u.Disc, u.Method = disc, goName(disc)
		for _, v := range objs {
			if prev, ok := m.drop[v.Type]; ok && prev != disc {
				return nil, fmt.Errorf("%s: discriminators %s and %s", v.Type, prev, disc)
			}
			if prev, ok := m.discVal[v.Type]; ok && prev != v.Value {
				return nil, fmt.Errorf("%s: discriminator values %s and %s", v.Type, prev, v.Value)
			}
			m.drop[v.Type], m.discVal[v.Type] = disc, v.Value
		}
	}
	if u.Special != "" {
		return u, nil
	}
	// Variants sharing a discriminator value (or all, without one) are told
	// apart by a required member no other variant of the group has.
	groups := map[string][]*variant{}
	for _, v := range objs {
		groups[v.Value] = append(groups[v.Value], v)
	}
	for _, g := range groups {
		if len(g) == 1 {
			continue
		}
		fallbacks := 0
		for _, v := range g {
			v.Unique = m.uniqueMember(v, g)
			if v.Unique == "" {
				fallbacks++
			}
		}
		if fallbacks > 1 {
			return nil, fmt.Errorf("union %s: cannot tell variants apart for value %q", name, g[0].Value)
		}
	}
	// Within a group, variants with a unique member are tried before the fallback.
	slices.SortStableFunc(u.Variants, func(a, b *variant) int {
		if a.Value != b.Value {
			return 0
		}
		if (a.Unique == "") == (b.Unique == "") {
			return 0
		}
		if a.Unique == "" {
			return 1
		}
		return -1
	})
	return u, nil
}

func (m *model) uniqueMember(v *variant, group []*variant) string {
	for _, f := range m.types[v.Type].Fields {
		if !f.Required || f.Name == m.drop[v.Type] {
			continue
		}
		shared := false
		for _, o := range group {
			if o != v && slices.ContainsFunc(m.types[o.Type].Fields, func(of *Field) bool { return of.Name == f.Name }) {
				shared = true
				break
			}
		}
		if !shared {
			return f.Name
		}
	}
	return ""
}

// isStruct reports whether a spec type name becomes a Go struct.
func (m *model) isStruct(name string) bool {
	t, ok := m.types[name]
	return ok && len(t.Subtypes) == 0 && name != "InputFile"
}

// reaches reports whether type from reaches type to through required by-value fields.
func (m *model) reaches(from, to string, seen map[string]bool) bool {
	if from == to {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, n := range m.edges[from] {
		if m.reaches(n, to, seen) {
			return true
		}
	}
	return false
}

var triStateRe = regexp.MustCompile(`(?i)defaults to true|defaults to the value of|and to true for|if not specified, no additional restrictions`)

// fieldType maps a spec field to its Go type. owner is the type or method it belongs to.
func (m *model) fieldType(owner string, f *Field) (ftype, error) {
	ts := f.Types
	if len(ts) > 1 {
		switch {
		case slices.Equal(ts, []string{"Integer", "String"}):
			return ftype{Go: "ChatID"}, nil
		case slices.Equal(ts, []string{"InputFile", "String"}):
			return ftype{Go: "InputFile"}, nil
		case slices.Equal(ts, replyMarkupTypes):
			return ftype{Go: "ReplyMarkup", Union: m.unionOf["ReplyMarkup"]}, nil
		}
		// Several object types, or arrays of them: the narrowest union that
		// covers them all (synthesizeUnions made one where none did).
		elems, dims, ok := m.objectChoice(ts)
		if !ok {
			return ftype{}, fmt.Errorf("%s.%s: unsupported union %v", owner, f.Name, ts)
		}
		best := m.coveringUnion(elems)
		if best == nil {
			return ftype{}, fmt.Errorf("%s.%s: no union covers %v", owner, f.Name, ts)
		}
		return ftype{Go: strings.Repeat("[]", dims) + best.Name, Union: best, Dims: dims}, nil
	}
	t := ts[0]
	dims := 0
	for {
		e, ok := strings.CutPrefix(t, "Array of ")
		if !ok {
			break
		}
		t, dims = e, dims+1
	}
	prefix := strings.Repeat("[]", dims)
	switch t {
	case "Integer":
		return ftype{Go: prefix + "int64"}, nil
	case "Float":
		return ftype{Go: prefix + "float64"}, nil
	case "String":
		if dims == 0 && strings.Contains(f.Description, "attach://") {
			return ftype{Go: "InputFile"}, nil
		}
		return ftype{Go: prefix + "string"}, nil
	case "Boolean":
		if dims == 0 && !f.Required && triStateRe.MatchString(f.Description) {
			return ftype{Go: "*bool"}, nil
		}
		return ftype{Go: prefix + "bool"}, nil
	case "InputFile":
		return ftype{Go: prefix + "InputFile"}, nil
	}
	if u, ok := m.unionOf[t]; ok {
		return ftype{Go: prefix + u.Name, Union: u, Dims: dims}, nil
	}
	if !m.isStruct(t) {
		return ftype{}, fmt.Errorf("%s.%s: unknown type %q", owner, f.Name, t)
	}
	if dims > 0 {
		return ftype{Go: prefix + t}, nil
	}
	if f.Required && !m.reaches(t, owner, map[string]bool{}) {
		return ftype{Go: t}, nil
	}
	return ftype{Go: "*" + t}, nil
}

func coversAll(u *union, names []string) bool {
	for _, n := range names {
		if !slices.ContainsFunc(u.Variants, func(v *variant) bool { return v.Type == n }) {
			return false
		}
	}
	return true
}

// returnType maps a method's return types to the Go result type.
func (m *model) returnType(meth *Method) (ftype, error) {
	if slices.Equal(meth.Returns, []string{"Message", "Boolean"}) {
		return ftype{Go: "MessageOrBool"}, nil
	}
	if len(meth.Returns) != 1 {
		return ftype{}, fmt.Errorf("%s: unsupported returns %v", meth.Name, meth.Returns)
	}
	return m.fieldType(meth.Name, &Field{Name: "result", Types: meth.Returns, Required: true})
}
