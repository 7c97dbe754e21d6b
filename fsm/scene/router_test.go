package scene_test

import (
	"context"
	"errors"
	"strconv"
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
