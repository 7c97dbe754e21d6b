package emulator

import (
	"cmp"
	"slices"

	"github.com/heraldbot/herald/tg"
)

// user is a person of the emulated world, shared by all bots.
type user struct {
	u          tg.User
	blockedAll bool           // blocked every bot
	blocked    map[int64]bool // bot ids this user blocked
}

// touchUser records u (creating or renaming the user) and returns the
// stored profile.
func (e *Emulator) touchUser(u tg.User) tg.User {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.users[u.ID]
	if cur == nil {
		cur = &user{}
		e.users[u.ID] = cur
	}
	if u.FirstName == "" {
		if cur.u.FirstName != "" {
			u = cur.u
		} else {
			u.FirstName = "User"
		}
	}
	u.IsBot = false
	cur.u = u
	return u
}

func (e *Emulator) lookupUser(id int64) (tg.User, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if u := e.users[id]; u != nil {
		return u.u, true
	}
	return tg.User{}, false
}

func (e *Emulator) blockedBy(userID, botID int64) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	u := e.users[userID]
	return u != nil && (u.blockedAll || u.blocked[botID])
}

// Users returns every user the emulator has seen, by id.
func (e *Emulator) Users() []tg.User {
	e.mu.RLock()
	out := make([]tg.User, 0, len(e.users))
	for _, u := range e.users {
		out = append(out, u.u)
	}
	e.mu.RUnlock()
	sortBy(out, func(u tg.User) int64 { return u.ID })
	return out
}

// BlockBot makes user userID block the bot of token, or every bot when
// token is empty. Sending to the user then fails with 403 "Forbidden: bot
// was blocked by the user", and the bot gets a my_chat_member update.
func (e *Emulator) BlockBot(userID int64, token string) error {
	return e.setBlocked(userID, token, true)
}

// UnblockBot undoes BlockBot (for one bot, or all when token is empty).
func (e *Emulator) UnblockBot(userID int64, token string) error {
	return e.setBlocked(userID, token, false)
}

// Blocked reports whether user userID has blocked the bot of token.
func (e *Emulator) Blocked(userID int64, token string) (bool, error) {
	b, err := e.knownBot(token)
	if err != nil {
		return false, controlErr(err)
	}
	return e.blockedBy(userID, b.id), nil
}

func (e *Emulator) setBlocked(userID int64, token string, blocked bool) error {
	var bots []*bot
	if token != "" {
		b, err := e.knownBot(token)
		if err != nil {
			return controlErr(err)
		}
		bots = []*bot{b}
	} else {
		bots = e.allBots()
	}
	e.mu.Lock()
	u := e.users[userID]
	if u == nil {
		e.mu.Unlock()
		return controlErr(errUserNotFound)
	}
	var changed []*bot
	for _, b := range bots {
		was := u.blockedAll || u.blocked[b.id]
		if was != blocked {
			changed = append(changed, b)
		}
	}
	if token == "" {
		u.blockedAll, u.blocked = blocked, nil
	} else {
		if u.blocked == nil {
			u.blocked = make(map[int64]bool)
		}
		if !blocked && u.blockedAll {
			// Unblocking one bot after a global block: keep the others blocked.
			u.blockedAll = false
			for _, other := range e.bots {
				u.blocked[other.id] = true
			}
		}
		u.blocked[bots[0].id] = blocked
	}
	prof := u.u
	e.mu.Unlock()
	for _, b := range changed {
		b.mu.Lock()
		b.memberChangedLocked(prof, blocked)
		b.mu.Unlock()
	}
	return nil
}

func sortBy[T any](s []T, key func(T) int64) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}
