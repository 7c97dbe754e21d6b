package fsm

import (
	"fmt"
	"strings"
)

// State names where a conversation is, e.g. "order:address". States are
// declared once in Go, usually through a [Group]:
//
//	var (
//		order   = fsm.NewGroup("order")
//		Address = order.State("address")
//		Confirm = order.State("confirm")
//	)
//
// Conventions:
//   - [NoState] (the empty string) means "no conversation in progress"; it
//     is what a key that was never written, cleared or expired reports.
//   - [AnyState] ("*") and group wildcards ([Group.Any], "order:*") are
//     patterns for filters, matched with [State.Matches]; they are never
//     stored (writing one is an error).
//   - A state belongs to the group before its first ':'.
type State string

const (
	// NoState is the state of a key without a conversation in progress.
	NoState State = ""
	// AnyState is a pattern that matches every state except NoState.
	AnyState State = "*"
)

// Separator separates a group name from a state name in a State.
const Separator = ":"

// String returns the state as a string.
func (s State) String() string { return string(s) }

// Group returns the group of s: the part before the first ':', or "" for a
// state outside any group.
func (s State) Group() Group {
	g, _, ok := strings.Cut(string(s), Separator)
	if !ok {
		return ""
	}
	return Group(g)
}

// Name returns s without its group: "address" for "order:address".
func (s State) Name() string {
	_, n, ok := strings.Cut(string(s), Separator)
	if !ok {
		return string(s)
	}
	return n
}

// InGroup reports whether s is a state of g (patterns included).
func (s State) InGroup(g Group) bool {
	return g != "" && s.Group() == g
}

// IsPattern reports whether s is [AnyState] or a group wildcard rather
// than a state that can be stored.
func (s State) IsPattern() bool {
	return s == AnyState || strings.HasSuffix(string(s), Separator+string(AnyState))
}

// Matches reports whether current (a stored state) matches s used as a
// pattern: [AnyState] matches every state but [NoState], a group wildcard
// ("order:*") every state of that group, and any other value only itself
// ([NoState] matches only a key without a conversation).
func (s State) Matches(current State) bool {
	switch {
	case s == AnyState:
		return current != NoState
	case s.IsPattern():
		return current.InGroup(s.Group())
	default:
		return s == current
	}
}

// check returns an error if s cannot be stored.
func (s State) check() error {
	if s.IsPattern() {
		return fmt.Errorf("fsm: %q is a pattern for filters, not a state that can be set", s)
	}
	return nil
}

// Group is a named set of states: [Group.State] prefixes its states with
// the group name and ':'.
type Group string

// NewGroup returns the group called name. It panics if name is empty or
// contains ':' or '*', since groups are declared once at start-up.
func NewGroup(name string) Group {
	checkName("group", name)
	return Group(name)
}

// State returns the state called name in g ("order" + "address" →
// "order:address"). It panics if name is empty or contains ':' or '*'.
func (g Group) State(name string) State {
	checkName("state", name)
	return State(string(g) + Separator + name)
}

// Any returns the pattern that matches every state of g ("order:*"), for
// filters.
func (g Group) Any() State {
	return State(string(g) + Separator + string(AnyState))
}

// Contains reports whether s is a state of g.
func (g Group) Contains(s State) bool { return s.InGroup(g) }

// String returns the group's name.
func (g Group) String() string { return string(g) }

func checkName(kind, name string) {
	if name == "" || strings.ContainsAny(name, Separator+string(AnyState)) {
		panic(fmt.Sprintf("fsm: invalid %s name %q: it must be non-empty and contain neither ':' nor '*'", kind, name))
	}
}
