package emulator_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/tg"
)

// TestPageReactions: the bot's reaction to the page user's message is
// shown under it, and the user's own reaction, picked on the page, comes
// to the bot as a message_reaction update.
func TestPageReactions(t *testing.T) {
	srv, ctx, bctx, c := startPage(t, "777004:reactions")
	next := func(offset int64) tg.Update {
		t.Helper()
		return nextUpdate(t, ctx, c, offset, "message", "message_reaction")
	}
	step := pageDriver{t, bctx}.step
	step("open the page as a new user", openAsNewUser(srv.URL, "4545", "Rae")...)
	step("say hello", chromedp.SendKeys(chromedp.ID("text"), "hello"), chromedp.Click(chromedp.ID("send")))
	hello := next(0)
	if hello.Message == nil {
		t.Fatalf("first update = %+v", hello)
	}
	if _, err := c.SetMessageReaction(ctx, tg.SetMessageReactionParams{
		ChatID: tg.ID(4545), MessageID: hello.Message.MessageID, Reaction: []tg.ReactionType{&tg.ReactionTypeEmoji{Emoji: "👍"}},
	}); err != nil {
		t.Fatal(err)
	}
	const mine = `#messages li.msg.me`
	step("see the bot's reaction", chromedp.Poll[chromedp.Void](
		`[...document.querySelectorAll('`+mine+` .reaction')].some(b => b.textContent === '👍 1')`))
	step("react with a fire",
		chromedp.Click(chromedp.CSS(mine+` .reaction.add`)),
		chromedp.Click(chromedp.CSS(mine+` .reaction-picker .reaction:nth-child(3)`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('`+mine+` .reaction.mine')].some(b => b.textContent === '🔥 1')`),
	)
	u := next(hello.UpdateID + 1)
	mr := u.MessageReaction
	if mr == nil || mr.User == nil || mr.User.ID != 4545 || mr.MessageID != hello.Message.MessageID || len(mr.NewReaction) != 1 {
		t.Fatalf("update after the page's reaction = %+v", u)
	}
	if e, ok := mr.NewReaction[0].(*tg.ReactionTypeEmoji); !ok || e.Emoji != "🔥" {
		t.Fatalf("new reaction = %+v", mr.NewReaction[0])
	}
	text, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(mine+` .reactions`)))
	if err != nil || !strings.Contains(text, "👍 1") {
		t.Errorf("reactions shown = %q, %v; want the bot's 👍 kept", text, err)
	}
}
