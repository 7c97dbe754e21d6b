package emulator

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldbot/herald/tg"
)

// Error is a failed control operation; Code is the HTTP status the
// control API answers with.
type Error struct {
	Code        int    `json:"code"`
	Description string `json:"error"`
}

// Error returns the description.
func (e *Error) Error() string { return "emulator: " + e.Description }

func controlErr(a *apiError) error { return &Error{Code: a.code, Description: a.desc} }

func controlErrorf(format string, args ...any) *Error {
	return &Error{Code: http.StatusBadRequest, Description: fmt.Sprintf(format, args...)}
}

// Upload is a file a user sends: new content, or an existing file_id of
// the same bot.
type Upload struct {
	FileName string `json:"file_name,omitzero"`
	MimeType string `json:"mime_type,omitzero"`
	// Data is the content (base64 in JSON).
	Data   []byte `json:"data,omitzero"`
	FileID string `json:"file_id,omitzero"`
}

// UserMessage is a message a user writes to a bot (see SendMessage).
type UserMessage struct {
	// Token is the bot's token; the bot is created if new.
	Token string `json:"token"`
	// From is the user; at least ID (> 0) is needed. The user is created
	// or renamed as given.
	From tg.User `json:"from"`
	// Chat is where the user writes. The zero value is the private chat
	// with From. A group, supergroup (IsForum for topics) or channel
	// needs a negative ID; Title is optional.
	Chat tg.Chat `json:"chat,omitzero"`
	// Text, or Photo or Document with an optional Caption.
	Text     string  `json:"text,omitzero"`
	Caption  string  `json:"caption,omitzero"`
	Photo    *Upload `json:"photo,omitzero"`
	Document *Upload `json:"document,omitzero"`
	// ReplyToMessageID makes the message a reply.
	ReplyToMessageID int64 `json:"reply_to_message_id,omitzero"`
	// MessageThreadID posts into a forum topic, created if unknown.
	MessageThreadID int64 `json:"message_thread_id,omitzero"`

	mediaGroup string // set by SendAlbum for its parts
}

// Sent is the result of SendMessage.
type Sent struct {
	UpdateID  int64 `json:"update_id"`
	MessageID int64 `json:"message_id"`
	ChatID    int64 `json:"chat_id"`
	// FileID is the photo's or document's file_id, if one was sent.
	FileID string `json:"file_id,omitzero"`
}

// SendMessage makes a user write to a bot: the message is added to the
// chat's transcript and a message update (channel_post in a channel) is
// queued for the bot. UpdateID is 0 when the bot's allowed_updates
// exclude it.
func (e *Emulator) SendMessage(ctx context.Context, m UserMessage) (Sent, error) {
	b, err := e.actionBot(ctx, m.Token, m.From)
	if err != nil {
		return Sent{}, err
	}
	if m.From.ID == b.id {
		return Sent{}, controlErrorf("from.id must not be the bot's id")
	}
	up := m.Photo
	kind := "photo"
	if m.Document != nil {
		if up != nil {
			return Sent{}, controlErrorf("send a photo or a document, not both")
		}
		up, kind = m.Document, "document"
	}
	switch {
	case up == nil && strings.TrimSpace(m.Text) == "":
		return Sent{}, controlErrorf("message text is empty")
	case up != nil && m.Text != "":
		return Sent{}, controlErrorf("a photo or document takes a caption, not a text")
	case utf16Len(m.Text) > 4096:
		return Sent{}, controlErrorf("message is too long")
	case utf16Len(m.Caption) > 1024:
		return Sent{}, controlErrorf("message caption is too long")
	}
	from := e.touchUser(m.From)
	if e.blockedBy(from.ID, b.id) {
		return Sent{}, controlErrorf("user %d has blocked this bot; unblock it first", from.ID)
	}
	now := time.Now()

	b.mu.Lock()
	defer b.mu.Unlock()
	ch, err := b.chatForUserLocked(m.Chat, from)
	if err != nil {
		return Sent{}, err
	}
	msg := &tg.Message{Date: now.Unix(), Chat: ch.info, Text: m.Text, Entities: commandEntities(m.Text)}
	ch.setSender(msg, from)
	// Refusals first, so that a refused message changes nothing.
	if m.ReplyToMessageID != 0 {
		r := ch.live(m.ReplyToMessageID)
		if r == nil {
			return Sent{}, controlErr(errReplyNotFound)
		}
		msg.ReplyToMessage = replySnapshot(r.m)
	}
	var fileID string
	if up != nil {
		f, aerr := b.userFileLocked(ch, up, kind)
		if aerr != nil {
			return Sent{}, controlErr(aerr)
		}
		attach(msg, f)
		msg.Caption, fileID = m.Caption, f.id
		msg.MediaGroupID = m.mediaGroup
	}
	// A new forum topic is created last, once nothing can fail.
	if m.MessageThreadID != 0 && ch.info.Type == "supergroup" {
		if ch.info.IsForum && ch.topics[m.MessageThreadID] == nil {
			t := b.addTopicLocked(ch, fmt.Sprintf("Topic %d", m.MessageThreadID), defaultTopicColor, from)
			m.MessageThreadID = t.MessageThreadID
		}
		msg.MessageThreadID, msg.IsTopicMessage = m.MessageThreadID, ch.info.IsForum
	}
	msg.MessageID = ch.newMessageID()
	b.storeLocked(ch, &message{m: msg})

	kindName := "message"
	if ch.info.Type == "channel" {
		kindName = "channel_post"
	}
	snapshot := *msg
	uid := b.enqueueLocked(kindName, ch.info.ID, func(u *tg.Update) {
		if kindName == "channel_post" {
			u.ChannelPost = &snapshot
		} else {
			u.Message = &snapshot
		}
	})
	return Sent{UpdateID: uid, MessageID: msg.MessageID, ChatID: ch.info.ID, FileID: fileID}, nil
}

// actionBot returns the bot of token (created if new) for a control
// action of user from, once ctx and from are checked.
func (e *Emulator) actionBot(ctx context.Context, token string, from tg.User) (*bot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, aerr := e.botFor(token)
	if aerr != nil {
		return nil, controlErr(aerr)
	}
	if from.ID <= 0 {
		return nil, controlErrorf("from.id must be a positive user id")
	}
	return b, nil
}

// userFileLocked stores a user's upload, or finds the file_id given.
func (b *bot) userFileLocked(ch *chat, up *Upload, kind string) (*storedFile, *apiError) {
	if up.FileID != "" {
		return b.fileLocked(up.FileID, kind, errInvalidFileID)
	}
	name := up.FileName
	if name == "" {
		name = kind
	}
	return b.storeFileLocked(ch, &formFile{name: name, contentType: up.MimeType, data: up.Data}, kind)
}

// commandEntities marks a leading /command as a bot_command entity.
func commandEntities(text string) []tg.MessageEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	cmd := text
	if i := strings.IndexAny(text, " \n\t"); i >= 0 {
		cmd = text[:i]
	}
	if len(cmd) < 2 {
		return nil
	}
	return []tg.MessageEntity{{Type: "bot_command", Offset: 0, Length: int64(utf16Len(cmd))}}
}
