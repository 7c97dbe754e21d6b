package scene_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/scene"
	"github.com/heraldbot/herald/tg"
)

type Cart struct{ Items []string }

// journal records what the handlers and hooks of a test bot did.
type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	j.lines = append(j.lines, s)
	j.mu.Unlock()
}

// take returns the lines so far, joined by '|', and forgets them.
func (j *journal) take() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := strings.Join(j.lines, "|")
	j.lines = nil
	return s
}

// newBot is a bot with token on store that logs nothing, with opts.
func newBot(t *testing.T, token string, store backend.State, opts ...herald.Option) *herald.Bot {
	t.Helper()
	opts = append([]herald.Option{herald.WithFSM(store, herald.FSMConfig{}), herald.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	b, err := herald.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shopBot is a bot with two scenes, menu and shop, whose handlers and
// hooks write to j. Its handlers make no Bot API calls, so updates are fed
// with HandleUpdate.
func shopBot(t *testing.T, store backend.State, j *journal) *herald.Bot {
	t.Helper()
	b := newBot(t, "1:scenes", store,
		herald.WithErrorHandler(func(_ *herald.Context, err error) { j.add("error: " + err.Error()) }))
	m := scene.NewManager()
	logHook := func(s string) func(*herald.Context) error {
		return func(*herald.Context) error { j.add(s); return nil }
	}
	menu := scene.New[struct{}](m, "menu").OnEnter(logHook("enter menu")).OnLeave(logHook("leave menu"))
	shop := scene.New[Cart](m, "shop").OnEnter(logHook("enter shop"))
	shop.OnLeave(func(c *herald.Context) error {
		cart, err := shop.Data(c)
		j.add("leave shop with " + strings.Join(cart.Items, ","))
		return err
	})
	shop.Command("add", func(c *herald.Context) error {
		return shop.Update(c, func(cart *Cart) error { cart.Items = append(cart.Items, c.Args()); return nil })
	})
	shop.Command("cart", func(c *herald.Context) error {
		cart, err := shop.Data(c)
		j.add("cart " + strings.Join(cart.Items, ","))
		return err
	})
	shop.Command("checkout", func(c *herald.Context) error { return shop.Goto(c, shop.State("checkout")) })
	shop.Message(func(c *herald.Context) error { j.add("checking out: " + c.Text()); return nil },
		herald.InState(shop.State("checkout")))
	shop.Message(func(c *herald.Context) error { j.add("shop got " + c.Text()); return nil })
	menu.Message(func(c *herald.Context) error { j.add("menu got " + c.Text()); return nil })

	r := b.Router() // commands that work everywhere, then the scenes, then the rest
	r.Command("shop", shop.Enter)
	r.Command("go", func(c *herald.Context) error { return m.Enter(c, c.Args()) })
	r.Command("leave", m.Leave)
	r.Command("where", func(c *herald.Context) error {
		name, err := m.Current(c)
		j.add("in " + name)
		return err
	})
	m.Register(r)
	r.Message(func(c *herald.Context) error { j.add("outside got " + c.Text()); return nil })
	return b
}

// say feeds the bot one message from user 7 per text.
func say(t *testing.T, b *herald.Bot, texts ...string) {
	t.Helper()
	for _, text := range texts {
		sayID++
		u := &tg.Update{UpdateID: sayID, Message: &tg.Message{MessageID: sayID, Date: 1, Text: text,
			Chat: tg.Chat{ID: 7, Type: "private"}, From: &tg.User{ID: 7, FirstName: "Ann"}}}
		_ = b.HandleUpdate(context.Background(), u) // errors reach the journal
	}
}

var sayID int64

func expect(t *testing.T, j *journal, step, want string) {
	t.Helper()
	if got := j.take(); got != want {
		t.Errorf("%s:\n got %q\nwant %q", step, got, want)
	}
}

func TestScenesSwitchAndHooks(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	var j journal
	b := shopBot(t, store, &j)

	say(t, b, "/add tea", "/where")
	expect(t, &j, "outside every scene, the shop's handlers are unreachable", "outside got /add tea|in ")
	say(t, b, "/go menu", "hi", "/where")
	expect(t, &j, "enter the menu", "enter menu|menu got hi|in menu")
	say(t, b, "/shop")
	expect(t, &j, "entering the shop leaves the menu first", "leave menu|enter shop")
	say(t, b, "/add tea", "/add jam", "hello", "/cart")
	expect(t, &j, "in the shop", "shop got hello|cart tea,jam")
	say(t, b, "/checkout", "card", "/cart")
	expect(t, &j, "a state of the scene", "checking out: card|cart tea,jam")
	say(t, b, "/go menu", "/cart")
	expect(t, &j, "switching scenes", "leave shop with tea,jam|enter menu|menu got /cart")
	say(t, b, "/shop", "/cart")
	expect(t, &j, "data starts empty on each entry", "leave menu|enter shop|cart ")
	say(t, b, "/shop")
	expect(t, &j, "entering the current scene restarts it", "leave shop with |enter shop")
	say(t, b, "/leave", "/where", "/leave", "/cart")
	expect(t, &j, "leave", "leave shop with |in |outside got /cart")
	rec, err := store.Get(context.Background(), fsm.Key{BotID: 1, ChatID: 7, UserID: 7})
	if err != nil || rec.Version != 0 {
		t.Errorf("after Leave: record %+v, %v; want none", rec, err)
	}
	say(t, b, "/go nowhere")
	if got := j.take(); !strings.Contains(got, "no scene of that name") {
		t.Errorf("entering an unknown scene: %q", got)
	}
}

func TestSceneHookErrors(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	b := newBot(t, "1:hooks", store)
	m := scene.NewManager()
	stuck := scene.New[int](m, "stuck").OnLeave(func(*herald.Context) error { return errors.New("not now") })
	free := scene.New[int](m, "free")
	m.Register(b.Router())
	var errs []error
	b.Router().Command("stuck", stuck.Enter)
	b.Router().Command("free", func(c *herald.Context) error { errs = append(errs, free.Enter(c)); return nil })
	b.Router().Command("data", func(c *herald.Context) error {
		_, err := free.Data(c)
		errs = append(errs, err, free.SetData(c, 1), free.Goto(c, stuck.State("x")))
		return nil
	})
	say(t, b, "/stuck", "/free", "/data")
	if len(errs) != 4 || !strings.Contains(errs[0].Error(), `scene "stuck": OnLeave: not now`) {
		t.Fatalf("errors %v, want the OnLeave failure first", errs)
	}
	for i, e := range errs[1:3] {
		if !errors.Is(e, scene.ErrNotInScene) {
			t.Errorf("data call %d outside the scene: %v, want ErrNotInScene", i, e)
		}
	}
	if errs[3] == nil || !strings.Contains(errs[3].Error(), "not a state of the scene") {
		t.Errorf("Goto to another scene's state: %v", errs[3])
	}
	rec, _ := store.Get(context.Background(), fsm.Key{BotID: 1, ChatID: 7, UserID: 7})
	if rec.State != "stuck:main" {
		t.Errorf("state after a failed OnLeave: %q, want stuck:main", rec.State)
	}
}

// TestSceneResumesAfterRestart: with SQLite, a user is still in the scene,
// with its data, after the bot process restarts; the hooks do not run
// again.
func TestSceneResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	var j journal

	store, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	say(t, shopBot(t, store, &j), "/shop", "/add tea")
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	expect(t, &j, "before the restart", "enter shop")

	store, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	say(t, shopBot(t, store, &j), "/where", "/add jam", "/cart", "/go menu")
	expect(t, &j, "after the restart", "in shop|cart tea,jam|leave shop with tea,jam|enter menu")
}
