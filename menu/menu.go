package menu

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/keyboard"
	"github.com/heraldbot/herald/tg"
)

// ErrInvalid is wrapped by the errors of Register for a menu tree that
// cannot work: a missing or repeated id, an id with ':' or '%', an action
// without a handler, a Back in the root menu, a submenu reached twice, or
// a button whose callback data would exceed 64 bytes.
var ErrInvalid = errors.New("menu: invalid menu")

// ErrNotRegistered is returned when a menu is drawn before the tree it
// belongs to was registered.
var ErrNotRegistered = errors.New("menu: menu not registered")

// DefaultStale is the notice a stale press is answered with by default.
const DefaultStale = "This menu has changed; please try again."

// dataVersion is the version of the callback data layout. Data with
// another version (or that does not parse) is answered as stale.
const dataVersion = 1

// data is what a button's callback data carries, after the root id.
type data struct {
	V      int
	Menu   string
	Button string
}

// Handler handles a press of an Action button.
type Handler func(p *Press) error

type kind uint8

const (
	kindAction kind = iota
	kindSub
	kindBack
	kindURL
)

// Ids of navigation buttons; action ids may not start with these.
const (
	subPrefix = "@"
	backID    = "<"
)

// Item is one button of a menu: made by Action, Sub, Back or URL.
type Item struct {
	kind    kind
	id      string
	label   string
	handler Handler
	sub     *Menu
	url     string
}

// Action is a button with a stable id (unique within its menu; no ':',
// '%', and not starting with '@' or '<') whose press runs h.
func Action(id, label string, h Handler) Item {
	return Item{kind: kindAction, id: id, label: label, handler: h}
}

// Sub is a button that shows m in place of the current menu; m's Back
// buttons return here.
func Sub(label string, m *Menu) Item {
	it := Item{kind: kindSub, label: label, sub: m}
	if m != nil {
		it.id = subPrefix + m.id
	}
	return it
}

// Back is a button that shows the menu this submenu was opened from.
func Back(label string) Item { return Item{kind: kindBack, id: backID, label: label} }

// URL is a button that opens url; it sends nothing to the bot.
func URL(label, url string) Item { return Item{kind: kindURL, label: label, url: url} }

// Menu is a message text with rows of buttons. Declare it with New and
// Row, then Register its root; after Register it is read-only and safe
// for concurrent use.
type Menu struct {
	id     string
	text   string
	textFn func(*herald.Context) string
	rows   [][]Item
	byID   map[string]Item
	parent *Menu
	tree   *tree
}

// New returns an empty menu. id names it in callback data (keep it
// short and stable; for a root menu it is the callback-data prefix, which
// no other callback data of the bot may start with); text is its message.
func New(id, text string) *Menu { return &Menu{id: id, text: text} }

// ID returns the menu's id.
func (m *Menu) ID() string { return m.id }

// TextFunc makes the menu's message computed per press (a cart's total,
// a setting's current value) instead of the fixed text.
func (m *Menu) TextFunc(fn func(c *herald.Context) string) *Menu {
	m.mustNotBeRegistered()
	m.textFn = fn
	return m
}

// Row appends a row of buttons (an empty call adds nothing). It panics
// after Register.
func (m *Menu) Row(items ...Item) *Menu {
	m.mustNotBeRegistered()
	if len(items) > 0 {
		m.rows = append(m.rows, items)
	}
	return m
}

func (m *Menu) mustNotBeRegistered() {
	if m.tree != nil {
		panic(fmt.Sprintf("menu: menu %q changed after Register", m.id))
	}
}

// Text returns the menu's message text for c.
func (m *Menu) Text(c *herald.Context) string {
	if m.textFn != nil {
		return m.textFn(c)
	}
	return m.text
}

// Markup returns the menu's inline keyboard.
func (m *Menu) Markup() (*tg.InlineKeyboardMarkup, error) {
	t := m.tree
	if t == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotRegistered, m.id)
	}
	var k keyboard.Inline
	for _, row := range m.rows {
		buttons := make([]tg.InlineKeyboardButton, 0, len(row))
		for _, it := range row {
			if it.kind == kindURL {
				buttons = append(buttons, keyboard.URL(it.label, it.url))
				continue
			}
			b, err := keyboard.Typed(t.cd, it.label, data{dataVersion, m.id, it.id})
			k.AddErr(err)
			buttons = append(buttons, b)
		}
		k.Row(buttons...)
	}
	return k.Markup()
}

// Send sends the menu to the update's chat as a new message.
func (m *Menu) Send(c *herald.Context) (*tg.Message, error) {
	mk, err := m.Markup()
	if err != nil {
		return nil, err
	}
	return c.ReplyWith(tg.SendMessageParams{Text: m.Text(c), ReplyMarkup: mk})
}

// Options configures a registered menu tree.
type Options struct {
	// Stale is the notice a stale press is answered with (DefaultStale
	// when empty).
	Stale string
}

// tree is a registered root menu and everything under it.
type tree struct {
	root  *Menu
	cd    *herald.CallbackData[data]
	menus map[string]*Menu
	stale string
}

// Register checks the tree under m, the root, and adds to r one
// callback-query handler for all its buttons: the presses whose data
// starts with m's id. It fails with an error wrapping ErrInvalid when the
// tree cannot work (see ErrInvalid).
func (m *Menu) Register(r *herald.Router, opts Options) error {
	if m.tree != nil {
		return fmt.Errorf("%w: menu %q is registered already", ErrInvalid, m.id)
	}
	cd, err := herald.NewCallbackData[data](m.id)
	if err != nil {
		return fmt.Errorf("%w: root id: %w", ErrInvalid, err)
	}
	t := &tree{root: m, cd: cd, menus: map[string]*Menu{}, stale: opts.Stale}
	if t.stale == "" {
		t.stale = DefaultStale
	}
	if err := t.add(m, nil); err != nil {
		return err
	}
	for _, mm := range t.menus {
		mm.tree = t
	}
	r.CallbackQuery(t.handle, t.filter)
	return nil
}

// add checks m and adds it and its submenus to t.
func (t *tree) add(m *Menu, parent *Menu) error {
	if err := checkID("menu", m.id); err != nil {
		return err
	}
	if m.tree != nil {
		return fmt.Errorf("%w: menu %q belongs to another registered menu", ErrInvalid, m.id)
	}
	if _, dup := t.menus[m.id]; dup {
		return fmt.Errorf("%w: menu id %q used twice (a submenu may have one parent)", ErrInvalid, m.id)
	}
	t.menus[m.id] = m
	m.parent = parent
	m.byID = map[string]Item{}
	for _, row := range m.rows {
		for _, it := range row {
			if it.label == "" {
				return fmt.Errorf("%w: menu %q: a button without a label", ErrInvalid, m.id)
			}
			switch it.kind {
			case kindURL:
				continue
			case kindAction:
				if err := checkID("button", it.id); err != nil {
					return fmt.Errorf("menu %q: %w", m.id, err)
				}
				if strings.HasPrefix(it.id, subPrefix) || strings.HasPrefix(it.id, backID) {
					return fmt.Errorf("%w: menu %q: button id %q may not start with %q or %q", ErrInvalid, m.id, it.id, subPrefix, backID)
				}
				if it.handler == nil {
					return fmt.Errorf("%w: menu %q: button %q has no handler", ErrInvalid, m.id, it.id)
				}
			case kindSub:
				if it.sub == nil {
					return fmt.Errorf("%w: menu %q: button %q opens a nil menu", ErrInvalid, m.id, it.label)
				}
			case kindBack:
				if parent == nil {
					return fmt.Errorf("%w: root menu %q has a Back button", ErrInvalid, m.id)
				}
			}
			if _, dup := m.byID[it.id]; dup {
				return fmt.Errorf("%w: menu %q: button id %q used twice", ErrInvalid, m.id, it.id)
			}
			if _, err := t.cd.Pack(data{dataVersion, m.id, it.id}); err != nil {
				return fmt.Errorf("%w: menu %q: button %q: %w", ErrInvalid, m.id, it.label, err)
			}
			m.byID[it.id] = it
		}
	}
	for _, row := range m.rows {
		for _, it := range row {
			if it.kind == kindSub {
				if err := t.add(it.sub, m); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkID(what, id string) error {
	if id == "" || strings.ContainsAny(id, ":%") {
		return fmt.Errorf("%w: %s id %q must be non-empty without ':' or '%%'", ErrInvalid, what, id)
	}
	return nil
}

// filter matches the presses of the tree's buttons, including stale ones.
func (t *tree) filter(c *herald.Context) bool {
	q := c.CallbackQuery()
	if q == nil {
		return false
	}
	rest, ok := strings.CutPrefix(q.Data, t.root.id)
	return ok && (rest == "" || rest[0] == ':')
}

// handle routes a press to its button.
func (t *tree) handle(c *herald.Context) error {
	d, err := t.cd.Unpack(c.CallbackQuery().Data)
	if err != nil || d.V != dataVersion {
		return t.answerStale(c, nil, "callback data of another layout")
	}
	m := t.menus[d.Menu]
	if m == nil {
		return t.answerStale(c, nil, "no such menu")
	}
	it, ok := m.byID[d.Button]
	if !ok {
		return t.answerStale(c, m, "no such button")
	}
	p := &Press{Context: c, menu: m}
	switch it.kind {
	case kindSub:
		err = p.Show(it.sub)
	case kindBack:
		err = p.Show(m.parent)
	default:
		err = it.handler(p)
	}
	if !p.answered.Load() {
		if aerr := c.Answer(""); err == nil {
			err = aerr
		}
	}
	return err
}

// answerStale answers a press the tree cannot route, redrawing the
// message with the current m when there is one.
func (t *tree) answerStale(c *herald.Context, m *Menu, why string) error {
	if b := c.Bot(); b != nil {
		b.Logger().DebugContext(c, "menu: stale press", "menu", t.root.id, "data", c.CallbackQuery().Data, "why", why)
	}
	err := c.Answer(t.stale) // first: the notice is what the user waits for
	if m != nil {
		p := &Press{Context: c, menu: m}
		if serr := p.Show(m); serr != nil && c.Bot() != nil {
			c.Bot().Logger().DebugContext(c, "menu: redrawing a stale menu", "menu", m.id, "err", serr)
		}
	}
	return err
}

// Press is a press of an Action button: the update's herald.Context, and
// the menu it was pressed in.
type Press struct {
	*herald.Context
	menu     *Menu
	answered atomic.Bool
}

// Menu returns the menu the button was pressed in.
func (p *Press) Menu() *Menu { return p.menu }

// Answer answers the press with an optional notification text; without
// it the menu answers with no text when the handler returns.
func (p *Press) Answer(text string) error {
	return p.AnswerWith(tg.AnswerCallbackQueryParams{Text: text})
}

// AnswerWith answers the press (a notice, an alert, a URL).
func (p *Press) AnswerWith(params tg.AnswerCallbackQueryParams) error {
	p.answered.Store(true)
	return p.Context.AnswerWith(params)
}

// Show edits the pressed message in place to show m (a menu of the same
// or another registered tree). An edit that changes nothing is not an
// error.
func (p *Press) Show(m *Menu) error {
	mk, err := m.Markup()
	if err != nil {
		return err
	}
	if err := p.Edit(m.Text(p.Context), mk); err != nil && !notModified(err) {
		return err
	}
	p.menu = m
	return nil
}

// Refresh redraws the current menu (after its TextFunc's answer changed).
func (p *Press) Refresh() error { return p.Show(p.menu) }

// notModified reports Telegram's 400 for an edit that changes nothing.
func notModified(err error) bool {
	e, ok := errors.AsType[*tg.Error](err)
	return ok && e.Code == 400 && strings.Contains(strings.ToLower(e.Description), "message is not modified")
}
