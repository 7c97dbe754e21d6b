package tg

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
)

// These tests check the runtime against the generated code.

func TestGeneratedSendPhotoUpload(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/sendPhoto") {
			t.Errorf("path %q", r.URL.Path)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatal(err)
		}
		if got := r.MultipartForm.Value["chat_id"]; len(got) != 1 || got[0] != "42" {
			t.Errorf("chat_id = %q", got)
		}
		name, _, data := readPart(t, r, "photo")
		if name != "p.png" || string(data) != "PNG" {
			t.Errorf("photo = %q %q", name, data)
		}
		writeJSON(w, 200, `{"ok":true,"result":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"}}}`)
	})
	m, err := c.SendPhoto(context.Background(), SendPhotoParams{ChatID: ID(42), Photo: FileUpload("p.png", strings.NewReader("PNG"))})
	if err != nil || m.MessageID != 5 {
		t.Fatalf("SendPhoto = %+v, %v", m, err)
	}
}

// The generated InputMedia* types marshal themselves (to add "type");
// uploads inside them must still become attach:// parts.
func TestGeneratedInputMediaUpload(t *testing.T) {
	ep, err := encodeParams(&struct {
		ChatID ChatID             `json:"chat_id"`
		Media  []*InputMediaPhoto `json:"media"`
	}{
		ChatID: ID(1),
		Media: []*InputMediaPhoto{
			{Media: FileUpload("a.jpg", bytes.NewReader([]byte("a")))},
			{Media: FileID("AgAD")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"chat_id":1,"media":[{"type":"photo","media":"attach://upload0"},{"type":"photo","media":"AgAD"}]}`
	if string(ep.body) != want {
		t.Errorf("body = %s\nwant   %s", ep.body, want)
	}
	if len(ep.files) != 1 || ep.files[0].part != "upload0" || ep.files[0].topLevel {
		t.Errorf("files = %+v", ep.files)
	}
}

// InputRichMessageMedia.media takes one of five InputMedia types, one of
// which (InputMediaVoiceNote) no abstract type covers: the generator gives
// it a union of its own. A variant marshals its "type", an upload inside it
// becomes an attach:// part, and decoding picks the variant by "type".
func TestGeneratedSingleValueUnion(t *testing.T) {
	p := SendRichMessageParams{ChatID: ID(1), RichMessage: InputRichMessage{
		Markdown: "![voice](tg://audio?id=v1)",
		Media: []InputRichMessageMedia{
			{ID: "v1", Media: &InputMediaVoiceNote{Media: FileUpload("v.ogg", strings.NewReader("OGG")), Duration: 3}},
			{ID: "p1", Media: &InputMediaPhoto{Media: FileID("AgAD")}},
		},
	}}
	ep, err := encodeParams(&p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"chat_id":1,"rich_message":{"markdown":"![voice](tg://audio?id=v1)","media":[{"id":"v1","media":{"type":"voice_note","media":"attach://upload0","duration":3}},{"id":"p1","media":{"type":"photo","media":"AgAD"}}]}}`
	if string(ep.body) != want {
		t.Errorf("body = %s\nwant   %s", ep.body, want)
	}
	if len(ep.files) != 1 || ep.files[0].part != "upload0" {
		t.Errorf("files = %+v", ep.files)
	}

	var got InputRichMessage
	if err := got.UnmarshalJSON([]byte(`{"media":[{"id":"v1","media":{"type":"voice_note","media":"AwAD","duration":3}},{"id":"x","media":{"type":"sticker","media":"s"}},{"id":"n","media":null}]}`)); err != nil {
		t.Fatal(err)
	}
	if v, ok := got.Media[0].Media.(*InputMediaVoiceNote); !ok || v.Duration != 3 || v.Type() != "voice_note" {
		t.Errorf("media[0] = %#v", got.Media[0].Media)
	} else if id, _ := v.Media.ID(); id != "AwAD" {
		t.Errorf("media[0].media = %v", v.Media)
	}
	if u, ok := got.Media[1].Media.(*UnknownInputRichMessageMediaMedia); !ok || u.Discriminator != "sticker" {
		t.Errorf("media[1] = %#v, want the unknown variant", got.Media[1].Media)
	}
	if got.Media[2].Media != nil {
		t.Errorf("media[2] = %#v, want nil", got.Media[2].Media)
	}
}

// The package comment names the version the package was generated from.
func TestDocNamesBotAPIVersion(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Bot API (version " + BotAPIVersion + ","; !strings.Contains(string(src), want) {
		t.Errorf("doc.go does not say %q; update the package comment to the generated version", want)
	}
	if APIVersion != "Bot API "+BotAPIVersion {
		t.Errorf("APIVersion %q, BotAPIVersion %q", APIVersion, BotAPIVersion)
	}
}
