package webapp

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
)

// User is a user in initData (the WebAppUser object).
// See https://core.telegram.org/bots/webapps#webappuser
type User struct {
	ID                    int64  `json:"id"`
	IsBot                 bool   `json:"is_bot,omitzero"`
	FirstName             string `json:"first_name"`
	LastName              string `json:"last_name,omitzero"`
	Username              string `json:"username,omitzero"`
	LanguageCode          string `json:"language_code,omitzero"`
	IsPremium             bool   `json:"is_premium,omitzero"`
	AddedToAttachmentMenu bool   `json:"added_to_attachment_menu,omitzero"`
	AllowsWriteToPM       bool   `json:"allows_write_to_pm,omitzero"`
	PhotoURL              string `json:"photo_url,omitzero"`
}

// Chat is a chat in initData (the WebAppChat object).
// See https://core.telegram.org/bots/webapps#webappchat
type Chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username,omitzero"`
	PhotoURL string `json:"photo_url,omitzero"`
}

// InitData is validated initData (the WebAppInitData object).
// See https://core.telegram.org/bots/webapps#webappinitdata
type InitData struct {
	// QueryID lets the backend answer with answerWebAppQuery.
	QueryID string
	// User is the user who opened the Mini App.
	User *User
	// Receiver is the chat partner in a private chat opened from the
	// attachment menu.
	Receiver *User
	// Chat is the chat the Mini App was opened from (attachment menu of
	// a group, supergroup or channel).
	Chat *Chat
	// ChatType and ChatInstance describe the chat the app was opened from.
	ChatType, ChatInstance string
	// StartParam is the startapp parameter of the link that opened the app.
	StartParam string
	// CanSendAfter is how long to wait before a message may be sent with
	// answerWebAppQuery.
	CanSendAfter time.Duration
	// AuthDate is when the Mini App was opened.
	AuthDate time.Time
	// Fields holds every received field, decoded, including those above
	// and any this package does not know.
	Fields map[string]string
}

// parse decodes initData into its fields, refusing repeated ones.
func parse(initData string) (map[string]string, error) {
	q, err := url.ParseQuery(initData)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	fields := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, fmt.Errorf("%w: field %q appears %d times", ErrMalformed, k, len(vs))
		}
		fields[k] = vs[0]
	}
	return fields, nil
}

// dataCheckString joins "key=value" of the fields except those left out,
// sorted by key, with line feeds.
func dataCheckString(fields map[string]string, leaveOut ...string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		skip := false
		for _, l := range leaveOut {
			skip = skip || k == l
		}
		if !skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(fields[k])
	}
	return b.String()
}

// decode builds InitData from checked fields and checks auth_date's age.
func decode(fields map[string]string, maxAge time.Duration, now time.Time) (*InitData, error) {
	d := &InitData{
		QueryID: fields["query_id"], ChatType: fields["chat_type"], ChatInstance: fields["chat_instance"],
		StartParam: fields["start_param"], Fields: fields,
	}
	raw, ok := fields["auth_date"]
	if !ok {
		return nil, fmt.Errorf("%w: auth_date", ErrMissing)
	}
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || sec <= 0 {
		return nil, fmt.Errorf("%w: auth_date %q is not a Unix time", ErrMalformed, raw)
	}
	d.AuthDate = time.Unix(sec, 0)
	if maxAge >= 0 {
		if age := now.Sub(d.AuthDate); age > maxAge {
			return nil, fmt.Errorf("%w: auth_date is %v old, at most %v", ErrExpired, age.Truncate(time.Second), maxAge)
		} else if age < -clockSkew {
			return nil, fmt.Errorf("%w: auth_date is %v in the future", ErrExpired, (-age).Truncate(time.Second))
		}
	}
	if s, ok := fields["can_send_after"]; ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: can_send_after %q", ErrMalformed, s)
		}
		d.CanSendAfter = time.Duration(n) * time.Second
	}
	for name, dst := range map[string]any{"user": &d.User, "receiver": &d.Receiver, "chat": &d.Chat} {
		if s, ok := fields[name]; ok {
			if err := json.Unmarshal([]byte(s), dst); err != nil {
				return nil, fmt.Errorf("%w: field %s: %v", ErrMalformed, name, err)
			}
		}
	}
	return d, nil
}
