package emulator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestSetMessageReaction: the bot reacts to a message with one emoji of
// Telegram's list; the transcript shows it; other emoji, two of them, a
// custom emoji or a missing message are refused; no reaction removes it.
func TestSetMessageReaction(t *testing.T) {
	e, _, c, ctx := startBot(t)
	sent, err := e.SendMessage(ctx, UserMessage{Token: testToken, From: ann, Text: "coffee?"})
	if err != nil {
		t.Fatal(err)
	}
	react := func(id int64, r ...tg.ReactionType) error {
		_, err := c.SetMessageReaction(ctx, tg.SetMessageReactionParams{ChatID: tg.ID(ann.ID), MessageID: id, Reaction: r})
		return err
	}
	if err := react(sent.MessageID, &tg.ReactionTypeEmoji{Emoji: "👍"}); err != nil {
		t.Fatal(err)
	}
	tr, _ := e.Transcript(testToken, ann.ID)
	if r := tr[0].Reactions; len(r) != 1 || r[0].Emoji != "👍" || len(r[0].Users) != 1 || r[0].Users[0] != 123456 {
		t.Fatalf("reactions in the transcript = %+v", r)
	}
	for _, bad := range []struct {
		id   int64
		r    []tg.ReactionType
		want string
	}{
		{sent.MessageID, []tg.ReactionType{&tg.ReactionTypeEmoji{Emoji: "🍕"}}, "Bad Request: REACTION_INVALID"},
		{sent.MessageID, []tg.ReactionType{&tg.ReactionTypeCustomEmoji{CustomEmojiID: "5"}}, "Bad Request: REACTION_INVALID"},
		{sent.MessageID, []tg.ReactionType{&tg.ReactionTypeEmoji{Emoji: "👍"}, &tg.ReactionTypeEmoji{Emoji: "🔥"}}, "Bad Request: REACTIONS_TOO_MANY"},
		{99, []tg.ReactionType{&tg.ReactionTypeEmoji{Emoji: "👍"}}, "Bad Request: message to react not found"},
	} {
		if err := react(bad.id, bad.r...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("reaction %v on %d: %v, want %s", bad.r, bad.id, err, bad.want)
		}
	}
	if err := react(sent.MessageID); err != nil {
		t.Fatal(err)
	}
	if tr, _ := e.Transcript(testToken, ann.ID); len(tr[0].Reactions) != 0 {
		t.Fatalf("reactions after removing = %+v", tr[0].Reactions)
	}
}

// TestHTTPUserReaction: a user reacting through the control API gives
// the bot a message_reaction update with the old and new reactions, only
// once it asked for those in allowed_updates, as Telegram does.
func TestHTTPUserReaction(t *testing.T) {
	_, url, c, ctx := startBot(t)
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1001,"first_name":"Ann"},"text":"hi"}`, 200, nil)
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "Rate our beans"})
	if err != nil {
		t.Fatal(err)
	}
	react := func(reaction string, status int) Reacted {
		t.Helper()
		var out Reacted
		do(t, "POST", url+"/control/reactions", fmt.Sprintf(`{"token":%q,"from":{"id":1001,"first_name":"Ann"},"chat_id":1001,"message_id":%d,"reaction":%s}`,
			testToken, m.MessageID, reaction), status, &out)
		return out
	}
	// Telegram's default allowed_updates leave message_reaction out.
	if r := react(`["👍"]`, 200); r.UpdateID != 0 {
		t.Fatalf("a reaction by default queued update %d", r.UpdateID)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{AllowedUpdates: []string{"message", "message_reaction"}})
	if err != nil || len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("getUpdates = %+v, %v; want only the message", ups, err)
	}
	r := react(`["🔥","🎉"]`, 200)
	react(`["🍕"]`, 400)
	react(`["👍","🔥","🎉","❤"]`, 400)
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: ups[0].UpdateID + 1})
	if err != nil || len(ups) != 1 || ups[0].MessageReaction == nil || ups[0].UpdateID != r.UpdateID {
		t.Fatalf("getUpdates = %+v, %v; want the reaction", ups, err)
	}
	mr := ups[0].MessageReaction
	emoji := func(rs []tg.ReactionType) string {
		var out []string
		for _, x := range rs {
			if e, ok := x.(*tg.ReactionTypeEmoji); ok {
				out = append(out, e.Emoji)
			}
		}
		return strings.Join(out, "")
	}
	if mr.Chat.ID != 1001 || mr.MessageID != m.MessageID || mr.User == nil || mr.User.ID != 1001 ||
		emoji(mr.OldReaction) != "👍" || emoji(mr.NewReaction) != "🔥🎉" {
		t.Fatalf("message_reaction = %+v (old %s, new %s)", mr, emoji(mr.OldReaction), emoji(mr.NewReaction))
	}
	var tr []Entry
	do(t, "GET", fmt.Sprintf("%s/control/chats/1001/messages?token=%s", url, testToken), "", 200, &tr)
	if got := tr[1].Reactions; len(got) != 2 || got[0].Emoji != "🔥" || got[1].Emoji != "🎉" {
		t.Fatalf("reactions in the transcript = %+v", got)
	}
	// A user outside the chat cannot react in it.
	do(t, "POST", url+"/control/reactions", fmt.Sprintf(`{"token":%q,"from":{"id":1002,"first_name":"Bob"},"chat_id":1001,"message_id":%d,"reaction":["👍"]}`,
		testToken, m.MessageID), 400, nil)
}
