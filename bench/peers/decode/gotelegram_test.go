package decode

import (
	"encoding/json"

	"github.com/go-telegram/bot/models"
)

// gotelegramResponse is the shape go-telegram/bot decodes a response into
// (its unexported apiResponse).
type gotelegramResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	Description string          `json:"description,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after,omitempty"`
		MigrateToChatID int `json:"migrate_to_chat_id,omitempty"`
	} `json:"parameters,omitempty"`
}

// go-telegram/bot uses encoding/json: its webhook handler unmarshals the
// body into a *models.Update; its poller unmarshals the response, then the
// raw result into []*models.Update (Bot.rawRequest).
func init() {
	register(framework{
		name: "go-telegram",
		webhook: func(body []byte) (keyFields, error) {
			u := &models.Update{}
			if err := json.Unmarshal(body, u); err != nil {
				return keyFields{}, err
			}
			return gotelegramFields(u), nil
		},
		poll: func(body []byte) func() (keyFields, keyFields, int, error) {
			return func() (first, last keyFields, n int, err error) {
				r := gotelegramResponse{}
				if err := json.Unmarshal(body, &r); err != nil {
					return first, last, 0, err
				}
				var updates []*models.Update
				if err := json.Unmarshal(r.Result, &updates); err != nil {
					return first, last, 0, err
				}
				return firstLast(updates, func(u **models.Update) keyFields { return gotelegramFields(*u) })
			}
		},
	})
}

func gotelegramFields(u *models.Update) keyFields {
	m := u.Message
	k := keyFields{UpdateID: u.ID, Text: m.Text, ChatID: m.Chat.ID, Entities: len(m.Entities)}
	if r := m.ReplyToMessage; r != nil {
		if len(r.Photo) > 0 {
			k.PhotoWidth = int64(r.Photo[len(r.Photo)-1].Width)
		}
		if r.ReplyMarkup != nil {
			k.Button = firstButton(r.ReplyMarkup.InlineKeyboard, func(b *models.InlineKeyboardButton) string { return b.CallbackData })
		}
	}
	return k
}
