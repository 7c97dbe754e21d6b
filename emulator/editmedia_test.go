package emulator

import (
	"bytes"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestEditMessageMedia: a photo is replaced by an upload and by a known
// file_id with its caption; the same file and caption again is "not
// modified"; a text message has no media; a wrong kind is refused.
func TestEditMessageMedia(t *testing.T) {
	e, _, c, ctx := startBot(t)
	say(t, e, "/start")
	first, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(ann.ID), Photo: tg.FileUpload("wait.png", bytes.NewReader(testPNG(t, 2, 2))), Caption: "Rendering…"})
	if err != nil {
		t.Fatal(err)
	}
	placeholder := first.Photo[0].FileID

	ed, err := c.EditMessageMedia(ctx, tg.EditMessageMediaParams{
		ChatID: tg.ID(ann.ID), MessageID: first.MessageID,
		Media: &tg.InputMediaPhoto{Media: tg.FileUpload("receipt.png", bytes.NewReader(testPNG(t, 30, 20))), Caption: "Receipt"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := ed.Message
	if m == nil || len(m.Photo) != 1 || m.Photo[0].Width != 30 || m.Photo[0].FileID == placeholder || m.Caption != "Receipt" || m.EditDate == 0 {
		t.Fatalf("edited = %+v", ed)
	}
	receipt := m.Photo[0].FileID
	// The same file and caption again: not modified.
	_, err = c.EditMessageMedia(ctx, tg.EditMessageMediaParams{
		ChatID: tg.ID(ann.ID), MessageID: first.MessageID,
		Media: &tg.InputMediaPhoto{Media: tg.FileID(receipt), Caption: "Receipt"},
	})
	wantAPIError(t, err, 400, notModified)
	// Back to the placeholder by its file_id.
	ed, err = c.EditMessageMedia(ctx, tg.EditMessageMediaParams{
		ChatID: tg.ID(ann.ID), MessageID: first.MessageID,
		Media: &tg.InputMediaPhoto{Media: tg.FileID(placeholder)},
	})
	if err != nil || ed.Message.Photo[0].FileID != placeholder || ed.Message.Caption != "" {
		t.Fatalf("edited back = %+v, %v", ed, err)
	}
	// The chat's transcript shows the message as it is now.
	var got []Entry
	if got, err = e.Transcript(testToken, ann.ID); err != nil {
		t.Fatal(err)
	}
	if last := got[len(got)-1]; last.MessageID != first.MessageID || last.Photo[0].FileID != placeholder {
		t.Errorf("transcript's last entry %+v, want the edited photo", last)
	}

	text, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.EditMessageMedia(ctx, tg.EditMessageMediaParams{ChatID: tg.ID(ann.ID), MessageID: text.MessageID, Media: &tg.InputMediaPhoto{Media: tg.FileID(placeholder)}})
	wantAPIError(t, err, 400, "Bad Request: there is no media in the message to edit")
	_, err = c.EditMessageMedia(ctx, tg.EditMessageMediaParams{ChatID: tg.ID(ann.ID), MessageID: first.MessageID, Media: &tg.InputMediaDocument{Media: tg.FileID(placeholder)}})
	wantAPIError(t, err, 400, "Bad Request: type of file mismatch")
	_, err = c.EditMessageMedia(ctx, tg.EditMessageMediaParams{ChatID: tg.ID(ann.ID), MessageID: 99999, Media: &tg.InputMediaPhoto{Media: tg.FileID(placeholder)}})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
}
