package i18n

import (
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/fsm"
)

// Prefs is the typed FSM data a user's language choice is kept in.
type Prefs struct {
	// Lang is the language the user chose ("" = follow Telegram's
	// language_code).
	Lang string `json:"lang,omitzero"`
}

// PrefsThread is the thread id of the FSM keys holding users' Prefs:
// {bot, chat 0, user, thread -1}. Telegram's topic ids are positive, so
// these keys never meet a conversation's, whatever the bot's key
// strategy, and a choice made in one chat holds in all of them.
const PrefsThread = -1

// PrefsKey returns the FSM key of a user's Prefs.
func PrefsKey(botID, userID int64) fsm.Key {
	return fsm.Key{BotID: botID, UserID: userID, ThreadID: PrefsThread}
}

// current is the localizer of the update, set by Middleware or Resolve.
var current = herald.NewKey[*Localizer]("i18n.localizer")

// ErrUnsupported is wrapped by SetLang's error for a language the
// catalog does not have.
var ErrUnsupported = errors.New("i18n: language not in the catalog")

// prefs returns the conversation holding the sender's Prefs, in the
// bot's FSM storage, without TTL (a choice outlives conversations).
func prefs(c *herald.Context) (*fsm.Context, bool) {
	u := c.Sender()
	if u == nil {
		return nil, false
	}
	return fsm.NewContext(c.FSM().Storage(), PrefsKey(c.Client().BotID(), u.ID), fsm.Options{}), true
}

// Chosen returns the language the sender chose with SetLang, or "".
// A bot without FSM storage has no choices ("" and no error); a storage
// failure is an error.
func Chosen(c *herald.Context) (string, error) {
	fc, ok := prefs(c)
	if !ok {
		return "", nil
	}
	p, err := fsm.GetData[Prefs](c, fc)
	switch {
	case errors.Is(err, herald.ErrNoFSM) || errors.Is(err, fsm.ErrNoKey):
		return "", nil
	case errors.Is(err, fsm.ErrCorrupt):
		return "", nil // overwritten by the next SetLang
	case err != nil:
		return "", fmt.Errorf("i18n: read the user's language: %w", err)
	}
	return p.Lang, nil
}

// Resolve returns the update's localizer: the sender's choice (SetLang)
// if the catalog has it, else their Telegram language_code, else the
// default language. The result is kept for the rest of the update. Its
// error is a failure to read the FSM storage, which the update should
// not outlive (return it, and the update is handled again).
func (cat *Catalog) Resolve(c *herald.Context) (*Localizer, error) {
	if l, ok := current.Get(c); ok && l != nil && l.cat == cat {
		return l, nil
	}
	var langs []string
	if u := c.Sender(); u != nil {
		chosen, err := Chosen(c)
		if err != nil {
			return nil, err
		}
		langs = append(langs, chosen, u.LanguageCode)
	}
	l := cat.Localizer(langs...)
	current.Set(c, l)
	return l, nil
}

// For is Resolve for handlers that cannot fail: when the choice cannot be
// read it uses the language_code (and does not keep the result, so a
// later call tries again).
func (cat *Catalog) For(c *herald.Context) *Localizer {
	l, err := cat.Resolve(c)
	if err != nil {
		var code string
		if u := c.Sender(); u != nil {
			code = u.LanguageCode
		}
		return cat.Localizer(code)
	}
	return l
}

// Middleware resolves the update's localizer before its handler runs
// (read it with From or cat.For). Use it as outer middleware
// (Router.Use); a storage failure fails the update.
func (cat *Catalog) Middleware() herald.Handler {
	return func(c *herald.Context) error {
		if _, err := cat.Resolve(c); err != nil {
			return err
		}
		return c.Next()
	}
}

// From returns the localizer Middleware (or Resolve) set for the update,
// or nil when none did.
func From(c *herald.Context) *Localizer {
	l, _ := current.Get(c)
	return l
}

// SetLang records lang as the sender's language (the catalog must have
// it: an error wrapping ErrUnsupported otherwise) in the bot's FSM
// storage, and makes it the update's language from now on. lang ""
// forgets the choice, going back to Telegram's language_code.
func (cat *Catalog) SetLang(c *herald.Context, lang string) error {
	if lang != "" && !cat.Supports(lang) {
		return fmt.Errorf("%w: %q (have %v)", ErrUnsupported, lang, cat.Languages())
	}
	fc, ok := prefs(c)
	if !ok {
		return fmt.Errorf("i18n: set language: the update has no sender")
	}
	if lang != "" {
		lang = cat.Localizer(lang).Lang()
	}
	if err := fsm.Set(c, fc, fsm.NoState, Prefs{Lang: lang}); err != nil {
		return fmt.Errorf("i18n: set language: %w", err)
	}
	var code string
	if u := c.Sender(); u != nil {
		code = u.LanguageCode
	}
	current.Set(c, cat.Localizer(lang, code))
	return nil
}
