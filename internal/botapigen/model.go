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
	for _, t := range s.Types {
		for _, f := range t.Fields {
			if f.Required && len(f.Types) == 1 && m.isStruct(f.Types[0]) {
				m.edges[t.Name] = append(m.edges[t.Name], f.Types[0])
			}
		}
	}
	return m, nil
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
		// Several "Array of X" where every X is a variant of one union → []Union.
		var elems []string
		for _, t := range ts {
			e, ok := strings.CutPrefix(t, "Array of ")
			if !ok {
				return ftype{}, fmt.Errorf("%s.%s: unsupported union %v", owner, f.Name, ts)
			}
			elems = append(elems, e)
		}
		// The narrowest union that covers them all (InputMedia, not InputPollMedia).
		var best *union
		for _, u := range m.unions {
			if u.Special == "" && coversAll(u, elems) && (best == nil || len(u.Variants) < len(best.Variants)) {
				best = u
			}
		}
		if best == nil {
			return ftype{}, fmt.Errorf("%s.%s: no union covers %v", owner, f.Name, ts)
		}
		return ftype{Go: "[]" + best.Name, Union: best, Dims: 1}, nil
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
