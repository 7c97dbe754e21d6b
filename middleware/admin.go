package middleware

import (
	"slices"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// AdminConfig configures AdminOnly.
type AdminConfig struct {
	// Users are always allowed, in any chat (e.g. the bot's operators).
	Users []int64
	// Deny is the reply when access is refused, shown as an alert for a
	// button press (default "This is for chat administrators only.").
	Deny string
	// CacheTTL is how long a getChatMember answer is reused (default 1 minute).
	CacheTTL time.Duration
}

// AdminOnly lets an update through only when its sender is one of
// cfg.Users, or an administrator or the owner of the group, supergroup or
// channel it happened in (asked with getChatMember and cached). A message
// sent on behalf of the chat itself (an anonymous administrator's, or a
// channel post) passes without asking: only administrators can write as
// the chat. Refused updates get the Deny reply and are acknowledged. A
// failed getChatMember is returned as the error.
func AdminOnly(cfg AdminConfig) herald.Handler {
	if cfg.Deny == "" {
		cfg.Deny = "This is for chat administrators only."
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	a := &admins{cfg: cfg, cache: map[[2]int64]adminEntry{}}
	return a.handle
}

type admins struct {
	cfg   AdminConfig
	mu    sync.Mutex
	cache map[[2]int64]adminEntry // (chat, user) → answer
}

type adminEntry struct {
	admin   bool
	expires time.Time
}

func (a *admins) handle(c *herald.Context) error {
	u := c.Sender()
	chat := c.Chat()
	ok := false
	switch {
	case chat != nil && asChat(c, chat.ID):
		ok = true
	case u == nil:
	case slices.Contains(a.cfg.Users, u.ID):
		ok = true
	case chat != nil && chat.Type != "private":
		var err error
		if ok, err = a.isAdmin(c, chat.ID, u.ID); err != nil {
			return err
		}
	}
	if ok {
		return c.Next()
	}
	return notify(c, a.cfg.Deny, true)
}

// asChat reports whether the update is a message sent on behalf of the
// chat chatID itself. The message of a button press is not the presser's.
func asChat(c *herald.Context, chatID int64) bool {
	if c.Kind() == herald.KindCallbackQuery {
		return false
	}
	m := c.Message()
	return m != nil && m.SenderChat != nil && m.SenderChat.ID == chatID
}

func (a *admins) isAdmin(c *herald.Context, chatID, userID int64) (bool, error) {
	key := [2]int64{chatID, userID}
	now := time.Now()
	a.mu.Lock()
	e, hit := a.cache[key]
	a.mu.Unlock()
	if hit && now.Before(e.expires) {
		return e.admin, nil
	}
	m, err := c.Client().GetChatMember(c, tg.GetChatMemberParams{ChatID: tg.ID(chatID), UserID: userID})
	if err != nil {
		return false, err
	}
	var admin bool
	switch m.(type) {
	case *tg.ChatMemberOwner, *tg.ChatMemberAdministrator:
		admin = true
	}
	a.mu.Lock()
	if len(a.cache) > 10_000 {
		clear(a.cache)
	}
	a.cache[key] = adminEntry{admin: admin, expires: now.Add(a.cfg.CacheTTL)}
	a.mu.Unlock()
	return admin, nil
}
