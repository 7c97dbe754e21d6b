package emulator

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// InlineQueryExpiry is how long a bot has to answer an inline query.
const InlineQueryExpiry = 10 * time.Second

// InlineChoiceExpiry is how long after the answer a user may still choose
// one of the results.
const InlineChoiceExpiry = 10 * time.Minute

// inlineQueryState is an inline query a user typed: waiting for
// answerInlineQuery, then holding the results a user may choose from.
type inlineQueryState struct {
	created  time.Time
	answered time.Time
	query    tg.InlineQuery
	chat     tg.Chat // where it was typed; ID 0 is the private chat with the bot
	answer   *InlineAnswer
	results  []inlineResult // parsed answer.Results, same order
}

// InlineAnswer is what the bot answered to an inline query.
type InlineAnswer struct {
	InlineQueryID string `json:"inline_query_id"`
	// Results are the results as the bot sent them (compact JSON objects).
	Results    []jsontext.Value             `json:"results"`
	CacheTime  int64                        `json:"cache_time,omitzero"`
	IsPersonal bool                         `json:"is_personal,omitzero"`
	NextOffset string                       `json:"next_offset,omitzero"`
	Button     *tg.InlineQueryResultsButton `json:"button,omitzero"`
}

// UserInlineQuery is a user typing "@bot query" (see SendInlineQuery).
type UserInlineQuery struct {
	// Token is the bot's token.
	Token string `json:"token"`
	// From is the user; at least ID is needed.
	From tg.User `json:"from"`
	// Query is the text after the bot's username, up to 256 characters.
	Query string `json:"query"`
	// Offset is the next_offset of a previous answer, to load more.
	Offset string `json:"offset,omitzero"`
	// Chat is where the user types: the zero value is the private chat
	// with the bot (chat_type "sender"); a group needs a negative ID. A
	// chosen result is posted there.
	Chat tg.Chat `json:"chat,omitzero"`
}

// InlineQuerySent is the result of SendInlineQuery.
type InlineQuerySent struct {
	// UpdateID is 0 when the bot's allowed_updates exclude inline_query.
	UpdateID      int64  `json:"update_id"`
	InlineQueryID string `json:"inline_query_id"`
}

// SendInlineQuery makes a user type an inline query for a bot, queuing an
// inline_query update. The bot answers with answerInlineQuery within
// InlineQueryExpiry; InlineAnswer returns its results and
// ChooseInlineResult picks one.
func (e *Emulator) SendInlineQuery(ctx context.Context, q UserInlineQuery) (InlineQuerySent, error) {
	b, err := e.actionBot(ctx, q.Token, q.From)
	if err != nil {
		return InlineQuerySent{}, err
	}
	if utf8.RuneCountInString(q.Query) > 256 {
		return InlineQuerySent{}, controlErrorf("an inline query is at most 256 characters")
	}
	if len(q.Offset) > 64 {
		return InlineQuerySent{}, controlErrorf("an inline query offset is at most 64 bytes")
	}
	chatType := "sender"
	switch {
	case q.Chat.ID == 0 || q.Chat.ID == q.From.ID:
		q.Chat = tg.Chat{}
	case q.Chat.ID > 0:
		return InlineQuerySent{}, controlErrorf("the emulator models inline queries in the private chat with the bot or in a group")
	default:
		chatType = q.Chat.Type
		if chatType == "" {
			chatType = "group"
		}
	}
	from := e.touchUser(q.From)
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if q.Chat.ID != 0 {
		if ch := b.chats[q.Chat.ID]; ch != nil {
			chatType = ch.info.Type
		}
	}
	b.pruneInlineLocked(now)
	b.inlineSeq++
	id := strconv.FormatInt(b.id, 10) + "0" + strconv.FormatInt(b.inlineSeq, 10)
	st := &inlineQueryState{
		created: now, chat: q.Chat,
		query: tg.InlineQuery{ID: id, From: from, Query: q.Query, Offset: q.Offset, ChatType: chatType},
	}
	b.inlineQueries[id] = st
	iq := st.query
	uid := b.enqueueLocked("inline_query", from.ID, func(u *tg.Update) { u.InlineQuery = &iq })
	return InlineQuerySent{UpdateID: uid, InlineQueryID: id}, nil
}

// InlineAnswer returns the bot's answer to an inline query, if any.
func (e *Emulator) InlineAnswer(token, inlineQueryID string) (InlineAnswer, bool) {
	b, aerr := e.knownBot(token)
	if aerr != nil {
		return InlineAnswer{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.inlineQueries[inlineQueryID]
	if st == nil || st.answer == nil {
		return InlineAnswer{}, false
	}
	return *st.answer, true
}

// pruneInlineLocked forgets inline queries nobody can use any more, once
// there are many.
func (b *bot) pruneInlineLocked(now time.Time) {
	if len(b.inlineQueries) < 1024 {
		return
	}
	for id, st := range b.inlineQueries {
		if st.expired(now) {
			delete(b.inlineQueries, id)
		}
	}
}

// expired reports whether st can be neither answered nor chosen from.
func (st *inlineQueryState) expired(now time.Time) bool {
	if st.answer == nil {
		return now.Sub(st.created) > InlineQueryExpiry
	}
	return now.Sub(st.answered) > InlineChoiceExpiry
}

func answerInlineQuery(c *call) (any, *apiError) {
	var raw []jsontext.Value
	if _, err := c.p.decode("results", &raw); err != nil {
		return nil, badRequest("can't parse results JSON array")
	}
	if len(raw) > 50 {
		return nil, errResultsTooMuch
	}
	results := make([]inlineResult, len(raw))
	seen := make(map[string]bool, len(raw))
	for i, r := range raw {
		res, aerr := parseInlineResult(r)
		if aerr != nil {
			return nil, aerr
		}
		if seen[res.ID] {
			return nil, errResultIDDuplicate
		}
		seen[res.ID] = true
		results[i] = res
		raw[i] = res.raw
	}
	if c.p.int("cache_time") < 0 {
		return nil, badRequest("parameter \"cache_time\" must not be negative")
	}
	if len(c.p.str("next_offset")) > 64 {
		return nil, badRequest("NEXT_OFFSET_INVALID")
	}
	var button *tg.InlineQueryResultsButton
	if c.p.has("button") {
		button = new(tg.InlineQueryResultsButton)
		if _, err := c.p.decode("button", button); err != nil {
			return nil, badRequest("can't parse button JSON object")
		}
		if aerr := checkResultsButton(button); aerr != nil {
			return nil, aerr
		}
	}
	if raw == nil {
		raw = []jsontext.Value{}
	}
	id := c.p.str("inline_query_id")
	b := c.b
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.inlineQueries[id]
	if st == nil || st.answer != nil || now.Sub(st.created) > InlineQueryExpiry {
		return nil, errQueryTooOld
	}
	st.answer = &InlineAnswer{
		InlineQueryID: id, Results: raw, CacheTime: c.p.int("cache_time"),
		IsPersonal: c.p.bool("is_personal"), NextOffset: c.p.str("next_offset"), Button: button,
	}
	st.answered, st.results = now, results
	ans := *st.answer
	chatID := st.chat.ID
	if chatID == 0 {
		chatID = st.query.From.ID
	}
	b.emitLocked(Event{Type: "inline_answer", ChatID: chatID, InlineAnswer: &ans})
	return true, nil
}

// checkResultsButton checks the button shown above inline results: a
// text and exactly one of web_app and start_parameter.
func checkResultsButton(btn *tg.InlineQueryResultsButton) *apiError {
	if btn.Text == "" {
		return badRequest("can't parse button: text must be non-empty")
	}
	if (btn.WebApp == nil) == (btn.StartParameter == "") {
		return errButtonTypeInvalid
	}
	if btn.StartParameter != "" && !validStartParameter(btn.StartParameter) {
		return badRequest("START_PARAM_INVALID")
	}
	return nil
}

// validStartParameter reports whether s is a deep-link parameter: 1–64
// characters of A-Z, a-z, 0-9, _ and -.
func validStartParameter(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
