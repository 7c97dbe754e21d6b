package album_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/album"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// pngUpload is a tiny valid PNG, which the emulator accepts as a photo.
func pngUpload(t testing.TB, name string) *emulator.Upload {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return &emulator.Upload{FileName: name, Data: buf.Bytes()}
}

// sendAlbum makes u send an album of n photos over the emulator's control
// API (POST /control/albums), the first captioned caption.
func sendAlbum(t testing.TB, srv *emutest.Server, token string, u tg.User, chat tg.Chat, caption string, n int) []emulator.Sent {
	t.Helper()
	a := emulator.UserAlbum{Token: token, From: u, Chat: chat}
	for i := range n {
		it := emulator.AlbumItem{Photo: pngUpload(t, fmt.Sprintf("p%d.png", i))}
		if i == 0 {
			it.Caption = caption
		}
		a.Items = append(a.Items, it)
	}
	body, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/control/albums", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sent []emulator.Sent
	if resp.StatusCode != http.StatusOK || json.UnmarshalRead(resp.Body, &sent) != nil || len(sent) != n {
		t.Fatalf("POST /control/albums: %s, %v", resp.Status, sent)
	}
	return sent
}

// describe is what the test bots answer for an album.
func describe(parts []*tg.Message) string {
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = fmt.Sprint(p.MessageID)
	}
	return fmt.Sprintf("album %s of %d: %s", parts[0].Caption, len(parts), strings.Join(ids, ","))
}

// TestAlbumInEmulator runs a polling bot against the emulator: a user
// sends an album of three photos, then a text at once. The text is
// answered first (the album's quiet period does not hold the chat), then
// the album in one reply, with its parts in order.
func TestAlbumInEmulator(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	const token = "7615:album"
	engine := memory.New(memory.Options{})
	t.Cleanup(func() { _ = engine.Close() })
	bot, err := herald.New(token, srv.Polling(herald.WithLogger(emutest.Quiet()), herald.WithBackend(engine))...)
	if err != nil {
		t.Fatal(err)
	}
	col := album.New(album.Config{}, func(c *herald.Context, parts []*tg.Message) error {
		_, err := c.Reply(describe(parts))
		return err
	})
	col.Register(bot.Router())
	bot.Router().Message(func(c *herald.Context) error {
		_, err := c.Reply("echo " + c.Text())
		return err
	})
	emutest.Run(t, bot)
	t.Cleanup(col.Stop)

	u := tg.User{ID: 601, FirstName: "Ann"}
	chat := srv.Chat(t, token, u)
	sent := sendAlbum(t, srv, token, u, tg.Chat{}, "trip", 3)
	chat.Send("after")
	want := fmt.Sprintf("album trip of 3: %d,%d,%d", sent[0].MessageID, sent[1].MessageID, sent[2].MessageID)
	chat.WaitFor(want, func(e emulator.Entry) bool { return e.Text == want })
	var texts []string
	for _, e := range chat.BotMessages() {
		texts = append(texts, e.Text)
	}
	if len(texts) != 2 || texts[0] != "echo after" || texts[1] != want {
		t.Fatalf("bot messages = %q, want the echo, then %q", texts, want)
	}
}
