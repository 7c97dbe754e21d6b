package broadcast

import (
	"context"
	"errors"
	"net/http"

	"github.com/heraldbot/herald/tg"
)

// sender makes the Bot API call of one campaign for one chat.
type sender struct {
	client *tg.Client
	text   *tg.SendMessageParams // nil when the campaign sends a photo
	photo  *tg.SendPhotoParams
}

func newSender(client *tg.Client, c Campaign) sender {
	m := c.Message
	var markup tg.ReplyMarkup
	if len(m.Buttons) > 0 {
		kb := &tg.InlineKeyboardMarkup{InlineKeyboard: make([][]tg.InlineKeyboardButton, len(m.Buttons))}
		for i, row := range m.Buttons {
			for _, b := range row {
				kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], tg.InlineKeyboardButton{Text: b.Text, URL: b.URL, CallbackData: b.CallbackData})
			}
		}
		markup = kb
	}
	s := sender{client: client}
	if m.PhotoFileID != "" {
		s.photo = &tg.SendPhotoParams{
			Photo: tg.FileID(m.PhotoFileID), Caption: m.Text, ParseMode: m.ParseMode,
			DisableNotification: m.DisableNotification, ProtectContent: m.ProtectContent,
			AllowPaidBroadcast: c.Paid, ReplyMarkup: markup,
		}
	} else {
		s.text = &tg.SendMessageParams{
			Text: m.Text, ParseMode: m.ParseMode,
			DisableNotification: m.DisableNotification, ProtectContent: m.ProtectContent,
			AllowPaidBroadcast: c.Paid, ReplyMarkup: markup,
		}
	}
	return s
}

// send posts the campaign's message to chat and returns its message id.
func (s sender) send(ctx context.Context, chat int64) (int64, error) {
	var (
		m   *tg.Message
		err error
	)
	if s.photo != nil {
		p := *s.photo
		p.ChatID = tg.ID(chat)
		m, err = s.client.SendPhoto(ctx, p)
	} else {
		p := *s.text
		p.ChatID = tg.ID(chat)
		m, err = s.client.SendMessage(ctx, p)
	}
	if err != nil {
		return 0, err
	}
	return m.MessageID, nil
}

// outcome decides what a send's result means for the recipient rec
// (whose Attempts already counts this attempt). left says whether the
// request left the process (a connection was handed to it); stopping says
// whether the run is stopping.
func outcome(rec Recipient, msgID int64, err error, left, stopping bool, o *Options) Recipient {
	retry := func(why string) Recipient {
		if rec.Attempts < o.MaxAttempts {
			rec.Status, rec.Error = Pending, why
		} else {
			rec.Status, rec.Error = Failed, why
		}
		return rec
	}
	apiErr, isAPI := errors.AsType[*tg.Error](err)
	switch {
	case err == nil:
		rec.Status, rec.MessageID, rec.Error = Sent, msgID, ""
	case isAPI && apiErr.Code == http.StatusForbidden:
		rec.Status, rec.Error = Blocked, apiErr.Description
	case isAPI && apiErr.Code == http.StatusTooManyRequests:
		// Telegram refused it: nothing was posted. Try again later.
		return retry(err.Error())
	case isAPI && apiErr.Code < 500:
		rec.Status, rec.Error = Failed, err.Error() // 4xx: trying again would not help
	case !left && stopping:
		// Stopped while waiting for the limiter: not an attempt.
		rec.Status, rec.Attempts = Pending, rec.Attempts-1
	case !left:
		// The request never left (connection refused, limiter failure).
		return retry(err.Error())
	// Sent, and no definite answer: none at all, or a 5xx, which may come
	// after the message was posted (package limit assumes so too).
	case o.ResendInDoubt:
		return retry("in doubt, sent again: " + err.Error())
	default:
		// Telegram may have posted it. At most once.
		rec.Status, rec.Error = Skipped, "in doubt: "+err.Error()
	}
	return rec
}
