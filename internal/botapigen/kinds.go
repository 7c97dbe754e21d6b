package main

import (
	"bytes"
	"fmt"
	"slices"
)

// The update kinds of package herald (kinds_gen.go, router_kinds_gen.go):
// one per optional field of the Update object, with what each one holds.

// kind is one optional field of Update and the Go expressions, of its
// value p (non-nil), for what the update holds.
type kind struct {
	field   *Field
	name    string // Go name of the field: "EditedMessage"
	message string // "p" when the payload is a *tg.Message, or ""
	chat    string // *tg.Chat, or ""
	sender  string // *tg.User, or ""
	// messageUnion is set when the message is a member of that union type
	// (a callback query's MaybeInaccessibleMessage): message and chat are
	// then found by a type switch on its variants.
	messageUnion *union
	messageField string
}

// kindOfFirst are the kinds KindOf tests first: those most updates are.
var kindOfFirst = []string{"message", "callback_query"}

// updateKinds returns the kinds in the order of the spec, with where each
// keeps its message, chat and sender: a payload that is a Message is the
// message; otherwise its "message" member, a union, is when it holds a
// Message. The chat is the payload's "chat" member, else that of its
// message's variants; the sender is its "from" member, else its "user"
// member.
func (m *model) updateKinds() ([]*kind, *Type, error) {
	upd, ok := m.types["Update"]
	if !ok {
		return nil, nil, fmt.Errorf("the spec has no Update type")
	}
	var kinds []*kind
	for _, f := range upd.Fields {
		if f.Name == "update_id" {
			continue
		}
		if f.Required || len(f.Types) != 1 || !m.isStruct(f.Types[0]) {
			return nil, nil, fmt.Errorf("Update.%s is not an optional object (%v, required %v)", f.Name, f.Types, f.Required)
		}
		k := &kind{field: f, name: goName(f.Name)}
		payload := f.Types[0]
		member := func(name, typ string) (string, error) {
			for _, pf := range m.types[payload].Fields {
				if pf.Name != name || !slices.Equal(pf.Types, []string{typ}) {
					continue
				}
				ft, err := m.fieldType(payload, pf)
				if err != nil {
					return "", err
				}
				if ft.Go == typ {
					return "&p." + goName(name), nil
				}
				return "p." + goName(name), nil
			}
			return "", nil
		}
		var err error
		if payload == "Message" {
			k.message = "p"
		} else {
			for _, pf := range m.types[payload].Fields {
				if pf.Name != "message" || len(pf.Types) != 1 {
					continue
				}
				u := m.unionOf[pf.Types[0]]
				if u == nil {
					// No update has one yet; Context.Chat would need its nil check.
					return nil, nil, fmt.Errorf("%s.message is a %s, want a union with Message", payload, pf.Types[0])
				}
				k.messageUnion, k.messageField = u, goName(pf.Name)
			}
		}
		if k.chat, err = member("chat", "Chat"); err != nil {
			return nil, nil, err
		}
		for _, name := range []string{"from", "user"} {
			if k.sender, err = member(name, "User"); err != nil || k.sender != "" {
				break
			}
		}
		if err != nil {
			return nil, nil, err
		}
		kinds = append(kinds, k)
	}
	for _, first := range kindOfFirst {
		if !slices.ContainsFunc(kinds, func(k *kind) bool { return k.field.Name == first }) {
			return nil, nil, fmt.Errorf("Update has no field %s", first)
		}
	}
	return kinds, upd, nil
}

// emitKinds writes the Kind constants, their names, KindOf and the
// functions behind Context.Message, Chat and Sender.
func emitKinds(m *model, b *bytes.Buffer) error {
	kinds, upd, err := m.updateKinds()
	if err != nil {
		return err
	}
	b.WriteString("import \"github.com/heraldbot/herald/tg\"\n\n")
	fmt.Fprintf(b, "// The update kinds of %s, one per optional field of tg.Update.\n// See %s\nconst (\n", m.spec.Version, upd.Href)
	for i, k := range kinds {
		fmt.Fprintf(b, "\t// Kind%s is an update with %s set.\n\tKind%s", k.name, k.field.Name, k.name)
		if i == 0 {
			b.WriteString(" UpdateKind = 1 << iota")
		}
		b.WriteString("\n")
	}
	b.WriteString("\t// KindUnknown is an update whose type this version does not know.\n\tKindUnknown\n\n\tkindCount = iota\n)\n\n")
	b.WriteString("// AllKinds matches every update, including unknown ones.\nconst AllKinds UpdateKind = 1<<kindCount - 1\n\n")
	b.WriteString("// kindNames are the Update field names, which are also the allowed_updates values.\nvar kindNames = [kindCount]string{\n")
	for _, k := range kinds {
		fmt.Fprintf(b, "\t%q,\n", k.field.Name)
	}
	b.WriteString("\t\"unknown\",\n}\n\n")

	b.WriteString("// KindOf returns the kind of an update: the one optional field that is set.\nfunc KindOf(u *tg.Update) UpdateKind {\n\tswitch {\n")
	order := slices.Clone(kinds)
	slices.SortStableFunc(order, func(a, b *kind) int {
		ia, ib := slices.Index(kindOfFirst, a.field.Name), slices.Index(kindOfFirst, b.field.Name)
		if ia < 0 {
			ia = len(kindOfFirst)
		}
		if ib < 0 {
			ib = len(kindOfFirst)
		}
		return ia - ib
	})
	for _, k := range order {
		fmt.Fprintf(b, "\tcase u.%s != nil:\n\t\treturn Kind%s\n", k.name, k.name)
	}
	b.WriteString("\t}\n\treturn KindUnknown\n}\n\n")

	b.WriteString(`// updateMessage returns the message of u, an update of kind k: the
// payload of the kinds that are a message, the message member of the
// others while it is accessible, or nil.
func updateMessage(u *tg.Update, k UpdateKind) *tg.Message {
	switch k {
`)
	for _, k := range kinds {
		switch {
		case k.message == "p":
			fmt.Fprintf(b, "\tcase Kind%s:\n\t\treturn u.%s\n", k.name, k.name)
		case k.messageUnion != nil:
			if !slices.ContainsFunc(k.messageUnion.Variants, func(v *variant) bool { return v.Type == "Message" }) {
				continue
			}
			fmt.Fprintf(b, "\tcase Kind%s:\n\t\tif p := u.%s; p != nil {\n\t\t\tm, _ := p.%s.(*tg.Message)\n\t\t\treturn m\n\t\t}\n", k.name, k.name, k.messageField)
		}
	}
	b.WriteString("\t}\n\treturn nil\n}\n\n")

	b.WriteString(`// updateChat returns the chat of u, an update of kind k: the chat member
// of its payload or of its message, or nil.
func updateChat(u *tg.Update, k UpdateKind) *tg.Chat {
	switch k {
`)
	for _, k := range kinds {
		switch {
		case k.chat != "":
			fmt.Fprintf(b, "\tcase Kind%s:\n\t\tif p := u.%s; p != nil {\n\t\t\treturn %s\n\t\t}\n", k.name, k.name, k.chat)
		case k.messageUnion != nil:
			var cases []string
			for _, v := range k.messageUnion.Variants {
				if v.Kind != '{' {
					continue
				}
				for _, vf := range m.types[v.Type].Fields {
					if vf.Name == "chat" && vf.Required && slices.Equal(vf.Types, []string{"Chat"}) {
						cases = append(cases, v.Type)
					}
				}
			}
			if len(cases) == 0 {
				continue
			}
			fmt.Fprintf(b, "\tcase Kind%s:\n\t\tif p := u.%s; p != nil {\n\t\t\tswitch m := p.%s.(type) {\n", k.name, k.name, k.messageField)
			for _, c := range cases {
				fmt.Fprintf(b, "\t\t\tcase *tg.%s:\n\t\t\t\treturn &m.Chat\n", c)
			}
			b.WriteString("\t\t\t}\n\t\t}\n")
		}
	}
	b.WriteString("\t}\n\treturn nil\n}\n\n")

	b.WriteString(`// updateSender returns the user who caused u, an update of kind k: the
// from member of its payload, else its user member, or nil.
func updateSender(u *tg.Update, k UpdateKind) *tg.User {
	switch k {
`)
	for _, k := range kinds {
		if k.sender == "" {
			continue
		}
		fmt.Fprintf(b, "\tcase Kind%s:\n\t\tif p := u.%s; p != nil {\n\t\t\treturn %s\n\t\t}\n", k.name, k.name, k.sender)
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	return nil
}

// emitRouterKinds writes one registration method per update kind.
func emitRouterKinds(m *model, b *bytes.Buffer) error {
	kinds, _, err := m.updateKinds()
	if err != nil {
		return err
	}
	for _, k := range kinds {
		fmt.Fprintf(b, "// %s registers h for each %s update that passes the filters.\n", k.name, k.field.Name)
		fmt.Fprintf(b, "func (r *Router) %s(h Handler, filters ...Filter) {\n\tr.Handle(Kind%s, h, filters...)\n}\n\n", k.name, k.name)
	}
	return nil
}
