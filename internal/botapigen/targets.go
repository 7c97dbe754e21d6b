package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// callTarget is what the spec says about where one method's call goes: the
// Go expressions (of its parameters p) that tg.TargetOf returns, and
// whether it is one of tg.MessageMethods.
type callTarget struct {
	chat  string // the chat_id; "" when the method names no chat
	paid  string // allow_paid_broadcast; "" when it has none
	items string // messages posted, for one posting one per element; ""
	posts bool   // sends messages into a chat or changes one there
}

// messageReturns are the results of a method that posts messages.
var messageReturns = []string{"Message", "MessageId", "Array of Message", "Array of MessageId"}

// callTarget reads a method's parameters. A method posts or changes
// messages when it names the chat (chat_id) and either takes a
// reply_markup, as every method that sends or edits a message a user sees
// does, or requires the chat and returns the messages it posted (forwards,
// copies, albums). One that returns an array of them posts one per element
// of its array parameter.
func (m *model) callTarget(meth *Method) (callTarget, error) {
	var t callTarget
	var chat, markup *Field
	for _, f := range meth.Fields {
		switch f.Name {
		case "chat_id":
			chat = f
		case "reply_markup":
			markup = f
		case "allow_paid_broadcast":
			ft, err := m.fieldType(meth.Name, f)
			if err != nil {
				return t, err
			}
			if ft.Go != "bool" {
				return t, fmt.Errorf("%s.%s is a %s, want bool", meth.Name, f.Name, ft.Go)
			}
			t.paid = "p." + goName(f.Name)
		}
	}
	if chat == nil {
		return t, nil
	}
	ft, err := m.fieldType(meth.Name, chat)
	if err != nil {
		return t, err
	}
	switch ft.Go {
	case "ChatID":
		t.chat = "p.ChatID"
	case "int64":
		t.chat = "ID(p.ChatID)"
	default:
		return t, fmt.Errorf("%s.chat_id is a %s, want ChatID or int64", meth.Name, ft.Go)
	}
	returnsMessages := slices.ContainsFunc(meth.Returns, func(r string) bool { return slices.Contains(messageReturns, r) })
	t.posts = markup != nil || chat.Required && returnsMessages
	if t.posts && len(meth.Returns) == 1 && strings.HasPrefix(meth.Returns[0], "Array of ") {
		var arrays []string
		for _, f := range meth.Fields {
			if f.Required && !slices.ContainsFunc(f.Types, func(t string) bool { return !strings.HasPrefix(t, "Array of ") }) {
				arrays = append(arrays, f.Name)
			}
		}
		if len(arrays) != 1 {
			return t, fmt.Errorf("%s returns %s from required arrays %v, want one", meth.Name, meth.Returns[0], arrays)
		}
		t.items = "len(p." + goName(arrays[0]) + ")"
	}
	return t, nil
}

// emitTargets writes tg.CallTarget, tg.TargetOf (a type switch over every
// parameter struct) and tg.MessageMethods.
func emitTargets(m *model, b *bytes.Buffer) error {
	b.WriteString(`// CallTarget is what the parameters of a call say about where it goes, as
// outbound rate limits need it (package limit counts calls with it).
type CallTarget struct {
	// Chat is the chat_id parameter: zero when the method has none or it
	// is unset (an inline message).
	Chat ChatID
	// PaidBroadcast is the allow_paid_broadcast parameter.
	PaidBroadcast bool
	// Items is the number of messages the call posts, for the methods
	// that post one per element of an array parameter (PerItem in
	// MessageMethods); 0 for the others.
	Items int
}

// TargetOf returns the CallTarget of the parameters of a Bot API method,
// given as its generated *<Method>Params (as the Client's methods pass
// them) or by value; a nil pointer gives the zero CallTarget. ok is false
// for anything else: nil, a map, a struct of the caller's own.
func TargetOf(params any) (t CallTarget, ok bool) {
	switch p := params.(type) {
`)
	var none []string // parameter types that name no chat
	var posting []string
	for _, meth := range m.spec.Methods {
		if len(meth.Fields) == 0 {
			continue
		}
		t, err := m.callTarget(meth)
		if err != nil {
			return err
		}
		name := methodName(meth.Name) + "Params"
		if t.posts {
			posting = append(posting, fmt.Sprintf("{Name: %q, PerItem: %v}", meth.Name, t.items != ""))
		}
		if t.chat == "" && t.paid == "" && t.items == "" {
			none = append(none, "*"+name+", "+name)
			continue
		}
		var fields []string
		for _, f := range [][2]string{{"Chat", t.chat}, {"PaidBroadcast", t.paid}, {"Items", t.items}} {
			if f[1] != "" {
				fields = append(fields, f[0]+": "+f[1])
			}
		}
		lit := "CallTarget{" + strings.Join(fields, ", ") + "}"
		fmt.Fprintf(b, "\tcase *%s:\n\t\tif p != nil {\n\t\t\tt = %s\n\t\t}\n", name, lit)
		fmt.Fprintf(b, "\tcase %s:\n\t\tt = %s\n", name, lit)
	}
	if len(none) > 0 {
		fmt.Fprintf(b, "\tcase %s:\n\t\t// These name no chat.\n", strings.Join(none, ",\n\t\t"))
	}
	b.WriteString("\tdefault:\n\t\treturn CallTarget{}, false\n\t}\n\treturn t, true\n}\n\n")

	b.WriteString(`// MessageMethod is a Bot API method that sends messages into a chat or
// changes one there: the calls Telegram's flood limits count.
type MessageMethod struct {
	Name string
	// PerItem is set for a method that posts one message per element of
	// an array parameter (CallTarget.Items counts them).
	PerItem bool
}

// MessageMethods returns, in the order of the spec, the methods that name
// the chat (chat_id) and either take a reply_markup, as every method that
// sends or edits a message a user sees does, or require the chat and
// return the messages they posted (forwards, copies, albums). Those that
// return an array of messages are PerItem. The slice is new on every call.
func MessageMethods() []MessageMethod {
	return []MessageMethod{
`)
	for _, p := range posting {
		fmt.Fprintf(b, "\t\t%s,\n", p)
	}
	b.WriteString("\t}\n}\n")
	return nil
}
