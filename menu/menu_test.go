package menu_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/menu"
	"github.com/heraldbot/herald/tg"
)

func nop(*menu.Press) error { return nil }

func TestRegisterRejects(t *testing.T) {
	long := strings.Repeat("x", 60)
	cases := map[string]func() *menu.Menu{
		"root id with colon": func() *menu.Menu { return menu.New("a:b", "t") },
		"empty button id":    func() *menu.Menu { return menu.New("m", "t").Row(menu.Action("", "A", nop)) },
		"button id with %":   func() *menu.Menu { return menu.New("m", "t").Row(menu.Action("a%b", "A", nop)) },
		"reserved prefix":    func() *menu.Menu { return menu.New("m", "t").Row(menu.Action("@x", "A", nop)) },
		"no handler":         func() *menu.Menu { return menu.New("m", "t").Row(menu.Action("a", "A", nil)) },
		"no label":           func() *menu.Menu { return menu.New("m", "t").Row(menu.Action("a", "", nop)) },
		"duplicate button": func() *menu.Menu {
			return menu.New("m", "t").Row(menu.Action("a", "A", nop), menu.Action("a", "B", nop))
		},
		"back in root":       func() *menu.Menu { return menu.New("m", "t").Row(menu.Back("‹")) },
		"nil submenu":        func() *menu.Menu { return menu.New("m", "t").Row(menu.Sub("S", nil)) },
		"data over 64 bytes": func() *menu.Menu { return menu.New("m", "t").Row(menu.Action(long, "A", nop)) },
		"submenu twice": func() *menu.Menu {
			s := menu.New("s", "t")
			return menu.New("m", "t").Row(menu.Sub("S", s), menu.Sub("S again", s))
		},
		"cycle": func() *menu.Menu {
			m := menu.New("m", "t")
			s := menu.New("s", "t").Row(menu.Sub("up", m))
			return m.Row(menu.Sub("S", s))
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			err := build().Register(herald.NewRouter("r"), menu.Options{})
			if !errors.Is(err, menu.ErrInvalid) {
				t.Fatalf("Register = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestMarkupCarriesStableIDs(t *testing.T) {
	sub := menu.New("set", "Settings").Row(menu.Back("‹"))
	root := menu.New("shop", "Shop").Row(menu.Action("buy", "Buy", nop), menu.Sub("Settings", sub)).Row(menu.URL("Site", "https://example.com"))
	if _, err := root.Markup(); !errors.Is(err, menu.ErrNotRegistered) {
		t.Fatalf("Markup before Register = %v, want ErrNotRegistered", err)
	}
	if err := root.Register(herald.NewRouter("r"), menu.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := root.Register(herald.NewRouter("r"), menu.Options{}); !errors.Is(err, menu.ErrInvalid) {
		t.Errorf("second Register = %v, want ErrInvalid", err)
	}
	var got []string
	for _, m := range []*menu.Menu{root, sub} {
		mk, err := m.Markup()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range mk.InlineKeyboard {
			for _, b := range row {
				got = append(got, b.Text+"="+b.CallbackData+b.URL)
			}
		}
	}
	want := "Buy=shop:1:shop:buy Settings=shop:1:shop:@set Site=https://example.com ‹=shop:1:set:<"
	if strings.Join(got, " ") != want {
		t.Errorf("buttons\n %s\nwant\n %s", strings.Join(got, " "), want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Row after Register did not panic")
		}
	}()
	root.Row(menu.Action("late", "Late", nop))
}

// pressBot is a bot with root registered whose client is a recording fake.
type pressBot struct {
	bot  *herald.Bot
	rec  *testkit.Caller
	next int64 // update id
	mu   sync.Mutex
	errs []error
}

func newPressBot(t *testing.T, root *menu.Menu) *pressBot {
	t.Helper()
	pb := &pressBot{rec: &testkit.Caller{}}
	fake := func(tg.Caller) tg.Caller { return pb.rec }
	bot, err := herald.New("1:x", herald.WithoutLimiter(), herald.WithClientOptions(tg.WithMiddleware(fake)),
		herald.WithLogger(slog.New(slog.DiscardHandler)), herald.WithErrorReply(""),
		herald.WithErrorHandler(func(_ *herald.Context, err error) {
			pb.mu.Lock()
			pb.errs = append(pb.errs, err)
			pb.mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Register(bot.Router(), menu.Options{Stale: "old menu"}); err != nil {
		t.Fatal(err)
	}
	pb.bot = bot
	return pb
}

// press handles a press of data and returns the methods called and the
// texts of the answers.
func (pb *pressBot) press(t *testing.T, data string) (methods, answers []string, errs []error) {
	t.Helper()
	pb.rec.Reset()
	pb.mu.Lock()
	pb.errs = nil
	pb.mu.Unlock()
	pb.next++
	u := &tg.Update{UpdateID: pb.next, CallbackQuery: &tg.CallbackQuery{
		ID: "q", From: tg.User{ID: 9, FirstName: "Ann"}, Data: data,
		Message: &tg.Message{MessageID: 5, Date: 1, Chat: tg.Chat{ID: 9, Type: "private"}, Text: "x"},
	}}
	_ = pb.bot.HandleUpdate(context.Background(), u)
	for _, c := range pb.rec.Calls() {
		methods = append(methods, c.Method)
		if p, ok := c.Params.(*tg.AnswerCallbackQueryParams); ok {
			answers = append(answers, p.Text)
		}
	}
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return methods, answers, pb.errs
}

func TestPressIsRoutedAndAnsweredOnce(t *testing.T) {
	boom := errors.New("boom")
	sub := menu.New("set", "Settings").Row(menu.Back("‹"))
	root := menu.New("m", "Main").Row(
		menu.Action("hi", "Hi", func(p *menu.Press) error { return p.Answer("hello") }),
		menu.Action("quiet", "Quiet", nop),
		menu.Action("fail", "Fail", func(*menu.Press) error { return boom }),
		menu.Sub("Settings", sub),
	)
	pb := newPressBot(t, root)
	cases := []struct {
		data             string
		methods, answers string
		err              error
	}{
		{"m:1:m:hi", "answerCallbackQuery", "hello", nil},
		{"m:1:m:quiet", "answerCallbackQuery", "", nil},
		{"m:1:m:fail", "answerCallbackQuery", "", boom},
		{"m:1:m:@set", "editMessageText answerCallbackQuery", "", nil},
		{"m:1:set:<", "editMessageText answerCallbackQuery", "", nil},
		// Stale: a button the menu no longer has (the menu is redrawn), a
		// menu that no longer exists, data of another layout or version.
		{"m:1:m:gone", "answerCallbackQuery editMessageText", "old menu", nil},
		{"m:1:gone:hi", "answerCallbackQuery", "old menu", nil},
		{"m:hi", "answerCallbackQuery", "old menu", nil},
		{"m:2:m:hi", "answerCallbackQuery", "old menu", nil},
		{"m", "answerCallbackQuery", "old menu", nil},
	}
	for _, tc := range cases {
		methods, answers, errs := pb.press(t, tc.data)
		if got := strings.Join(methods, " "); got != tc.methods {
			t.Errorf("%s: calls %q, want %q", tc.data, got, tc.methods)
		}
		if len(answers) != 1 || answers[0] != tc.answers {
			t.Errorf("%s: answers %q, want one %q", tc.data, answers, tc.answers)
		}
		if tc.err == nil && len(errs) > 0 || tc.err != nil && (len(errs) != 1 || !errors.Is(errs[0], tc.err)) {
			t.Errorf("%s: errors %v, want %v", tc.data, errs, tc.err)
		}
	}
	// Data of another root is not the menu's.
	if methods, _, _ := pb.press(t, "mm:1:m:hi"); len(methods) != 0 {
		t.Errorf("a press of another prefix reached the menu: %q", methods)
	}
}
