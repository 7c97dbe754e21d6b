package emulator

import (
	"fmt"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestHTTPBlockSendsMyChatMember: a user blocking and unblocking the bot
// through the control API gives the bot my_chat_member updates, kicked
// and then member, in the private chat.
func TestHTTPBlockSendsMyChatMember(t *testing.T) {
	_, url, c, ctx := startBot(t)
	do(t, "POST", url+"/control/messages", `{"token":"`+testToken+`","from":{"id":1001,"first_name":"Ann"},"text":"hi"}`, 200, nil)
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("getUpdates = %v, %v", ups, err)
	}
	offset := ups[0].UpdateID + 1
	for _, step := range []struct{ path, old, new string }{
		{"block", "member", "kicked"},
		{"unblock", "kicked", "member"},
	} {
		do(t, "POST", url+"/control/users/1001/"+step.path, `{"token":"`+testToken+`"}`, 200, nil)
		ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset})
		if err != nil || len(ups) != 1 || ups[0].MyChatMember == nil {
			t.Fatalf("after %s: getUpdates = %+v, %v", step.path, ups, err)
		}
		u := ups[0].MyChatMember
		if u.Chat.ID != 1001 || u.From.ID != 1001 || u.OldChatMember.Status() != step.old || u.NewChatMember.Status() != step.new {
			t.Fatalf("after %s: my_chat_member = chat %d from %d, %s → %s; want %s → %s",
				step.path, u.Chat.ID, u.From.ID, u.OldChatMember.Status(), u.NewChatMember.Status(), step.old, step.new)
		}
		offset = ups[0].UpdateID + 1
	}
}

// TestHTTPGroupMembers: adding a user to a group and the user leaving it,
// through the control API, give the bot chat_member updates (only once it
// asked for them in allowed_updates) and new_chat_members /
// left_chat_member service messages, kept in the transcript.
func TestHTTPGroupMembers(t *testing.T) {
	_, url, c, ctx := startBot(t)
	change := func(action, user, by string, status int) MemberChanged {
		t.Helper()
		var out MemberChanged
		body := fmt.Sprintf(`{"token":%q,"chat":{"id":-50,"type":"supergroup","title":"Club"},"user":%s`, testToken, user)
		if by != "" {
			body += `,"by":` + by
		}
		do(t, "POST", url+"/control/members/"+action, body+"}", status, &out)
		return out
	}
	const (
		annJSON = `{"id":1001,"first_name":"Ann"}`
		bobJSON = `{"id":1002,"first_name":"Bob"}`
	)
	// By default chat_member updates are left out, as on Telegram.
	joined := change("add", annJSON, "", 200)
	if joined.ChatMemberUpdateID != 0 || joined.MessageUpdateID == 0 || joined.ChatID != -50 {
		t.Fatalf("join without chat_member allowed = %+v", joined)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{AllowedUpdates: []string{"message", "chat_member"}})
	if err != nil || len(ups) != 1 || ups[0].Message == nil || len(ups[0].Message.NewChatMembers) != 1 || ups[0].Message.NewChatMembers[0].ID != 1001 {
		t.Fatalf("getUpdates after Ann joined = %+v, %v", ups, err)
	}
	offset := ups[0].UpdateID + 1
	change("add", annJSON, "", 400) // already a member

	added := change("add", bobJSON, annJSON, 200)
	left := change("remove", bobJSON, "", 200)
	change("remove", bobJSON, "", 400) // not a member any more
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset})
	if err != nil || len(ups) != 4 {
		t.Fatalf("getUpdates = %d updates, %v; want 4", len(ups), err)
	}
	check := func(u tg.Update, id int64, from int64, old, new string) {
		t.Helper()
		cm := u.ChatMember
		if u.UpdateID != id || cm == nil || cm.Chat.ID != -50 || cm.From.ID != from ||
			cm.OldChatMember.Status() != old || cm.NewChatMember.Status() != new {
			t.Fatalf("update %d: want chat_member from %d, %s → %s; got %+v", u.UpdateID, from, old, new, cm)
		}
	}
	check(ups[0], added.ChatMemberUpdateID, 1001, "left", "member")
	if m := ups[1].Message; ups[1].UpdateID != added.MessageUpdateID || m == nil || m.From.ID != 1001 || len(m.NewChatMembers) != 1 || m.NewChatMembers[0].ID != 1002 {
		t.Fatalf("the service message of Bob's addition: %+v", ups[1])
	}
	check(ups[2], left.ChatMemberUpdateID, 1002, "member", "left")
	if m := ups[3].Message; m == nil || m.From.ID != 1002 || m.LeftChatMember == nil || m.LeftChatMember.ID != 1002 || m.MessageID != left.MessageID {
		t.Fatalf("the service message of Bob's leaving: %+v", ups[3])
	}
	member, err := c.GetChatMember(ctx, tg.GetChatMemberParams{ChatID: tg.ID(-50), UserID: 1002})
	if err != nil || member.Status() != "left" {
		t.Fatalf("getChatMember of Bob = %v, %v", member, err)
	}
	var tr []Entry
	do(t, "GET", fmt.Sprintf("%s/control/chats/-50/messages?token=%s", url, testToken), "", 200, &tr)
	if len(tr) != 3 || len(tr[1].NewChatMembers) != 1 || tr[2].LeftChatMember == nil || tr[2].LeftChatMember.ID != 1002 {
		t.Fatalf("transcript = %+v", tr)
	}
	// Only groups and supergroups have members that come and go.
	do(t, "POST", url+"/control/members/add", `{"token":"`+testToken+`","chat":{"id":1001,"type":"private"},"user":`+bobJSON+`}`, 400, nil)
}
