package main

import (
	"slices"
	"testing"
)

// TestReactionEmoji: the emoji list is read from the description of
// ReactionTypeEmoji.emoji; a description without one is an error, a spec
// without the type has no list.
func TestReactionEmoji(t *testing.T) {
	spec := func(desc string) *Spec {
		return &Spec{Types: []*Type{{Name: "ReactionTypeEmoji", Fields: []*Field{
			{Name: "type", Description: `Type of the reaction, always "emoji"`},
			{Name: "emoji", Description: desc},
		}}}}
	}
	got, err := reactionEmoji(spec(`Reaction emoji. Currently, it can be one of "❤", "👍", "❤‍🔥".`))
	if err != nil || !slices.Equal(got, []string{"❤", "👍", "❤\u200d🔥"}) {
		t.Errorf("reactionEmoji = %q, %v", got, err)
	}
	if _, err := reactionEmoji(spec("Reaction emoji.")); err == nil {
		t.Error("a description without a list: no error")
	}
	if got, err := reactionEmoji(&Spec{}); got != nil || err != nil {
		t.Errorf("a spec without the type: %q, %v", got, err)
	}
}
