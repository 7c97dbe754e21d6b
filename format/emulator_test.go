package format_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/format"
	"github.com/heraldbot/herald/tg"
)

// TestEmulatorRoundTrip sends built messages to the emulator over HTTP
// and reads them back from the chat: the text and every entity arrive as
// built, and a text over the limit is refused whole but sent split.
func TestEmulatorRoundTrip(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7501:format"
	user := tg.User{ID: 301, FirstName: "Ann"}
	chat := srv.Chat(t, token, user)
	chat.Send("/start") // opens the private chat
	client, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	m, err := format.Build(
		format.Text("Order 😀 "), format.Bold(format.Text("#42 "), format.Italic(format.Text("ready"))),
		format.Text("\n"), format.Link("https://example.com/o/42", format.Underline(format.Text("track 𝄞"))),
		format.Text(" "), format.Mention(user, format.Text("Ann")), format.Text(" "), format.Code("x := 1"),
		format.Text("\n"), format.Pre("fmt.Println(\"é\")", "go"), format.CustomEmoji("5368324170671202286", "👍"),
		format.Blockquote(format.Strikethrough(format.Text("old")), format.Spoiler(format.Text("secret"))),
		format.ExpandableBlockquote(format.Text("long quote")),
	)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := client.SendMessage(ctx, m.SendParams(tg.ID(user.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != m.Text || !reflect.DeepEqual(sent.Entities, m.Entities) {
		t.Errorf("sendMessage returned\n%q %+v\nwant\n%q %+v", sent.Text, sent.Entities, m.Text, m.Entities)
	}
	e := chat.WaitBot(0, "Order")
	if e.Text != m.Text || !reflect.DeepEqual(e.Entities, m.Entities) {
		t.Errorf("transcript has\n%q %+v\nwant\n%q %+v", e.Text, e.Entities, m.Text, m.Entities)
	}

	// 2100 bold emoji and a link: 4200+ units, over the limit.
	long, err := format.Build(format.Bold(format.Text(strings.Repeat("😀", 2100))), format.Text(" "), format.Link("https://example.com", format.Text("end")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.SendMessage(ctx, long.SendParams(tg.ID(user.ID)))
	if e, ok := errors.AsType[*tg.Error](err); !ok || e.Code != 400 {
		t.Fatalf("sending %d units: err = %v, want a 400", long.Len(), err)
	}
	parts, err := long.Split(format.MaxText)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts", len(parts))
	}
	var ids []int64
	for _, p := range parts {
		msg, err := client.SendMessage(ctx, p.SendParams(tg.ID(user.ID)))
		if err != nil {
			t.Fatalf("sending a part of %d units: %v", p.Len(), err)
		}
		ids = append(ids, msg.MessageID)
	}
	entries := map[int64]emulator.Entry{}
	for _, e := range chat.BotMessages() {
		entries[e.MessageID] = e
	}
	var joined string
	for i, id := range ids {
		e := entries[id]
		joined += e.Text
		if !reflect.DeepEqual(e.Entities, parts[i].Entities) {
			t.Errorf("part %d: transcript entities %+v, want %+v", i, e.Entities, parts[i].Entities)
		}
	}
	if joined != long.Text {
		t.Errorf("the parts in the chat do not make the text")
	}
}
