package emulator

import (
	"net/http"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestBusinessControlHTTP drives business connections through the control
// API over HTTP: connect, a customer's and the owner's messages as
// business_message updates, the bot's answer in the account's chat (not
// in its own chat with the customer), and the disconnection.
func TestBusinessControlHTTP(t *testing.T) {
	_, url, c, ctx := startBot(t)
	tok := `"token":"` + testToken + `"`

	var bc tg.BusinessConnection
	do(t, "POST", url+"/control/business", `{`+tok+`,"user":{"id":900,"first_name":"Bob"}}`, 200, &bc)
	if bc.ID == "" || bc.User.ID != 900 || !bc.IsEnabled || bc.Rights == nil || !bc.Rights.CanReply {
		t.Fatalf("connection = %+v", bc)
	}
	do(t, "POST", url+"/control/business", `{`+tok+`,"user":{"id":0}}`, 400, nil)
	do(t, "POST", url+"/control/business/messages", `{`+tok+`,"connection_id":"`+bc.ID+`","from":{"id":517,"first_name":"Ann"},"text":"hi Bob"}`, 200, nil)
	do(t, "POST", url+"/control/business/messages", `{`+tok+`,"connection_id":"`+bc.ID+`","from":{"id":900,"first_name":"Bob"},"chat_id":517,"text":"hi Ann"}`, 200, nil)
	do(t, "POST", url+"/control/business/messages", `{`+tok+`,"connection_id":"`+bc.ID+`","from":{"id":900,"first_name":"Bob"},"text":"to whom?"}`, 400, nil)
	do(t, "POST", url+"/control/business/messages", `{`+tok+`,"connection_id":"other","from":{"id":517},"text":"x"}`, 400, nil)

	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 3 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	if u := ups[0].BusinessConnection; u == nil || u.ID != bc.ID {
		t.Fatalf("first update = %+v, want the business_connection", ups[0])
	}
	for i, from := range []int64{517, 900} {
		m := ups[i+1].BusinessMessage
		if m == nil || m.BusinessConnectionID != bc.ID || m.Chat.ID != 517 || m.Chat.Type != "private" || m.From == nil || m.From.ID != from {
			t.Fatalf("update %d = %+v, want a business_message from %d in Ann's chat", i+1, ups[i+1], from)
		}
	}
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(517), BusinessConnectionID: bc.ID, Text: "Bob is baking; back soon"}); err != nil {
		t.Fatal(err)
	}
	var msgs []Entry
	do(t, "GET", url+"/control/business/"+bc.ID+"/chats/517/messages?token="+testToken, "", 200, &msgs)
	if len(msgs) != 3 || msgs[2].Sender != "bot" || msgs[2].From == nil || msgs[2].From.ID != 900 || msgs[2].BusinessConnectionID != bc.ID {
		t.Fatalf("business transcript = %+v", msgs)
	}
	// The bot has no chat of its own with Ann: she never wrote to it.
	do(t, "GET", url+"/control/chats/517/messages?token="+testToken, "", http.StatusBadRequest, nil)

	do(t, "POST", url+"/control/business/"+bc.ID+"/disconnect?token="+testToken, "", 200, &bc)
	if bc.IsEnabled {
		t.Fatalf("after disconnect: %+v", bc)
	}
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: ups[2].UpdateID + 1})
	if err != nil || len(ups) != 1 || ups[0].BusinessConnection == nil || ups[0].BusinessConnection.IsEnabled {
		t.Fatalf("updates after disconnect = %+v, %v", ups, err)
	}
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(517), BusinessConnectionID: bc.ID, Text: "x"})
	wantAPIError(t, err, 400, "Bad Request: BUSINESS_CONNECTION_DISABLED: the business account disconnected the bot")
	_, err = c.GetBusinessConnection(ctx, tg.GetBusinessConnectionParams{BusinessConnectionID: "nope"})
	wantAPIError(t, err, 400, "Bad Request: BUSINESS_CONNECTION_INVALID")
}
