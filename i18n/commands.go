package i18n

import (
	"context"
	"fmt"

	"github.com/heraldbot/herald/tg"
)

// Command is one entry of a command menu: the command (without "/") and
// the id of the message that describes it.
type Command struct {
	Name, Description string
}

// Menu is the command menu of one scope (nil: the default scope; or
// &tg.BotCommandScopeAllPrivateChats{}, …).
type Menu struct {
	Scope    tg.BotCommandScope
	Commands []Command
}

// SyncCommands publishes each menu with setMyCommands, localized: once
// per catalog language with its language_code (Telegram's two-letter
// code; a second catalog of the same base language, "pt-BR" after "pt",
// is skipped), and once without language_code in the default language,
// for users whose language has no catalog. Call it at start-up; it
// replaces what was published before for those scopes and languages.
// A description id the catalog lacks fails before anything is sent.
func (cat *Catalog) SyncCommands(ctx context.Context, client *tg.Client, menus ...Menu) error {
	for _, m := range menus {
		for _, cmd := range m.Commands {
			if err := cat.Check(cmd.Description); err != nil {
				return fmt.Errorf("i18n: command %q: %w", cmd.Name, err)
			}
		}
	}
	for _, p := range cat.CommandParams(menus...) {
		if _, err := client.SetMyCommands(ctx, p); err != nil {
			lang := p.LanguageCode
			if lang == "" {
				lang = "default"
			}
			return fmt.Errorf("i18n: setMyCommands (%s): %w", lang, err)
		}
	}
	return nil
}

// CommandParams returns the setMyCommands calls SyncCommands makes, for
// bots that send them their own way. Descriptions the catalog lacks are
// their ids.
func (cat *Catalog) CommandParams(menus ...Menu) []tg.SetMyCommandsParams {
	var out []tg.SetMyCommandsParams
	for _, m := range menus {
		out = append(out, tg.SetMyCommandsParams{Commands: cat.commands(cat.locs[0], m), Scope: m.Scope})
		seen := map[string]bool{}
		for _, l := range cat.locs {
			code := base(l.tag)
			if seen[code] {
				continue
			}
			seen[code] = true
			out = append(out, tg.SetMyCommandsParams{Commands: cat.commands(l, m), Scope: m.Scope, LanguageCode: code})
		}
	}
	return out
}

func (cat *Catalog) commands(l *Localizer, m Menu) []tg.BotCommand {
	cmds := make([]tg.BotCommand, len(m.Commands))
	for i, c := range m.Commands {
		cmds[i] = tg.BotCommand{Command: c.Name, Description: l.T(c.Description, nil)}
	}
	return cmds
}
