package i18n_test

import (
	"context"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/i18n"
	"github.com/heraldbot/herald/tg"
)

// TestBotInEmulator runs a bot against the emulator over HTTP: users
// with Telegram language codes en, de, de-AT and fr get their language
// (or the default), a user's /lang choice is kept in the FSM and holds
// for later updates, and the command menus are published per language.
func TestBotInEmulator(t *testing.T) {
	cat := load(t)
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7601:i18n"
	store := memory.New(memory.Options{})
	t.Cleanup(func() { _ = store.Close() })
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()), herald.WithFSM(store, herald.FSMConfig{}))...)
	if err != nil {
		t.Fatal(err)
	}
	r := bot.Router()
	r.Use(cat.Middleware())
	r.Command("start", func(c *herald.Context) error {
		l := i18n.From(c)
		_, err := c.Reply(l.T("hello", map[string]any{"Name": c.Sender().FirstName}) + " " + l.N("apples", 2, nil))
		return err
	})
	r.Command("lang", func(c *herald.Context) error {
		if err := cat.SetLang(c, c.Args()); err != nil {
			_, err = c.Reply(err.Error())
			return err
		}
		_, err := c.Reply(i18n.From(c).T("lang.set", nil))
		return err
	})

	ctx := context.Background()
	menu := i18n.Menu{Commands: []i18n.Command{{"start", "cmd.start"}, {"lang", "cmd.lang"}}}
	if err := cat.SyncCommands(ctx, bot.Client(), menu, i18n.Menu{Scope: &tg.BotCommandScopeAllPrivateChats{}, Commands: menu.Commands[:1]}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scope tg.BotCommandScope
		lang  string
		want  string
	}{
		{nil, "", "Start the bot"},
		{nil, "en", "Start the bot"},
		{nil, "de", "Bot starten"},
		{&tg.BotCommandScopeAllPrivateChats{}, "de", "Bot starten"},
		{nil, "fr", ""}, // nothing published for French: Telegram shows the default list
	} {
		cmds, err := bot.Client().GetMyCommands(ctx, tg.GetMyCommandsParams{Scope: tc.scope, LanguageCode: tc.lang})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if len(cmds) > 0 {
			got = cmds[0].Description
		}
		if got != tc.want {
			t.Errorf("getMyCommands(%v, %q): first description %q, want %q", tc.scope, tc.lang, got, tc.want)
		}
	}
	bad := i18n.Menu{Commands: []i18n.Command{{"x", "no.such.id"}}}
	if err := cat.SyncCommands(ctx, bot.Client(), bad); err == nil {
		t.Error("SyncCommands with an unknown description id: no error")
	}

	emutest.Run(t, bot)
	for _, tc := range []struct {
		user tg.User
		want string
	}{
		{tg.User{ID: 501, FirstName: "Ann", LanguageCode: "en"}, "Hello, Ann! 2 apples"},
		{tg.User{ID: 502, FirstName: "Jonas", LanguageCode: "de"}, "Hallo, Jonas! 2 Äpfel"},
		{tg.User{ID: 503, FirstName: "Lena", LanguageCode: "de-AT"}, "Hallo, Lena! 2 Äpfel"},
		{tg.User{ID: 504, FirstName: "Luc", LanguageCode: "fr"}, "Hello, Luc! 2 apples"},
		{tg.User{ID: 505, FirstName: "Sam"}, "Hello, Sam! 2 apples"},
	} {
		srv.Chat(t, token, tc.user).SendWait("/start", tc.want)
	}

	// Luc chooses German; the choice outlives the update.
	luc := srv.Chat(t, token, tg.User{ID: 504, FirstName: "Luc", LanguageCode: "fr"})
	luc.SendWait("/lang de", "Sprache auf Deutsch gestellt.")
	luc.SendWait("/start", "Hallo, Luc!")
	luc.SendWait("/lang xx", "language not in the catalog")
	luc.SendWait("/start", "Hallo, Luc!")
	if got, err := store.Get(ctx, i18n.PrefsKey(bot.Client().BotID(), 504)); err != nil || string(got.Data) != `{"lang":"de"}` {
		t.Errorf("stored prefs = %q, %v", got.Data, err)
	}
	luc.SendWait("/lang", "Language set to English.") // forgotten: back to language_code fr → default
	luc.SendWait("/start", "Hello, Luc!")
}
