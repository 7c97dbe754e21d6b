package emulator

import (
	"bytes"
	"testing"

	"github.com/heraldbot/herald/tg"
)

// TestEphemeralMessages sends, edits and deletes ephemeral messages (Bot
// API 10.2) with the generated client: message_id 0, an
// ephemeral_message_id of their own per chat, shown to one member of a
// group, and found again only with that member's id.
func TestEphemeralMessages(t *testing.T) {
	e, _, c, ctx := startBot(t)
	group := tg.Chat{ID: -100500, Type: "supergroup", Title: "Team"}
	sayIn(t, e, ann, group, "/secret")
	sayIn(t, e, bob, group, "hi")
	kb := inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Reveal", "reveal")})

	m, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "only for Ann", ReceiverUserID: ann.ID, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != 0 || m.EphemeralMessageID != 1 || m.ReceiverUser == nil || m.ReceiverUser.ID != ann.ID || m.Text != "only for Ann" {
		t.Fatalf("ephemeral message = %+v", m)
	}
	// Ephemeral ids count apart from message ids, and use none of them.
	m2, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "for Bob", ReceiverUserID: bob.ID,
		ReplyParameters: &tg.ReplyParameters{EphemeralMessageID: 1, AllowSendingWithoutReply: true}})
	if err == nil {
		t.Fatalf("a reply to Ann's ephemeral message was shown to Bob: %+v", m2)
	}
	wantAPIError(t, err, 400, "Bad Request: message to be replied not found")
	m2, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "for Bob", ReceiverUserID: bob.ID})
	if err != nil || m2.EphemeralMessageID != 2 || m2.MessageID != 0 {
		t.Fatalf("second ephemeral message = %+v, %v", m2, err)
	}
	plain, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "everyone"})
	if err != nil || plain.MessageID != 3 || plain.EphemeralMessageID != 0 || plain.ReceiverUser != nil {
		t.Fatalf("plain message = %+v, %v", plain, err)
	}
	reply, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "still Ann", ReceiverUserID: ann.ID,
		ReplyParameters: &tg.ReplyParameters{EphemeralMessageID: 1}})
	if err != nil || reply.ReplyToMessage == nil || reply.ReplyToMessage.EphemeralMessageID != 1 {
		t.Fatalf("reply to an ephemeral message = %+v, %v", reply, err)
	}
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "x", ReplyParameters: &tg.ReplyParameters{EphemeralMessageID: 1}})
	wantAPIError(t, err, 400, "Bad Request: a reply to an ephemeral message must be an ephemeral message")

	// Where ephemeral messages cannot go.
	sayIn(t, e, ann, tg.Chat{}, "/start")
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(ann.ID), Text: "x", ReceiverUserID: ann.ID})
	wantAPIError(t, err, 400, "Bad Request: ephemeral messages can be sent only to group and supergroup chats")
	_, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "x", ReceiverUserID: 4242})
	wantAPIError(t, err, 400, "Bad Request: user not found")

	// Edits answer true and change the transcript; the receiver is part
	// of the message's identity.
	at := func(i int) Entry {
		t.Helper()
		tr, err := e.Transcript(testToken, group.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range tr {
			if en.EphemeralMessageID == int64(i) {
				return en
			}
		}
		t.Fatalf("no ephemeral message %d in %+v", i, tr)
		return Entry{}
	}
	ok, err := c.EditEphemeralMessageText(ctx, tg.EditEphemeralMessageTextParams{ChatID: tg.ID(group.ID), ReceiverUserID: ann.ID, EphemeralMessageID: 1, Text: "changed", ReplyMarkup: kb})
	if err != nil || !ok {
		t.Fatalf("editEphemeralMessageText = %v, %v", ok, err)
	}
	if en := at(1); en.Text != "changed" || en.EditDate == 0 || en.MessageID != 0 || en.Receiver == nil || en.Receiver.ID != ann.ID || en.ReplyMarkup == nil {
		t.Fatalf("edited entry = %+v", en)
	}
	_, err = c.EditEphemeralMessageText(ctx, tg.EditEphemeralMessageTextParams{ChatID: tg.ID(group.ID), ReceiverUserID: ann.ID, EphemeralMessageID: 1, Text: "changed", ReplyMarkup: kb})
	wantAPIError(t, err, 400, notModified)
	_, err = c.EditEphemeralMessageText(ctx, tg.EditEphemeralMessageTextParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 1, Text: "stolen"})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	_, err = c.EditEphemeralMessageCaption(ctx, tg.EditEphemeralMessageCaptionParams{ChatID: tg.ID(group.ID), ReceiverUserID: ann.ID, EphemeralMessageID: 1, Caption: "c"})
	wantAPIError(t, err, 400, "Bad Request: there is no caption in the message to edit")
	if ok, err := c.EditEphemeralMessageReplyMarkup(ctx, tg.EditEphemeralMessageReplyMarkupParams{ChatID: tg.ID(group.ID), ReceiverUserID: ann.ID, EphemeralMessageID: 1}); err != nil || !ok {
		t.Fatalf("editEphemeralMessageReplyMarkup = %v, %v", ok, err)
	}
	if en := at(1); en.ReplyMarkup != nil {
		t.Fatalf("keyboard kept: %s", en.ReplyMarkup)
	}

	// A photo: its caption and media change, by file_id only.
	photo, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, Caption: "p",
		Photo: tg.FileUpload("p.png", bytes.NewReader(testPNG(t, 2, 2)))})
	if err != nil || photo.EphemeralMessageID != 4 || len(photo.Photo) == 0 {
		t.Fatalf("ephemeral photo = %+v, %v", photo, err)
	}
	if ok, err := c.EditEphemeralMessageCaption(ctx, tg.EditEphemeralMessageCaptionParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 4, Caption: "q"}); err != nil || !ok {
		t.Fatalf("editEphemeralMessageCaption = %v, %v", ok, err)
	}
	other, err := c.SendPhoto(ctx, tg.SendPhotoParams{ChatID: tg.ID(group.ID), Photo: tg.FileUpload("o.png", bytes.NewReader(testPNG(t, 3, 3)))})
	if err != nil {
		t.Fatal(err)
	}
	newID := other.Photo[0].FileID
	_, err = c.EditEphemeralMessageMedia(ctx, tg.EditEphemeralMessageMediaParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 4,
		Media: &tg.InputMediaPhoto{Media: tg.FileUpload("n.png", bytes.NewReader(testPNG(t, 4, 4)))}})
	wantAPIError(t, err, 400, "Bad Request: a new file can't be uploaded to an ephemeral message")
	if ok, err := c.EditEphemeralMessageMedia(ctx, tg.EditEphemeralMessageMediaParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 4,
		Media: &tg.InputMediaPhoto{Media: tg.FileID(newID), Caption: "r"}}); err != nil || !ok {
		t.Fatalf("editEphemeralMessageMedia = %v, %v", ok, err)
	}
	if en := at(4); en.Caption != "r" || len(en.Photo) == 0 || en.Photo[0].FileID != newID {
		t.Fatalf("entry after editEphemeralMessageMedia = %+v", en)
	}

	// Deleting: once; the message stays in the transcript, marked.
	if ok, err := c.DeleteEphemeralMessage(ctx, tg.DeleteEphemeralMessageParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 2}); err != nil || !ok {
		t.Fatalf("deleteEphemeralMessage = %v, %v", ok, err)
	}
	_, err = c.DeleteEphemeralMessage(ctx, tg.DeleteEphemeralMessageParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 2})
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
	_, err = c.DeleteEphemeralMessage(ctx, tg.DeleteEphemeralMessageParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 1})
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
	if en := at(2); !en.Deleted {
		t.Fatalf("deleted entry = %+v", en)
	}
	_, err = c.EditEphemeralMessageText(ctx, tg.EditEphemeralMessageTextParams{ChatID: tg.ID(group.ID), ReceiverUserID: bob.ID, EphemeralMessageID: 2, Text: "late"})
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
	// deleteMessage knows nothing of message_id 0.
	err = callMap(t, c, "deleteMessage", map[string]any{"chat_id": group.ID, "message_id": 0}, nil)
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
	// A method without receiver_user_id ignores it, as Telegram ignores
	// unknown parameters.
	var fwd tg.Message
	mustCall(t, c, "forwardMessage", map[string]any{"chat_id": group.ID, "from_chat_id": group.ID, "message_id": plain.MessageID, "receiver_user_id": ann.ID}, &fwd)
	if fwd.MessageID == 0 || fwd.EphemeralMessageID != 0 {
		t.Fatalf("forward = %+v", fwd)
	}
}

// TestEphemeralEvents checks that the event stream (and so the page)
// sees ephemeral messages with their receiver.
func TestEphemeralEvents(t *testing.T) {
	e, _, c, ctx := startBot(t)
	group := tg.Chat{ID: -100501, Type: "group", Title: "G"}
	sayIn(t, e, ann, group, "hi")
	events, cancel, err := e.Subscribe(testToken, group.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(group.ID), Text: "psst", ReceiverUserID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteEphemeralMessage(ctx, tg.DeleteEphemeralMessageParams{ChatID: tg.ID(group.ID), ReceiverUserID: ann.ID, EphemeralMessageID: 1}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sent", "deleted"} {
		ev := <-events
		if ev.Type != want || ev.Message == nil || ev.Message.EphemeralMessageID != 1 || ev.Message.MessageID != 0 ||
			ev.Message.Receiver == nil || ev.Message.Receiver.ID != ann.ID || ev.Message.Deleted != (want == "deleted") {
			t.Fatalf("event = %+v %+v, want %s of ephemeral message 1", ev, ev.Message, want)
		}
	}
}
