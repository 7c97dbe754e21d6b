package decode

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/heraldbot/herald/tg"
)

// Herald's webhook decodes the body it read with (*tg.Update).UnmarshalJSON
// (source.Webhook); its poller
// calls Client.GetUpdates, which decodes the response as it reads it. The
// polling benchmark goes through the client with a transport that answers
// with the response body, so it also counts building the request.
func init() {
	register(framework{
		name: "herald",
		webhook: func(body []byte) (keyFields, error) {
			u := new(tg.Update)
			if err := u.UnmarshalJSON(body); err != nil {
				return keyFields{}, err
			}
			return heraldFields(u), nil
		},
		poll: func(body []byte) func() (keyFields, keyFields, int, error) {
			c, err := tg.New("123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				tg.WithHTTPClient(&http.Client{Transport: cannedTransport{body}}))
			params := tg.GetUpdatesParams{Offset: 918273645, Limit: pollCount}
			return func() (first, last keyFields, n int, _ error) {
				if err != nil {
					return first, last, 0, err
				}
				ups, err := c.GetUpdates(context.Background(), params)
				if err != nil {
					return first, last, 0, err
				}
				return firstLast(ups, heraldFields)
			}
		},
	})
}

func heraldFields(u *tg.Update) keyFields {
	m := u.Message
	k := keyFields{UpdateID: u.UpdateID, Text: m.Text, ChatID: m.Chat.ID, Entities: len(m.Entities)}
	if r := m.ReplyToMessage; r != nil {
		if len(r.Photo) > 0 {
			k.PhotoWidth = r.Photo[len(r.Photo)-1].Width
		}
		if r.ReplyMarkup != nil {
			k.Button = firstButton(r.ReplyMarkup.InlineKeyboard, func(b *tg.InlineKeyboardButton) string { return b.CallbackData })
		}
	}
	return k
}

// cannedTransport answers every request with the same JSON body.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       r,
	}, nil
}
