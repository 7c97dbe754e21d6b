package menu_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/menu"
	"github.com/heraldbot/herald/tg"
)

// shopMenu declares the test bot's menu. Version 2 drops the settings
// menu's "Sound" button, so that messages drawn by version 1 go stale.
func shopMenu(version int, count *atomic.Int64) *menu.Menu {
	root := menu.New("shop", "").TextFunc(func(*herald.Context) string {
		return fmt.Sprintf("Shop (%d taps)", count.Load())
	})
	settings := menu.New("set", "Settings")
	root.Row(
		menu.Action("hello", "Hello", func(p *menu.Press) error { return p.Answer("hi " + p.Sender().FirstName) }),
		menu.Action("tap", "Tap", func(p *menu.Press) error {
			count.Add(1)
			return p.Refresh() // no Answer: the menu answers with no text
		}),
	).Row(menu.Sub("Settings", settings), menu.URL("Site", "https://example.com"))
	row := []menu.Item{menu.Action("lang", "Language", func(p *menu.Press) error { return p.Answer("language: en") })}
	if version == 1 {
		row = append(row, menu.Action("sound", "Sound", func(p *menu.Press) error { return p.Answer("sound on") }))
	}
	settings.Row(row...).Row(menu.Back("‹ Back"))
	return root
}

func startShop(t *testing.T, srv *emutest.Server, token string, version int, count *atomic.Int64) (stop func() error) {
	t.Helper()
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	r := bot.Router()
	root := shopMenu(version, count)
	if err := root.Register(r, menu.Options{}); err != nil {
		t.Fatal(err)
	}
	r.Command("start", func(c *herald.Context) error { _, err := root.Send(c); return err })
	r.Command("legacy", func(c *herald.Context) error {
		// A button as an older bot drew it: the menu's prefix, another layout.
		mk, err := new(keyboard.Inline).Row(keyboard.Callback("Old", "shop:buy:7")).Markup()
		if err != nil {
			return err
		}
		_, err = c.ReplyWith(tg.SendMessageParams{Text: "an old menu", ReplyMarkup: mk})
		return err
	})
	var unrouted atomic.Int64
	r.CallbackQuery(func(c *herald.Context) error { unrouted.Add(1); return c.Answer("unrouted") })
	t.Cleanup(func() {
		if n := unrouted.Load(); n > 0 {
			t.Errorf("%d presses were not routed to the menu", n)
		}
	})
	return emutest.Run(t, bot)
}

// TestMenuInEmulator runs a bot with a menu against the emulator over
// HTTP and presses its buttons as a user: an action, an action that
// redraws the menu, a submenu and back (edited in place), then, after the
// bot is redeployed without one button, that button on the old message,
// and a button of an older callback-data layout.
func TestMenuInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7515:menu"
	var count atomic.Int64
	stop := startShop(t, srv, token, 1, &count)
	chat := srv.Chat(t, token, tg.User{ID: 515, FirstName: "Ann"})

	m := chat.SendWait("/start", "Shop (0 taps)")
	wantButtons(t, m, "Hello", "Tap", "Settings", "Site")
	if got := chat.Press(m, "Hello"); got != "hi Ann" {
		t.Errorf("Hello answered %q", got)
	}
	if got := chat.Press(m, "Tap"); got != "" {
		t.Errorf("Tap answered %q, want an empty answer", got)
	}
	m = chat.WaitEdited(m.MessageID, "Shop (1 taps)")

	chat.Press(m, "Settings")
	m = chat.WaitEdited(m.MessageID, "Settings")
	wantButtons(t, m, "Language", "Sound", "‹ Back")
	if got := chat.Press(m, "Sound"); got != "sound on" {
		t.Errorf("Sound answered %q", got)
	}
	chat.Press(m, "‹ Back")
	back := chat.WaitEdited(m.MessageID, "Shop (1 taps)")
	wantButtons(t, back, "Hello", "Tap", "Settings", "Site")
	chat.Press(back, "Settings")
	m = chat.WaitEdited(m.MessageID, "Settings")

	// Redeploy: version 2 has no Sound button; the message on screen still does.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	startShop(t, srv, token, 2, &count)
	if got := chat.Press(m, "Sound"); got != menu.DefaultStale {
		t.Errorf("stale press answered %q, want %q", got, menu.DefaultStale)
	}
	emutest.Until(t, emutest.Wait, "the stale menu to be redrawn", func() bool {
		for _, e := range chat.BotMessages() {
			if e.MessageID == m.MessageID {
				return slices.Equal(labels(e), []string{"Language", "‹ Back"})
			}
		}
		return false
	})
	if got := chat.Press(m, "Language"); got != "language: en" {
		t.Errorf("Language after the redeploy answered %q", got)
	}

	old := chat.SendWait("/legacy", "an old menu")
	if got := chat.Press(old, "Old"); got != menu.DefaultStale {
		t.Errorf("press of an older layout answered %q, want %q", got, menu.DefaultStale)
	}
	if e := chat.WaitBot(0, "an old menu"); e.Text != "an old menu" {
		t.Errorf("the old-layout message changed to %q", e.Text)
	}
}

func labels(e emulator.Entry) []string {
	var got []string
	for _, row := range emutest.Keyboard(e) {
		for _, b := range row {
			got = append(got, b.Text)
		}
	}
	return got
}

func wantButtons(t *testing.T, e emulator.Entry, want ...string) {
	t.Helper()
	if got := labels(e); !slices.Equal(got, want) {
		t.Errorf("buttons %q, want %q", got, want)
	}
}
