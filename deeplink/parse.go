package deeplink

import (
	"fmt"
	"net/url"
	"strings"
)

// Kind is the action of a bot link.
type Kind string

// The kinds of bot links.
const (
	KindStart        Kind = "start"
	KindStartGroup   Kind = "startgroup"
	KindStartChannel Kind = "startchannel"
	KindStartApp     Kind = "startapp"
)

// Link is a parsed bot link.
type Link struct {
	Bot     string  // the bot's username, without @
	Kind    Kind    // what the link does
	App     string  // the Mini App's short name (startapp links to a named app)
	Payload string  // the start payload or start_param, "" if none
	Rights  []Right // administrator rights asked for (startgroup, startchannel)
}

// Parse reads a t.me (or telegram.me) bot link made by this package or by
// hand, with or without scheme, and checks it as Start and the others do.
func Parse(link string) (Link, error) {
	raw := link
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Link{}, fmt.Errorf("%w: link: %v", ErrInvalid, err)
	}
	if h := strings.ToLower(u.Host); (u.Scheme != "https" && u.Scheme != "http") || (h != "t.me" && h != "telegram.me") {
		return Link{}, fmt.Errorf("%w: %q is not a t.me link", ErrInvalid, link)
	}
	bot, app, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	var l Link
	if l.Bot, err = checkBot(bot); err != nil {
		return Link{}, err
	}
	l.App = app
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Link{}, fmt.Errorf("%w: link query: %v", ErrInvalid, err)
	}
	for _, k := range []Kind{KindStart, KindStartGroup, KindStartChannel, KindStartApp} {
		if q.Has(string(k)) {
			if l.Kind != "" {
				return Link{}, fmt.Errorf("%w: link has both %s and %s", ErrInvalid, l.Kind, k)
			}
			l.Kind, l.Payload = k, q.Get(string(k))
		}
	}
	max := MaxPayload
	switch {
	case l.Kind == "":
		return Link{}, fmt.Errorf("%w: %q has no start, startgroup, startchannel or startapp", ErrInvalid, link)
	case l.Kind == KindStartApp:
		max = MaxAppPayload
	case app != "":
		return Link{}, fmt.Errorf("%w: a %s link has no app path", ErrInvalid, l.Kind)
	}
	if err := Check(l.Payload, max); err != nil {
		return Link{}, err
	}
	if a := q.Get("admin"); a != "" {
		for _, r := range strings.Fields(strings.ReplaceAll(a, "+", " ")) { // ParseQuery made + a space
			if !Right(r).valid() {
				return Link{}, fmt.Errorf("%w: unknown administrator right %q", ErrInvalid, r)
			}
			l.Rights = append(l.Rights, Right(r))
		}
	}
	return l, nil
}
