package deeplink_test

import (
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/deeplink"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestStartLinkInEmulator makes a start link for the emulator's bot (its
// username from getMe), "opens" it as Telegram does — the user sends
// "/start <payload>" — and checks that the bot decodes the bytes.
func TestStartLinkInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7503:deeplink"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	bot.Router().Command("start", func(c *herald.Context) error {
		p, ok := deeplink.Payload(c.Text())
		if !ok || p == "" {
			_, err := c.Reply("welcome")
			return err
		}
		data, err := deeplink.Decode(p)
		if err != nil {
			_, err = c.Reply("bad link")
			return err
		}
		_, err = c.Reply("referred by " + string(data))
		return err
	})
	emutest.Run(t, bot)

	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	me, err := client.GetMe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	payload, err := deeplink.Encode([]byte("ann#42 ✓"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := deeplink.Start(me.Username, payload)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := deeplink.Parse(link)
	if err != nil || opened.Kind != deeplink.KindStart {
		t.Fatalf("Parse(%q) = %+v, %v", link, opened, err)
	}
	chat := srv.Chat(t, token, tg.User{ID: 501, FirstName: "Bob"})
	chat.SendWait("/start "+opened.Payload, "referred by ann#42 ✓")
	chat.SendWait("/start", "welcome")
	chat.SendWait("/start a+b", "bad link")
}
