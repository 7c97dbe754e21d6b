package decode

import (
	"bytes"
	"encoding/json"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// tgbotapi uses encoding/json: HandleUpdate decodes the webhook body with a
// json.Decoder; GetUpdates decodes the response with a json.Decoder into an
// APIResponse (decodeAPIResponse, without Debug), then unmarshals its raw
// result into []Update.
func init() {
	register(framework{
		name: "tgbotapi",
		webhook: func(body []byte) (keyFields, error) {
			var u tgbotapi.Update
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&u); err != nil {
				return keyFields{}, err
			}
			return tgbotapiFields(&u), nil
		},
		poll: func(body []byte) func() (keyFields, keyFields, int, error) {
			return func() (first, last keyFields, n int, err error) {
				var resp tgbotapi.APIResponse
				if err := json.NewDecoder(bytes.NewReader(body)).Decode(&resp); err != nil {
					return first, last, 0, err
				}
				var updates []tgbotapi.Update
				if err := json.Unmarshal(resp.Result, &updates); err != nil {
					return first, last, 0, err
				}
				return firstLast(updates, tgbotapiFields)
			}
		},
	})
}

func tgbotapiFields(u *tgbotapi.Update) keyFields {
	m := u.Message
	k := keyFields{UpdateID: int64(u.UpdateID), Text: m.Text, ChatID: m.Chat.ID, Entities: len(m.Entities)}
	if r := m.ReplyToMessage; r != nil {
		if len(r.Photo) > 0 {
			k.PhotoWidth = int64(r.Photo[len(r.Photo)-1].Width)
		}
		if r.ReplyMarkup != nil {
			k.Button = firstButton(r.ReplyMarkup.InlineKeyboard, func(b *tgbotapi.InlineKeyboardButton) string {
				if b.CallbackData == nil {
					return ""
				}
				return *b.CallbackData
			})
		}
	}
	return k
}
