package decode

import (
	"bytes"
	"encoding/json"

	tele "gopkg.in/telebot.v3"
)

// telebot uses encoding/json: its webhook decodes the request body with a
// json.Decoder; its poller reads the response, checks it with extractOk
// (a json.Decoder into the envelope's fields) and unmarshals it again into
// a struct holding []Update (Bot.Raw, Bot.getUpdates).
func init() {
	register(framework{
		name: "telebot",
		webhook: func(body []byte) (keyFields, error) {
			var u tele.Update
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&u); err != nil {
				return keyFields{}, err
			}
			return telebotFields(&u), nil
		},
		poll: func(body []byte) func() (keyFields, keyFields, int, error) {
			return func() (first, last keyFields, n int, err error) {
				var e struct {
					Ok          bool           `json:"ok"`
					Code        int            `json:"error_code"`
					Description string         `json:"description"`
					Parameters  map[string]any `json:"parameters"`
				}
				if err := json.NewDecoder(bytes.NewReader(body)).Decode(&e); err != nil || !e.Ok {
					return first, last, 0, err
				}
				var resp struct {
					Result []tele.Update
				}
				if err := json.Unmarshal(body, &resp); err != nil {
					return first, last, 0, err
				}
				return firstLast(resp.Result, telebotFields)
			}
		},
	})
}

func telebotFields(u *tele.Update) keyFields {
	m := u.Message
	k := keyFields{UpdateID: int64(u.ID), Text: m.Text, ChatID: m.Chat.ID, Entities: len(m.Entities)}
	if r := m.ReplyTo; r != nil {
		if r.Photo != nil {
			k.PhotoWidth = int64(r.Photo.Width) // telebot keeps the largest size only
		}
		if r.ReplyMarkup != nil {
			k.Button = firstButton(r.ReplyMarkup.InlineKeyboard, func(b *tele.InlineButton) string { return b.Data })
		}
	}
	return k
}
