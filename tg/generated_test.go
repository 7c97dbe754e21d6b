package tg

import (
	"bytes"
	"context"
	"net/http"
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
