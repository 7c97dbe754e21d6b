package scene_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/scene"
	"github.com/heraldbot/herald/tg"
)

// press feeds the bot a button press of user 7 with data.
func press(b *herald.Bot, data string) {
	sayID++
	u := &tg.Update{UpdateID: sayID, CallbackQuery: &tg.CallbackQuery{ID: "q", Data: data,
		From:    tg.User{ID: 7, FirstName: "Ann"},
		Message: &tg.Message{MessageID: 1, Date: 1, Chat: tg.Chat{ID: 7, Type: "private"}}}}
	_ = b.HandleUpdate(context.Background(), u)
}

type quiz struct {
	Score int
	Name  string
}

// TestSceneRouterParts: EnterWith stores the initial data, the scene's
// middleware, callback handlers and error handler see only users in the
// scene, Update refuses to run outside it, and Scene.Leave runs OnLeave
// and clears the conversation.
func TestSceneRouterParts(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	var j journal
	b := newBot(t, "1:parts", store,
		herald.WithErrorHandler(func(_ *herald.Context, err error) { j.add("error: " + err.Error()) }))
	m := scene.NewManager()
	q := scene.New[quiz](m, "quiz")
	if q.Name() != "quiz" || q.Group() != fsm.NewGroup("quiz") || q.Router() == nil {
		t.Fatalf("Name %q, Group %q", q.Name(), q.Group())
	}
	q.OnEnter(func(c *herald.Context) error {
		d, err := q.Data(c)
		j.add("enter with " + d.Name)
		return err
	}).OnLeave(func(c *herald.Context) error { j.add("leave"); return nil })
	q.Use(func(c *herald.Context) error { j.add("mw"); return c.Next() })
	q.CallbackQuery(func(c *herald.Context) error {
		return q.Update(c, func(d *quiz) error { d.Score++; return nil })
	})
	q.Command("score", func(c *herald.Context) error {
		d, err := q.Data(c)
		j.add(d.Name + " " + strconv.Itoa(d.Score))
		return err
	})
	q.Command("fail", func(c *herald.Context) error { return errors.New("boom") })
	q.Command("rename", func(c *herald.Context) error {
		return q.SetData(c, quiz{Name: c.Args()})
	})
	q.Command("bye", q.Leave)
	q.OnError(func(c *herald.Context, err error) error {
		j.add("scene error: " + err.Error())
		return nil // handled in the scene
	})

	r := b.Router()
	r.Command("quiz", func(c *herald.Context) error { return q.EnterWith(c, quiz{Name: c.Args()}) })
	r.Command("bump", func(c *herald.Context) error { // outside the scene's router
		err := q.Update(c, func(d *quiz) error { d.Score += 10; return nil })
		j.add("bump: " + errString(err))
		return nil
	})
	m.Register(r)
	r.CallbackQuery(func(c *herald.Context) error { j.add("outside press"); return nil })
	r.Message(func(c *herald.Context) error { j.add("outside got " + c.Text()); return nil })

	press(b, "x")
	say(t, b, "/score", "/bump")
	expect(t, &j, "outside the scene", "outside press|outside got /score|bump: "+
		`scene: the user is not in the scene "quiz" (state "")`)

	say(t, b, "/quiz Ann")
	expect(t, &j, "EnterWith", "enter with Ann")
	press(b, "x")
	press(b, "y")
	say(t, b, "/score")
	expect(t, &j, "in the scene", "mw|mw|mw|Ann 2")
	say(t, b, "/bump", "/score")
	expect(t, &j, "Update from a handler outside the scene's router", "bump: <nil>|mw|Ann 12")
	say(t, b, "/rename Bo", "/score")
	expect(t, &j, "SetData", "mw|mw|Bo 0")
	say(t, b, "/fail")
	expect(t, &j, "the scene's OnError", "mw|scene error: boom")
	say(t, b, "/bye", "/score")
	expect(t, &j, "Scene.Leave", "mw|leave|outside got /score")
	rec, err := store.Get(context.Background(), fsm.Key{BotID: 1, ChatID: 7, UserID: 7})
	if err != nil || rec.Version != 0 {
		t.Errorf("after Leave: record %+v, %v; want none", rec, err)
	}
}

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
