package emulator

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/tg"
)

// do makes a control request and decodes the JSON answer into out.
func do(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, data, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
}

func TestControlHTTP(t *testing.T) {
	_, url, c, ctx := startBot(t)

	var sent Sent
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1,"first_name":"Ann","username":"ann"},"chat":{"id":1,"type":"private"},"text":"/start"}`, 200, &sent)
	if sent.UpdateID != 1 || sent.MessageID != 1 {
		t.Fatalf("sent = %+v", sent)
	}
	var group Sent
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1,"first_name":"Ann"},"chat":{"id":-77,"type":"group","title":"Friends"},"text":"hello group"}`, 200, &group)
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1,"first_name":"Ann"},"document":{"file_name":"a.txt","data":"aGVsbG8="}}`, 200, nil)
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1}}`, 400, nil)

	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 3 || ups[0].Message.Text != "/start" || ups[0].Message.Entities[0].Type != "bot_command" ||
		ups[1].Message.Chat.Title != "Friends" || ups[2].Message.Document.FileName != "a.txt" {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "choose", ReplyMarkup: inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Go", "go")})})
	if err != nil {
		t.Fatal(err)
	}
	var pressed Pressed
	do(t, "POST", url+"/control/callbacks", `{"token":"`+testToken+`","from":{"id":1},"chat_id":1,"message_id":`+itoa(m.MessageID)+`,"data":"go"}`, 200, &pressed)
	if pressed.CallbackQueryID == "" || pressed.UpdateID != 4 {
		t.Fatalf("pressed = %+v", pressed)
	}
	do(t, "POST", url+"/control/callbacks", `{"token":"`+testToken+`","from":{"id":1},"chat_id":1,"message_id":`+itoa(m.MessageID)+`,"data":"nope"}`, 400, nil)

	var tr []Entry
	do(t, "GET", url+"/control/chats/1/messages?token="+testToken, "", 200, &tr)
	if len(tr) != 3 || tr[0].Sender != "user" || tr[2].Sender != "bot" || !strings.Contains(string(tr[2].ReplyMarkup), `"callback_data":"go"`) {
		t.Fatalf("transcript = %+v", tr)
	}
	do(t, "GET", url+"/control/chats/999/messages?token="+testToken, "", 400, nil)
	do(t, "GET", url+"/control/chats/1/messages?token=1:wrong", "", 401, nil)

	var bots []BotInfo
	do(t, "GET", url+"/control/bots", "", 200, &bots)
	if len(bots) != 1 || bots[0].Token != testToken || bots[0].ID != 123456 {
		t.Fatalf("bots = %+v", bots)
	}
	var st Stats
	do(t, "GET", url+"/control/stats?token="+testToken, "", 200, &st)
	if st.Requests["getUpdates"] != 1 || st.Requests["sendMessage"] != 1 || st.UpdatesQueued != 4 || st.UpdatesDelivered != 3 {
		t.Fatalf("stats = %+v", st)
	}

	do(t, "POST", url+"/control/users/1/block?token="+testToken, "", 200, nil)
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "hi"})
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	do(t, "POST", url+"/control/users/1/unblock", `{"token":"`+testToken+`"}`, 200, nil)
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	do(t, "POST", url+"/control/users/999/block", "", 400, nil)

	var lim limitsBody
	do(t, "PUT", url+"/control/limits", `{"limits":"chat=1/min:1"}`, 200, &lim)
	if lim.Limits != "bot=30/s,chat=1/min,group=20/min" {
		t.Fatalf("limits = %q", lim.Limits)
	}
	do(t, "PUT", url+"/control/limits", `{"limits":"warp speed"}`, 400, nil)
	do(t, "GET", url+"/control/nothing", "", 404, nil)
}

func TestControlEventsSSE(t *testing.T) {
	e, url, c, ctx := startBot(t)
	say(t, e, "/start")
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/control/events?token="+testToken+"&chat_id=1001", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	if line, _ := r.ReadString('\n'); line != ": connected\n" {
		t.Fatalf("first line = %q", line)
	}
	next := func() Event {
		t.Helper()
		for range 10 {
			line, err := r.ReadBytes('\n')
			if err != nil {
				t.Fatal(err)
			}
			if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				var ev Event
				if err := json.Unmarshal(bytes.TrimSpace(data), &ev); err != nil {
					t.Fatal(err)
				}
				return ev
			}
		}
		t.Fatal("no event")
		return Event{}
	}
	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Type != "sent" || ev.ChatID != ann.ID || ev.Message.Text != "hello" || ev.Message.MessageID != m.MessageID {
		t.Fatalf("event = %+v", ev)
	}
	if err := c.Call(ctx, "editMessageText", map[string]any{"chat_id": ann.ID, "message_id": m.MessageID, "text": "changed"}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Type != "edited" || ev.Message.Text != "changed" || ev.Message.EditDate == 0 {
		t.Fatalf("event = %+v", ev)
	}
	if _, err := c.DeleteMessage(ctx, tg.DeleteMessageParams{ChatID: tg.ID(ann.ID), MessageID: m.MessageID}); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Type != "deleted" || !ev.Message.Deleted {
		t.Fatalf("event = %+v", ev)
	}
	if _, err := c.SendChatAction(ctx, tg.SendChatActionParams{ChatID: tg.ID(ann.ID), Action: "typing"}); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Type != "chat_action" || ev.Action != "typing" {
		t.Fatalf("event = %+v", ev)
	}
}

// TestHTTPChatsList checks GET /control/chats answers the chats with their ids.
func TestHTTPChatsList(t *testing.T) {
	l := NoLimits()
	emu := New(Options{Limits: &l})
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	const token = "4242:chats-list"
	if _, err := emu.AddBot(token); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.SendMessage(context.Background(), UserMessage{Token: token, From: tg.User{ID: 5, FirstName: "Ann"}, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/control/chats?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"chat":{"id":5`) {
		t.Errorf("GET /control/chats: %d %s", resp.StatusCode, body)
	}
}

// TestHTTPRegisterBotName: POST /control/bots names a bot; getMe and
// GET /control/bots answer the name; a second call renames it; a bad
// username or name is refused.
func TestHTTPRegisterBotName(t *testing.T) {
	_, url, c, ctx := startBot(t)
	var info BotInfo
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`","first_name":"Herald Shop","username":"herald_shop_bot"}`, 200, &info)
	if info.FirstName != "Herald Shop" || info.Username != "herald_shop_bot" || info.ID != 123456 {
		t.Fatalf("POST /control/bots = %+v", info)
	}
	me, err := c.GetMe(ctx)
	if err != nil || me.FirstName != "Herald Shop" || me.Username != "herald_shop_bot" || !me.IsBot {
		t.Fatalf("getMe = %+v, %v", me, err)
	}
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`","first_name":"Coffee"}`, 200, &info)
	var bots []BotInfo
	do(t, "GET", url+"/control/bots", "", 200, &bots)
	if len(bots) != 1 || bots[0].FirstName != "Coffee" || bots[0].Username != "herald_shop_bot" {
		t.Fatalf("GET /control/bots after a rename = %+v", bots)
	}
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`","username":"shop"}`, 400, nil)
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`","first_name":"   "}`, 400, nil)
	do(t, "POST", url+"/control/bots", `{"token":"`+testToken+`","first_name":"`+strings.Repeat("x", 65)+`"}`, 400, nil)
	do(t, "POST", url+"/control/bots", `{"token":"777:other","first_name":"Other"}`, 200, &info)
	if info.FirstName != "Other" || info.Username != "emu777_bot" {
		t.Fatalf("a new named bot = %+v", info)
	}
}
