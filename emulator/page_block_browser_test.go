package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestPageBlock: the private chat's Block bot button blocks the bot and
// the bot gets my_chat_member (member → kicked); Unblock bot undoes it
// (kicked → member).
func TestPageBlock(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	bctx := emutest.Browser(t, ctx)
	const token = "777005:block"
	c := pageBotClient(t, ctx, srv.URL, token)
	next := func(offset int64) tg.Update { t.Helper(); return nextUpdate(t, ctx, c, offset) }
	step := pageSteps(t, bctx)
	step("open the page as a new user", openAsNewUser(srv.URL, "4646", "Sol")...)
	step("say hello", chromedp.SendKeys(chromedp.ID("text"), "hello"), chromedp.Click(chromedp.ID("send")))
	u := next(0)
	for _, want := range []struct{ label, old, new string }{
		{"Unblock bot", "member", "kicked"},
		{"Block bot", "kicked", "member"},
	} {
		step("press "+want.label, chromedp.Click(chromedp.ID("block")),
			chromedp.Poll[chromedp.Void](`document.getElementById('block').textContent === '`+want.label+`'`))
		u = next(u.UpdateID + 1)
		m := u.MyChatMember
		if m == nil || m.From.ID != 4646 || m.OldChatMember.Status() != want.old || m.NewChatMember.Status() != want.new {
			t.Fatalf("update after the press = %+v, want my_chat_member %s → %s", u, want.old, want.new)
		}
	}
}
