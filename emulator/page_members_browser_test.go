package emulator_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// TestPageBlock: the private chat's Block bot button blocks the bot and
// the bot gets my_chat_member (member → kicked); Unblock bot undoes it
// (kicked → member).
func TestPageBlock(t *testing.T) {
	srv, ctx, bctx, c := startPage(t, "777005:block")
	next := func(offset int64) tg.Update { t.Helper(); return nextUpdate(t, ctx, c, offset) }
	step := pageDriver{t, bctx}.step
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

// TestPageMembers: members joining and leaving a group are shown on the
// page as service messages.
func TestPageMembers(t *testing.T) {
	const token = "777006:members"
	srv, ctx, bctx, _ := startPage(t, token)
	club := tg.Chat{ID: -88, Type: "group", Title: "Club"}
	tia, cy := tg.User{ID: 4747, FirstName: "Tia"}, tg.User{ID: 4748, FirstName: "Cy"}
	change := func(add bool, m emulator.MemberChange) {
		t.Helper()
		m.Token, m.Chat = token, club
		f := srv.Emu.RemoveMember
		if add {
			f = srv.Emu.AddMember
		}
		if _, err := f(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	change(true, emulator.MemberChange{User: tia}) // the page's only user
	step := pageDriver{t, bctx}.step
	shows := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#messages li.msg.service')].some(li => li.textContent === '` + text + `')`)
	}
	step("open the group",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#chat-select option')].some(o => o.value === '-88')`),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('chat-select'); s.value = '-88'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		shows("Tia joined the group"),
	)
	change(true, emulator.MemberChange{User: cy, By: tia})
	step("see Cy added", shows("Tia added Cy"))
	change(false, emulator.MemberChange{User: cy})
	step("see Cy leave", shows("Cy left the group"))
}
