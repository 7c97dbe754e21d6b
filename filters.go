package herald

import (
	"regexp"
	"slices"
	"strings"

	"github.com/heraldbot/herald/tg"
)

// Command matches a message whose text starts with one of the commands
// ("/start", "/start@this_bot", "/start 42"; names with or without the
// slash, compared case-insensitively). A command addressed to another bot
// does not match. The handler reads the command and arguments with
// c.Command() and c.Args().
func Command(names ...string) Filter {
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(strings.TrimPrefix(n, "/"))
	}
	return func(c *Context) bool {
		p := c.parseCommand()
		if !p.ok || !p.forMe {
			return false
		}
		for _, n := range lower {
			if p.lower == n {
				c.command, c.args = p.name, p.args
				return true
			}
		}
		return false
	}
}

// parsedCommand is the command at the start of a message, parsed once per update.
type parsedCommand struct {
	done, ok  bool
	forMe     bool // no @botname, or this bot's
	name, bot string
	lower     string // name in lower case, for comparisons
	args      string
	table     *commandTable // id is the name's number in this table
	id        int
}

// parseCommand splits "/name@bot args" from the message text, once.
func (c *Context) parseCommand() *parsedCommand {
	p := &c.cmd
	if p.done {
		return p
	}
	p.done = true
	if c.kind == KindCallbackQuery {
		return p
	}
	m := c.Message()
	if m == nil || len(m.Text) < 2 || m.Text[0] != '/' {
		return p
	}
	text := m.Text
	end := 1
	for end < len(text) && text[end] != ' ' && text[end] != '\n' && text[end] != '\t' {
		end++
	}
	p.name, p.bot, _ = strings.Cut(text[1:end], "@")
	p.args = strings.TrimSpace(text[end:])
	p.ok = p.name != ""
	p.forMe = p.bot == "" || (c.bot != nil && strings.EqualFold(p.bot, c.bot.username))
	p.lower = strings.ToLower(p.name) // allocates only when the name has capitals
	return p
}

// IsCommand matches messages that start with a command addressed to this
// bot (any command: "/anything", "/anything@this_bot").
func IsCommand() Filter {
	return func(c *Context) bool {
		p := c.parseCommand()
		return p.ok && p.forMe
	}
}

// TextEquals matches when the text (see Context.Text) equals one of the values.
func TextEquals(values ...string) Filter {
	return func(c *Context) bool { return slices.Contains(values, c.Text()) }
}

// TextPrefix matches when the text starts with prefix.
func TextPrefix(prefix string) Filter {
	return func(c *Context) bool { return strings.HasPrefix(c.Text(), prefix) }
}

// TextRegexp matches when re matches the text; the handler reads the
// submatches with c.Groups().
func TextRegexp(re *regexp.Regexp) Filter {
	return func(c *Context) bool {
		g := re.FindStringSubmatch(c.Text())
		if g == nil {
			return false
		}
		c.groups = g
		return true
	}
}

// CallbackPrefix matches callback queries whose data starts with prefix.
func CallbackPrefix(prefix string) Filter {
	return func(c *Context) bool {
		q := c.Update.CallbackQuery
		return q != nil && strings.HasPrefix(q.Data, prefix)
	}
}

// ChatType matches updates in chats of the given types ("private", "group",
// "supergroup", "channel").
func ChatType(types ...string) Filter {
	return func(c *Context) bool {
		chat := c.Chat()
		return chat != nil && slices.Contains(types, chat.Type)
	}
}

// ContentType matches messages whose content is one of the types, as named
// by ContentTypeOf ("text", "photo", "document", …).
func ContentType(types ...string) Filter {
	return func(c *Context) bool {
		m := c.Message()
		return m != nil && slices.Contains(types, ContentTypeOf(m))
	}
}

// Users matches updates sent by one of the given user ids (an allow-list).
func Users(ids ...int64) Filter {
	return func(c *Context) bool {
		u := c.Sender()
		return u != nil && slices.Contains(ids, u.ID)
	}
}

// And matches when every filter matches.
func And(filters ...Filter) Filter {
	return func(c *Context) bool { return matchAll(c, filters) }
}

// Or matches when any filter matches.
func Or(filters ...Filter) Filter {
	return func(c *Context) bool {
		for _, f := range filters {
			if f(c) {
				return true
			}
		}
		return false
	}
}

// Not inverts a filter.
func Not(f Filter) Filter { return func(c *Context) bool { return !f(c) } }

// ContentTypeOf names what a message carries: "text", "photo", "document",
// "video", "animation", "audio", "voice", "video_note", "sticker",
// "location", "venue", "contact", "poll", "dice", "story", or "other"
// (service messages and newer kinds).
func ContentTypeOf(m *tg.Message) string {
	switch {
	case m.Text != "":
		return "text"
	case len(m.Photo) > 0:
		return "photo"
	case m.Animation != nil: // animations also carry a document
		return "animation"
	case m.Document != nil:
		return "document"
	case m.Video != nil:
		return "video"
	case m.Audio != nil:
		return "audio"
	case m.Voice != nil:
		return "voice"
	case m.VideoNote != nil:
		return "video_note"
	case m.Sticker != nil:
		return "sticker"
	case m.Venue != nil: // venues also carry a location
		return "venue"
	case m.Location != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	case m.Dice != nil:
		return "dice"
	case m.Story != nil:
		return "story"
	}
	return "other"
}
