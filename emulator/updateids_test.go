package emulator

import (
	"context"
	"testing"
)

// TestRandomFirstUpdateID: without Options.FirstUpdateID each emulator
// starts its bots' update ids at random in [2^20, 2^30), increasing by
// one from there; two emulators (two runs) start in different places;
// FirstUpdateID fixes the start.
func TestRandomFirstUpdateID(t *testing.T) {
	say := func(e *Emulator, text string) int64 {
		t.Helper()
		s, err := e.SendMessage(context.Background(), UserMessage{Token: testToken, From: ann, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return s.UpdateID
	}
	firsts := map[int64]bool{}
	for range 3 {
		e := New(Options{})
		first, second := say(e, "a"), say(e, "b")
		_ = e.Close()
		if first < minRandomUpdateID || first >= maxRandomUpdateID {
			t.Errorf("first update id %d outside [%d, %d)", first, minRandomUpdateID, maxRandomUpdateID)
		}
		if second != first+1 {
			t.Errorf("update ids %d then %d, want consecutive", first, second)
		}
		firsts[first] = true
	}
	if len(firsts) < 2 {
		t.Errorf("three emulators started at the same update id %v", firsts)
	}
	e := New(Options{FirstUpdateID: 500})
	defer e.Close()
	if id := say(e, "a"); id != 500 {
		t.Errorf("with FirstUpdateID 500 the first update id is %d", id)
	}
}
