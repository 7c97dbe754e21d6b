package keyboard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// PagerConfig configures a Pager over items of type T.
type PagerConfig[T any] struct {
	// Prefix is the callback-data prefix of the navigation buttons; it
	// must differ from every other callback data prefix of the bot.
	Prefix string
	// Items packs an item into its button's callback data.
	Items *herald.CallbackData[T]
	// Label is the text of an item's button.
	Label func(T) string
	// PerPage is the number of items on a page (default 5).
	PerPage int
	// Columns is the number of item buttons in a row (default 1).
	Columns int
	// Prev and Next label the navigation buttons (default "‹" and "›").
	Prev, Next string
}

// navData is the callback data of a navigation button.
type navData struct{ Page int }

// Pager shows a list of items a page at a time in an inline keyboard:
// one button per item, then a row with previous, "page/pages" and next
// buttons (the middle one shows the page again). It is safe for
// concurrent use.
type Pager[T any] struct {
	cfg PagerConfig[T]
	nav *herald.CallbackData[navData]
}

// NewPager returns a Pager, or an error when cfg lacks Items or Label or
// its Prefix is not a valid callback-data prefix.
func NewPager[T any](cfg PagerConfig[T]) (*Pager[T], error) {
	if cfg.Items == nil || cfg.Label == nil {
		return nil, fmt.Errorf("%w: a pager needs Items and Label", ErrInvalid)
	}
	nav, err := herald.NewCallbackData[navData](cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("keyboard: pager: %w", err)
	}
	if cfg.PerPage < 1 {
		cfg.PerPage = 5
	}
	if cfg.Columns < 1 {
		cfg.Columns = 1
	}
	if cfg.Prev == "" {
		cfg.Prev = "‹"
	}
	if cfg.Next == "" {
		cfg.Next = "›"
	}
	return &Pager[T]{cfg: cfg, nav: nav}, nil
}

// Pages returns the number of pages for n items (at least 1).
func (p *Pager[T]) Pages(n int) int { return max(1, (n+p.cfg.PerPage-1)/p.cfg.PerPage) }

// Markup returns the keyboard of page (counted from 0) of all, and the
// page shown: a page past the end shows the last one, a negative page the
// first.
func (p *Pager[T]) Markup(all []T, page int) (*tg.InlineKeyboardMarkup, int, error) {
	pages := p.Pages(len(all))
	page = min(max(page, 0), pages-1)
	start := page * p.cfg.PerPage
	items := all[start:min(start+p.cfg.PerPage, len(all))]
	var k Inline
	buttons := make([]tg.InlineKeyboardButton, 0, len(items))
	for _, it := range items {
		b, err := Typed(p.cfg.Items, p.cfg.Label(it), it)
		k.AddErr(err)
		buttons = append(buttons, b)
	}
	k.Adjust(buttons, p.cfg.Columns)
	if pages > 1 {
		var nav []tg.InlineKeyboardButton
		if page > 0 {
			nav = append(nav, p.navButton(p.cfg.Prev, page-1))
		}
		nav = append(nav, p.navButton(strconv.Itoa(page+1)+"/"+strconv.Itoa(pages), page))
		if page < pages-1 {
			nav = append(nav, p.navButton(p.cfg.Next, page+1))
		}
		k.Row(nav...)
	}
	mk, err := k.Markup()
	return mk, page, err
}

func (p *Pager[T]) navButton(text string, page int) tg.InlineKeyboardButton {
	data, _ := p.nav.Pack(navData{page}) // an int field always fits after a valid prefix
	return Callback(text, data)
}

// Filter matches presses of the pager's navigation buttons.
func (p *Pager[T]) Filter() herald.Filter { return p.nav.Filter() }

// Requested returns the page a navigation press asks for (after Filter).
func (p *Pager[T]) Requested(c *herald.Context) (int, bool) {
	v, ok := p.nav.Value(c)
	return v.Page, ok
}

// Handler answers navigation presses: it loads the list with list, edits
// the pressed message to text(page, pages) with the requested page's
// keyboard, and answers the press. Register it with Filter:
//
//	r.CallbackQuery(pager.Handler(list, text), pager.Filter())
func (p *Pager[T]) Handler(list func(*herald.Context) ([]T, error), text func(page, pages int) string) herald.Handler {
	return func(c *herald.Context) error {
		want, ok := p.Requested(c)
		if !ok {
			return errors.New("keyboard: pager handler registered without pager.Filter()")
		}
		all, err := list(c)
		if err != nil {
			return err
		}
		mk, page, err := p.Markup(all, want)
		if err != nil {
			return err
		}
		if err := c.Edit(text(page, p.Pages(len(all))), mk); err != nil && !notModified(err) {
			return err
		}
		return c.Answer("")
	}
}

// notModified reports Telegram's 400 for an edit that changes nothing
// (the "page/pages" button of the page shown, pressed).
func notModified(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && e.Code == 400 && strings.Contains(strings.ToLower(e.Description), "message is not modified")
}
