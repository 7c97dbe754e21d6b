package decode

import (
	// telego decodes with github.com/grbit/go-json unless it is built with
	// the sonic or stdjson tag (telego/internal/json); a default build uses it.
	gojson "github.com/grbit/go-json"
	"github.com/mymmrac/telego"
	"github.com/mymmrac/telego/telegoapi"
)

// telego's webhook unmarshals the body into an Update; its GetUpdates
// unmarshals the response into telegoapi.Response, then the raw result
// into the *[]Update it was handed as an any (Bot.performRequest).
func init() {
	register(framework{
		name: "telego",
		webhook: func(body []byte) (keyFields, error) {
			var u telego.Update
			if err := gojson.Unmarshal(body, &u); err != nil {
				return keyFields{}, err
			}
			return telegoFields(&u), nil
		},
		poll: func(body []byte) func() (keyFields, keyFields, int, error) {
			return func() (first, last keyFields, n int, err error) {
				resp := &telegoapi.Response{}
				if err := gojson.Unmarshal(body, resp); err != nil {
					return first, last, 0, err
				}
				var updates []telego.Update
				vs := []any{&updates}
				if err := gojson.Unmarshal(resp.Result, &vs[0]); err != nil {
					return first, last, 0, err
				}
				return firstLast(updates, telegoFields)
			}
		},
	})
}

func telegoFields(u *telego.Update) keyFields {
	m := u.Message
	k := keyFields{UpdateID: int64(u.UpdateID), Text: m.Text, ChatID: m.Chat.ID, Entities: len(m.Entities)}
	if r := m.ReplyToMessage; r != nil {
		if len(r.Photo) > 0 {
			k.PhotoWidth = int64(r.Photo[len(r.Photo)-1].Width)
		}
		if r.ReplyMarkup != nil {
			k.Button = firstButton(r.ReplyMarkup.InlineKeyboard, func(b *telego.InlineKeyboardButton) string { return b.CallbackData })
		}
	}
	return k
}
