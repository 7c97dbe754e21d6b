package broadcast_test

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald/broadcast"
)

// Message.Validate refuses what would make every send fail.
func TestMessageValidate(t *testing.T) {
	long := strings.Repeat("я", 4097)
	for _, tc := range []struct {
		m    broadcast.Message
		want string // "" for valid
	}{
		{broadcast.Message{Text: "hi"}, ""},
		{broadcast.Message{PhotoFileID: "AgAD"}, ""},
		{broadcast.Message{Text: strings.Repeat("я", 4096)}, ""},
		{broadcast.Message{}, "empty message text"},
		{broadcast.Message{Text: long}, "text of 4097 characters"},
		{broadcast.Message{PhotoFileID: "AgAD", Text: strings.Repeat("x", 1025)}, "caption of 1025 characters"},
		{broadcast.Message{Text: "hi", Buttons: [][]broadcast.Button{{{URL: "https://x"}}}}, "needs a text"},
		{broadcast.Message{Text: "hi", Buttons: [][]broadcast.Button{{{Text: "b", URL: "https://x", CallbackData: "d"}}}}, "exactly one"},
	} {
		err := tc.m.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%.40v) = %v, want %q", tc.m, err, tc.want)
		}
	}
	for _, s := range []broadcast.Status{"", "delivered"} {
		if s.Valid() {
			t.Errorf("status %q is valid", s)
		}
	}
}
