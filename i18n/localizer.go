package i18n

import (
	"errors"
	"fmt"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Localizer looks messages up in one language of a catalog, falling back
// to the default language for messages that language lacks. It is
// immutable and safe for concurrent use.
type Localizer struct {
	cat *Catalog
	tag language.Tag
	loc *goi18n.Localizer
}

// Lang returns the localizer's language tag ("en", "de", …).
func (l *Localizer) Lang() string { return l.tag.String() }

// Catalog returns the catalog the localizer reads.
func (l *Localizer) Catalog() *Catalog { return l.cat }

// Get returns the message id with data (a struct or a map, read by the
// message's template; nil when it has none). A message missing in the
// localizer's language comes from the default language. Errors wrap
// ErrUnknownMessage when the catalog has no such message, or report a
// template that fails on data.
func (l *Localizer) Get(id string, data any) (string, error) {
	return l.localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// GetN is Get for a message with plural forms: count chooses the form by
// the language's rules. When data is nil, the template sees
// {{.Count}}; otherwise data must carry the number itself.
func (l *Localizer) GetN(id string, count int, data any) (string, error) {
	if data == nil {
		data = map[string]any{"Count": count}
	}
	return l.localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
}

// T is Get for texts a bot shows without checking: on error it returns
// the id itself, so a missing message is visible but nothing fails. Call
// Catalog.Check at start-up to catch unknown ids early.
func (l *Localizer) T(id string, data any) string {
	s, err := l.Get(id, data)
	if err != nil {
		return id
	}
	return s
}

// N is GetN for texts a bot shows without checking (see T).
func (l *Localizer) N(id string, count int, data any) string {
	s, err := l.GetN(id, count, data)
	if err != nil {
		return id
	}
	return s
}

func (l *Localizer) localize(cfg *goi18n.LocalizeConfig) (string, error) {
	if !l.cat.Has(cfg.MessageID) {
		return "", fmt.Errorf("%w %q (language %s)", ErrUnknownMessage, cfg.MessageID, l.tag)
	}
	s, tag, err := l.loc.LocalizeWithTag(cfg)
	if err != nil {
		// A message missing in this language but found in the default
		// one is the documented fallback, not an error.
		var nf *goi18n.MessageNotFoundErr
		if errors.As(err, &nf) && tag == l.cat.tags[0] {
			return s, nil
		}
		return "", fmt.Errorf("i18n: message %q (language %s): %w", cfg.MessageID, l.tag, err)
	}
	return s, nil
}
