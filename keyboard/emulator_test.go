package keyboard_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/tg"
)

type fruit struct {
	Name string
	ID   int
}

// shelf is the list the menu shows; the test shrinks it to make a menu stale.
type shelf struct {
	mu     sync.Mutex
	fruits []fruit
}

func (s *shelf) list(*herald.Context) ([]fruit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fruits), nil
}

func (s *shelf) set(f []fruit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fruits = f
}

// TestPagerInEmulator runs a bot with a paginated menu against the
// emulator over HTTP and presses its buttons as a user: next, the page
// button of the page shown (an edit that changes nothing), an item, and
// next on a menu whose list has shrunk since it was drawn.
func TestPagerInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7502:keyboard"
	items := herald.MustCallbackData[fruit]("fruit")
	pager, err := keyboard.NewPager(keyboard.PagerConfig[fruit]{
		Prefix: "fruits", Items: items, Label: func(f fruit) string { return f.Name }, PerPage: 3, Columns: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	var s shelf
	var all []fruit
	for i, n := range []string{"apple", "banana", "cherry", "date", "elder", "fig", "grape"} {
		all = append(all, fruit{n, i})
	}
	s.set(all)
	text := func(page, pages int) string { return fmt.Sprintf("Fruits, page %d/%d", page+1, pages) }

	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	r := bot.Router()
	r.Command("list", func(c *herald.Context) error {
		l, _ := s.list(c)
		mk, page, err := pager.Markup(l, 0)
		if err != nil {
			return err
		}
		_, err = c.ReplyWith(tg.SendMessageParams{Text: text(page, pager.Pages(len(l))), ReplyMarkup: mk})
		return err
	})
	r.CallbackQuery(pager.Handler(s.list, text), pager.Filter())
	r.CallbackQuery(func(c *herald.Context) error {
		f, _ := items.Value(c)
		return c.Answer("picked " + f.Name)
	}, items.Filter())
	emutest.Run(t, bot)

	chat := srv.Chat(t, token, tg.User{ID: 401, FirstName: "Ann"})
	menu := chat.SendWait("/list", "page 1/3")
	wantButtons(t, menu, "apple", "banana", "cherry", "1/3", "›")

	chat.Press(menu, "›")
	menu = chat.WaitEdited(menu.MessageID, "page 2/3")
	wantButtons(t, menu, "date", "elder", "fig", "‹", "2/3", "›")

	chat.Press(menu, "2/3") // same page: Telegram says "not modified"; the press is still answered
	if got := chat.Press(menu, "elder"); got != "picked elder" {
		t.Errorf("item press answered %q", got)
	}

	s.set(all[:2]) // the list shrinks: the menu on screen is stale
	chat.Press(menu, "›")
	menu = chat.WaitEdited(menu.MessageID, "page 1/1")
	wantButtons(t, menu, "apple", "banana")
}

func wantButtons(t *testing.T, e emulator.Entry, labels ...string) {
	t.Helper()
	var got []string
	for _, row := range emutest.Keyboard(e) {
		for _, b := range row {
			got = append(got, b.Text)
		}
	}
	if !slices.Equal(got, labels) {
		t.Errorf("buttons %q, want %q", got, labels)
	}
}
