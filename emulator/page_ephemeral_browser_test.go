package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestPageEphemeral drives the page in headless Chromium through a group
// where the bot sends ephemeral messages (Bot API 10.2): the page's user
// sees the one for them marked as theirs, the one for another member
// marked with that member's name, an edit in place and a deletion.
func TestPageEphemeral(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	e := srv.Emu
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bctx := emutest.Browser(t, ctx, chromedp.WindowSize(1200, 800))
	const token = "777002:page-ephemeral_secret"
	client := pageBotClient(t, ctx, srv.URL, token)
	d := pageDriver{t, bctx}
	step, text, eval := d.step, d.text, d.eval

	const groupID = -777
	step("create a user and open a group", openAsNewUser(srv.URL, "4343", "Tess")...)
	eval(`(() => { const s = document.getElementById('chat-select'); s.value = 'new'; s.dispatchEvent(new Event('change')); return 0; })()`)
	step("open the group",
		chromedp.WaitVisible(chromedp.ID("group-form")),
		chromedp.SetValue(chromedp.ID("group-id"), "-777"),
		chromedp.SetValue(chromedp.ID("group-title"), "Team"),
		chromedp.Click(chromedp.ID("group-open")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		chromedp.SendKeys(chromedp.ID("text"), "hi all"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(`#messages li.msg.me[data-id="1"]`)),
	)
	bob := tg.User{ID: 4344, FirstName: "Bob"}
	if _, err := e.SendMessage(ctx, emulator.UserMessage{Token: token, From: bob, Chat: tg.Chat{ID: groupID, Type: "group", Title: "Team"}, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []int64{4343, bob.ID} {
		if _, err := client.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(groupID), Text: "psst", ReceiverUserID: to}); err != nil {
			t.Fatal(err)
		}
	}
	const mine, bobs = `#messages li.msg.bot.ephemeral[data-ephemeral="1"]`, `#messages li.msg.bot.ephemeral.for-other[data-ephemeral="2"]`
	step("see both ephemeral messages", chromedp.WaitVisible(chromedp.CSS(mine)), chromedp.WaitVisible(chromedp.CSS(bobs)))
	if got := text(mine + ` .ephemeral-tag`); got != "only you can see this" {
		t.Errorf("tag of the message for the page's user = %q", got)
	}
	if got := text(bobs + ` .ephemeral-tag`); got != "only Bob can see this" {
		t.Errorf("tag of the message for Bob = %q", got)
	}
	if n := eval(`document.querySelectorAll('#messages li.msg.ephemeral.for-other[data-ephemeral="1"]').length`); n != 0 {
		t.Errorf("the page's own ephemeral message is marked as another's")
	}

	if _, err := client.EditEphemeralMessageText(ctx, tg.EditEphemeralMessageTextParams{ChatID: tg.ID(groupID), ReceiverUserID: 4343, EphemeralMessageID: 1, Text: "psst, edited"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteEphemeralMessage(ctx, tg.DeleteEphemeralMessageParams{ChatID: tg.ID(groupID), ReceiverUserID: bob.ID, EphemeralMessageID: 2}); err != nil {
		t.Fatal(err)
	}
	step("see the edit and the deletion", chromedp.WaitVisible(chromedp.CSS(mine+` .edited`)), chromedp.WaitVisible(chromedp.CSS(bobs+`.deleted`)))
	if got := text(mine + ` .text`); got != "psst, edited" {
		t.Errorf("edited ephemeral message = %q", got)
	}
	if n := eval(`document.querySelectorAll('#messages li.msg').length`); n != 4 {
		t.Errorf("%d messages shown, want 4 (edits and deletions change messages in place)", n)
	}
}
