package emulator

import (
	"regexp"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

func getMe(c *call) (any, *apiError) { return c.b.me(), nil }

var commandPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandsKeyLocked identifies a command list by scope and language. The
// chat of a chat scope is resolved, so that 42, "42" and "@name" for the
// same chat are one scope, and an unknown chat is "chat not found".
func (c *call) commandsKeyLocked() (string, *apiError) {
	var scope struct {
		Type   string         `json:"type"`
		ChatID jsontext.Value `json:"chat_id"`
		UserID int64          `json:"user_id"`
	}
	if _, err := c.p.decode("scope", &scope); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	var chatID int64
	switch scope.Type {
	case "":
		scope.Type = "default"
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
	case "chat", "chat_administrators", "chat_member":
		id := string(scope.ChatID)
		if scope.ChatID.Kind() == '"' {
			var s string
			_ = json.Unmarshal(scope.ChatID, &s)
			id = s
		}
		ch, aerr := c.b.resolveChatLocked(id)
		if aerr != nil {
			return "", aerr
		}
		chatID = ch.info.ID
	default:
		return "", badRequest("wrong bot command scope type specified")
	}
	if scope.Type != "chat_member" {
		scope.UserID = 0
	}
	lang := c.p.str("language_code")
	return scope.Type + "|" + strconv.FormatInt(chatID, 10) + "|" + strconv.FormatInt(scope.UserID, 10) + "|" + lang, nil
}

func setMyCommands(c *call) (any, *apiError) {
	var cmds []tg.BotCommand
	if _, err := c.p.decode("commands", &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, cmd := range cmds {
		if !commandPattern.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("command description is empty")
		}
	}
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	key, aerr := c.commandsKeyLocked()
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(c.b.commands, key)
	} else {
		c.b.commands[key] = cmds
	}
	return true, nil
}

func getMyCommands(c *call) (any, *apiError) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	key, aerr := c.commandsKeyLocked()
	if aerr != nil {
		return nil, aerr
	}
	cmds := c.b.commands[key]
	if cmds == nil {
		cmds = []tg.BotCommand{}
	}
	return cmds, nil
}

func deleteMyCommands(c *call) (any, *apiError) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	key, aerr := c.commandsKeyLocked()
	if aerr != nil {
		return nil, aerr
	}
	delete(c.b.commands, key)
	return true, nil
}
