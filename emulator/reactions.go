package emulator

import (
	"context"
	"slices"
	"time"

	"github.com/heraldbot/herald/tg"
)

// reactionEmoji are the emoji a reaction may be (tg.ReactionEmoji, from
// the spec's description of ReactionTypeEmoji).
var reactionEmoji = func() map[string]bool {
	m := make(map[string]bool)
	for _, e := range tg.ReactionEmoji() {
		m[e] = true
	}
	return m
}()

// Reaction limits: a bot sets at most one reaction on a message, a user
// (as a Telegram Premium user may) at most three.
const (
	maxBotReactions  = 1
	maxUserReactions = 3
)

var (
	errReactionInvalid   = badRequest("REACTION_INVALID")
	errReactionsTooMany  = badRequest("REACTIONS_TOO_MANY")
	errReactNotFound     = badRequest("message to react not found")
	errReactionEphemeral = badRequest("ephemeral messages can't have reactions")
)

// checkReaction validates emoji reactions: known emoji, no repeats, at
// most limit of them.
func checkReaction(emoji []string, limit int) *apiError {
	if len(emoji) > limit {
		return errReactionsTooMany
	}
	for i, e := range emoji {
		if !reactionEmoji[e] || slices.Contains(emoji[:i], e) {
			return errReactionInvalid
		}
	}
	return nil
}

// reactionTypes returns emoji as the Bot API's reaction types.
func reactionTypes(emoji []string) []tg.ReactionType {
	out := make([]tg.ReactionType, 0, len(emoji))
	for _, e := range emoji {
		out = append(out, &tg.ReactionTypeEmoji{Emoji: e})
	}
	return out
}

// ReactionCount is one emoji's reactions on a message in a transcript.
type ReactionCount struct {
	Emoji string `json:"emoji"`
	// Users are the ids of those who reacted so, the bot's included.
	Users []int64 `json:"users"`
}

// reactionCounts summarizes a message's reactions by emoji, in the order
// the emoji were first used.
func (m *message) reactionCounts() []ReactionCount {
	var out []ReactionCount
	for _, id := range m.reactors {
		for _, e := range m.reactions[id] {
			i := slices.IndexFunc(out, func(r ReactionCount) bool { return r.Emoji == e })
			if i < 0 {
				out = append(out, ReactionCount{Emoji: e})
				i = len(out) - 1
			}
			out[i].Users = append(out[i].Users, id)
		}
	}
	return out
}

// setReactionLocked replaces the reactions of user id on m and returns
// the previous ones.
func (m *message) setReactionLocked(id int64, emoji []string) (old []string) {
	old = m.reactions[id]
	if m.reactions == nil {
		m.reactions = make(map[int64][]string)
	}
	if len(emoji) == 0 {
		delete(m.reactions, id)
		m.reactors = slices.DeleteFunc(m.reactors, func(x int64) bool { return x == id })
		return old
	}
	if _, ok := m.reactions[id]; !ok {
		m.reactors = append(m.reactors, id)
	}
	m.reactions[id] = slices.Clone(emoji)
	return old
}

// setMessageReaction: the bot reacts to a message (one emoji at most);
// no reaction removes the bot's. Bots get no update for their own.
func setMessageReaction(c *call) (any, *apiError) {
	var kinds []struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}
	if _, err := c.p.decode("reaction", &kinds); err != nil {
		return nil, badRequest("can't parse reaction JSON array")
	}
	emoji := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if k.Type != "emoji" { // custom emoji and paid reactions are not modelled
			return nil, errReactionInvalid
		}
		emoji = append(emoji, k.Emoji)
	}
	if aerr := checkReaction(emoji, maxBotReactions); aerr != nil {
		return nil, aerr
	}
	return c.withChat(func(ch *chat) (any, *apiError) {
		m := ch.live(c.p.int("message_id"))
		if m == nil {
			return nil, errReactNotFound
		}
		m.setReactionLocked(c.b.id, emoji)
		c.b.emitMessageLocked("edited", ch, m)
		return true, nil
	})
}

// UserReaction is a user reacting to a message (see React).
type UserReaction struct {
	// Token is the bot's token.
	Token string `json:"token"`
	// From is the user; at least ID (> 0).
	From tg.User `json:"from"`
	// ChatID and MessageID name the message: in the private chat with
	// From, or in a group From is a member of.
	ChatID    int64 `json:"chat_id"`
	MessageID int64 `json:"message_id"`
	// Reaction replaces the user's reactions on the message: up to three
	// emoji of the Bot API's list; empty removes them.
	Reaction []string `json:"reaction"`
}

// Reacted is the result of React: the message_reaction update's id, 0
// when the bot's allowed_updates leave those out (Telegram's default).
type Reacted struct {
	UpdateID int64 `json:"update_id"`
}

// React makes a user react to a message: the reactions are shown in the
// transcript and on the page, and the bot gets a message_reaction update
// with the old and new reactions if its allowed_updates name
// message_reaction.
func (e *Emulator) React(ctx context.Context, r UserReaction) (Reacted, error) {
	b, err := e.actionBot(ctx, r.Token, r.From)
	if err != nil {
		return Reacted{}, err
	}
	if aerr := checkReaction(r.Reaction, maxUserReactions); aerr != nil {
		return Reacted{}, controlErr(aerr)
	}
	from := e.touchUser(r.From)
	if e.blockedBy(from.ID, b.id) {
		return Reacted{}, controlErrorf("user %d has blocked this bot; unblock it first", from.ID)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.chats[r.ChatID]
	if ch == nil {
		return Reacted{}, controlErr(errChatNotFound)
	}
	if _, member := ch.members[from.ID]; !member {
		return Reacted{}, controlErrorf("user %d is not in chat %d", from.ID, r.ChatID)
	}
	m := ch.live(r.MessageID)
	if m == nil {
		return Reacted{}, controlErr(errReactNotFound)
	}
	if m.m.EphemeralMessageID != 0 {
		return Reacted{}, controlErr(errReactionEphemeral)
	}
	old := m.setReactionLocked(from.ID, r.Reaction)
	b.emitMessageLocked("edited", ch, m)
	info := ch.info
	id := b.enqueueLocked("message_reaction", ch.info.ID, func(u *tg.Update) {
		u.MessageReaction = &tg.MessageReactionUpdated{
			Chat: info, MessageID: r.MessageID, User: &from, Date: time.Now().Unix(),
			OldReaction: reactionTypes(old), NewReaction: reactionTypes(r.Reaction),
		}
	})
	return Reacted{UpdateID: id}, nil
}
