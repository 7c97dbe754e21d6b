package emulator

import (
	"context"
	"strconv"

	"github.com/heraldbot/herald/tg"
)

// UserAlbum is an album (media group) a user sends to a bot: 2 to 10
// photos, or 2 to 10 documents, each with an optional caption.
type UserAlbum struct {
	// Token, From and Chat are as in UserMessage.
	Token string  `json:"token"`
	From  tg.User `json:"from"`
	Chat  tg.Chat `json:"chat,omitzero"`
	// Items are the album's parts, in order.
	Items []AlbumItem `json:"items"`
}

// AlbumItem is one part of a UserAlbum: a photo or a document.
type AlbumItem struct {
	Photo    *Upload `json:"photo,omitzero"`
	Document *Upload `json:"document,omitzero"`
	Caption  string  `json:"caption,omitzero"`
}

// SendAlbum makes a user send an album, as Telegram delivers one: one
// message update per part, queued back to back, sharing a new
// media_group_id, with consecutive message ids. The parts are checked
// before any is sent; a part refused after that (an unknown file_id)
// leaves the parts before it sent. POST /control/albums.
func (e *Emulator) SendAlbum(ctx context.Context, a UserAlbum) ([]Sent, error) {
	if n := len(a.Items); n < 2 || n > 10 {
		return nil, controlErrorf("an album has 2 to 10 items, not %d", n)
	}
	docs := 0
	for i, it := range a.Items {
		if (it.Photo == nil) == (it.Document == nil) {
			return nil, controlErrorf("album item %d needs exactly one of photo and document", i)
		}
		if it.Document != nil {
			docs++
		}
		if utf16Len(it.Caption) > 1024 {
			return nil, controlErrorf("album item %d: message caption is too long", i)
		}
	}
	if docs != 0 && docs != len(a.Items) {
		return nil, controlErrorf("an album holds photos or documents, not both")
	}
	b, err := e.actionBot(ctx, a.Token, a.From)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.groupSeq++
	group := strconv.FormatInt(b.id, 10) + strconv.FormatInt(b.groupSeq, 10)
	b.mu.Unlock()

	out := make([]Sent, 0, len(a.Items))
	for _, it := range a.Items {
		s, err := e.SendMessage(ctx, UserMessage{
			Token: a.Token, From: a.From, Chat: a.Chat,
			Photo: it.Photo, Document: it.Document, Caption: it.Caption,
			mediaGroup: group,
		})
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}
