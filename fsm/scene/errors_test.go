package scene_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/scene"
)

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestSceneGotoAndDataErrors: Goto refuses patterns and other groups'
// states, and the scene's data methods report corrupt data; Enter from a
// state that is not a scene's (a form's, say) replaces it without running
// any OnLeave, and Leave from there does nothing.
func TestSceneGotoAndDataErrors(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	b := newBot(t, "1:goto", store)
	m := scene.NewManager()
	s := scene.New[quiz](m, "s").OnLeave(func(*herald.Context) error { return errors.New("OnLeave ran") })
	other := fsm.NewGroup("other").State("x")
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	r := b.Router()
	r.Command("enter", s.Enter)
	r.Command("goto", func(c *herald.Context) error {
		keep(s.Goto(c, s.Group().Any()))
		keep(s.Goto(c, other))
		keep(s.Goto(c, s.State("next")))
		st, err := c.FSM().State(c)
		if st != s.State("next") {
			t.Errorf("state after Goto: %q, %v", st, err)
		}
		_, err = s.Data(c)
		keep(err)
		return nil
	})
	r.Command("elsewhere", func(c *herald.Context) error { return c.FSM().SetState(c, other) })
	r.Command("leave", func(c *herald.Context) error { keep(m.Leave(c)); return nil })
	r.Command("where", func(c *herald.Context) error {
		name, err := m.Current(c)
		keep(err)
		if name != "" {
			keep(errors.New("in " + name))
		}
		return nil
	})
	m.Register(r)

	say(t, b, "/enter", "/goto")
	if len(errs) != 4 || errs[0] == nil || errs[1] == nil || errs[2] != nil || errs[3] != nil {
		t.Fatalf("Goto errors %v; want a pattern and another group refused, a state of the scene accepted", errs)
	}
	for _, e := range errs[:2] {
		if !strings.Contains(e.Error(), "not a state of the scene") {
			t.Errorf("Goto: %v", e)
		}
	}
	errs = nil

	// Corrupt data: Data reports fsm.ErrCorrupt.
	key := fsm.Key{BotID: 1, ChatID: 7, UserID: 7}
	rec, err := store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	rec.Data = []byte(`{"Score": "many"}`)
	if _, err := store.CompareAndSet(context.Background(), key, rec.Version, rec, 0); err != nil {
		t.Fatal(err)
	}
	say(t, b, "/goto")
	if len(errs) != 4 || !errors.Is(errs[3], fsm.ErrCorrupt) {
		t.Fatalf("Data of corrupt data: %v, want ErrCorrupt", errs)
	}
	errs = nil

	// Outside any scene (another group's state), Leave does nothing and
	// Current is "".
	say(t, b, "/elsewhere")
	say(t, b, "/leave", "/where")
	if len(errs) != 2 || errs[0] != nil || errs[1] != nil {
		t.Fatalf("Leave/Current outside any scene: %v", errs)
	}
	if rec, _ := store.Get(context.Background(), key); rec.State != string(other) {
		t.Fatalf("state after Leave outside any scene: %q, want %q kept", rec.State, other)
	}
}

func TestSceneDuplicateNamePanics(t *testing.T) {
	m := scene.NewManager()
	scene.New[int](m, "a")
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "two scenes") {
			t.Errorf("duplicate scene: panic %v", p)
		}
	}()
	scene.New[string](m, "a")
}
