package business_test

import (
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/business"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// TestReplyInEmulator checks against the emulator over HTTP that Reply
// answers an ordinary private chat like herald.Context.Reply (the
// emulator has no business connections; the business fields are checked
// on the wire in TestReplyGoesBackWhereTheMessageCameFrom).
func TestReplyInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7517:business"
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()))...)
	if err != nil {
		t.Fatal(err)
	}
	bot.Router().Message(func(c *herald.Context) error {
		_, err := business.Reply(c, "got "+c.Text())
		return err
	})
	emutest.Run(t, bot)
	chat := srv.Chat(t, token, tg.User{ID: 517, FirstName: "Ann"})
	chat.SendWait("hello", "got hello")
}
