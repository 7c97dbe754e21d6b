package limit

import (
	"maps"

	"github.com/heraldbot/herald/tg"
)

// Counting says whether and how a Bot API method counts against the limits.
type Counting uint8

const (
	// NotCounted methods pass without waiting: reads, answers to queries,
	// chat actions, drafts, deletions, administration.
	NotCounted Counting = iota
	// Once counts the call as one message.
	Once
	// PerItem counts one message per item posted: each medium of
	// sendMediaGroup, each id of forwardMessages and copyMessages.
	PerItem
)

// String returns "not counted", "once" or "per item".
func (c Counting) String() string {
	switch c {
	case Once:
		return "once"
	case PerItem:
		return "per item"
	default:
		return "not counted"
	}
}

// defaultMethods are the methods that send messages into a chat or change
// one there, as generated from the Bot API spec (tg.MessageMethods): the
// table in the package comment.
var defaultMethods = func() map[string]Counting {
	m := make(map[string]Counting)
	for _, mm := range tg.MessageMethods() {
		m[mm.Name] = Once
		if mm.PerItem {
			m[mm.Name] = PerItem
		}
	}
	return m
}()

// DefaultMethods returns a new copy of the methods that count by default
// and how (see the package documentation for the table). Methods not in
// it are not counted. Change the copy and pass it as Config.Methods to
// count other methods.
func DefaultMethods() map[string]Counting { return maps.Clone(defaultMethods) }
