package emulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// article is a text result for answerInlineQuery.
func article(id, title, text string, kb *tg.InlineKeyboardMarkup) tg.InlineQueryResult {
	return &tg.InlineQueryResultArticle{
		ID: id, Title: title, ReplyMarkup: kb,
		InputMessageContent: &tg.InputTextMessageContent{MessageText: text},
	}
}

// TestInlineModeOverHTTP types an inline query through the control API,
// answers it with Herald's client, chooses a result, presses its button
// and edits the message by inline_message_id.
func TestInlineModeOverHTTP(t *testing.T) {
	_, url, c, ctx := startBot(t)
	ctl := url + "/control"

	var q InlineQuerySent
	do(t, "POST", ctl+"/inline", `{"token":"`+testToken+`","from":{"id":1001,"first_name":"Ann"},"query":"pizza"}`, 200, &q)
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil || len(ups) != 1 || ups[0].InlineQuery == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	iq := ups[0].InlineQuery
	if iq.ID != q.InlineQueryID || iq.Query != "pizza" || iq.From.ID != 1001 || iq.ChatType != "sender" || iq.Offset != "" {
		t.Fatalf("inline_query = %+v", iq)
	}
	// Not answered yet: the control API says so.
	do(t, "GET", ctl+"/inline/"+q.InlineQueryID+"?token="+testToken, "", 404, nil)
	do(t, "POST", ctl+"/inline/choose", `{"token":"`+testToken+`","from":{"id":1001},"inline_query_id":"`+q.InlineQueryID+`","result_id":"a"}`, 400, nil)

	kb := inlineKeyboard([]tg.InlineKeyboardButton{cbButton("Like", "like")})
	ok, err := c.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{
		InlineQueryID: iq.ID, CacheTime: 5, IsPersonal: true, NextOffset: "2",
		Results: []tg.InlineQueryResult{
			article("a", "Margherita", "Margherita, 9 €", kb),
			article("b", "Diavola", "Diavola, 11 €", nil),
		},
		Button: &tg.InlineQueryResultsButton{Text: "Open the menu", StartParameter: "menu"},
	})
	if err != nil || !ok {
		t.Fatalf("answerInlineQuery = %v, %v", ok, err)
	}
	// A second answer is refused as Telegram refuses it.
	_, err = c.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{InlineQueryID: iq.ID, Results: []tg.InlineQueryResult{}})
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

	var ans struct {
		Results []struct {
			Type  string `json:"type"`
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"results"`
		CacheTime  int64                       `json:"cache_time"`
		IsPersonal bool                        `json:"is_personal"`
		NextOffset string                      `json:"next_offset"`
		Button     tg.InlineQueryResultsButton `json:"button"`
	}
	do(t, "GET", ctl+"/inline/"+q.InlineQueryID+"?token="+testToken, "", 200, &ans)
	if len(ans.Results) != 2 || ans.Results[0].ID != "a" || ans.Results[0].Type != "article" || ans.Results[1].Title != "Diavola" ||
		ans.CacheTime != 5 || !ans.IsPersonal || ans.NextOffset != "2" || ans.Button.StartParameter != "menu" {
		t.Fatalf("answer = %+v", ans)
	}

	var chosen Chosen
	do(t, "POST", ctl+"/inline/choose", `{"token":"`+testToken+`","from":{"id":1002},"inline_query_id":"`+q.InlineQueryID+`","result_id":"a"}`, 400, nil) // not Bob's query
	do(t, "POST", ctl+"/inline/choose", `{"token":"`+testToken+`","from":{"id":1001},"inline_query_id":"`+q.InlineQueryID+`","result_id":"zz"}`, 400, nil)
	do(t, "POST", ctl+"/inline/choose", `{"token":"`+testToken+`","from":{"id":1001},"inline_query_id":"`+q.InlineQueryID+`","result_id":"a"}`, 200, &chosen)
	if chosen.ChatID != 1001 || chosen.MessageID == 0 || chosen.InlineMessageID == "" || chosen.UpdateID == 0 || chosen.ChosenUpdateID == 0 {
		t.Fatalf("chosen = %+v", chosen)
	}
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: ups[0].UpdateID + 1})
	if err != nil || len(ups) != 2 || ups[0].Message == nil || ups[1].ChosenInlineResult == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	msg, cr := ups[0].Message, ups[1].ChosenInlineResult
	if msg.Text != "Margherita, 9 €" || msg.ViaBot == nil || msg.ViaBot.ID != 123456 || msg.From == nil || msg.From.ID != 1001 || msg.ReplyMarkup == nil {
		t.Fatalf("message = %+v", msg)
	}
	if cr.ResultID != "a" || cr.Query != "pizza" || cr.From.ID != 1001 || cr.InlineMessageID != chosen.InlineMessageID {
		t.Fatalf("chosen_inline_result = %+v", cr)
	}

	// Its button's callback query names the message by inline_message_id.
	var pressed Pressed
	do(t, "POST", ctl+"/callbacks", fmt.Sprintf(`{"token":%q,"from":{"id":1002,"first_name":"Bob"},"chat_id":1001,"message_id":%d,"data":"like"}`, testToken, chosen.MessageID), 200, &pressed)
	ups, err = c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: ups[1].UpdateID + 1})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	cq := ups[0].CallbackQuery
	if cq.InlineMessageID != chosen.InlineMessageID || cq.Message != nil || cq.Data != "like" || cq.From.ID != 1002 {
		t.Fatalf("callback_query = %+v", cq)
	}

	// The bot edits it by inline_message_id: the answer is true.
	r, err := c.EditMessageText(ctx, tg.EditMessageTextParams{InlineMessageID: cq.InlineMessageID, Text: "Margherita, 9 € — 1 like"})
	if err != nil || !r.OK || r.Message != nil {
		t.Fatalf("editMessageText = %+v, %v", r, err)
	}
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{InlineMessageID: "nope", Text: "x"})
	wantAPIError(t, err, 400, "Bad Request: MESSAGE_ID_INVALID")
	// By chat and message id it is the user's message: not the bot's to edit.
	_, err = c.EditMessageText(ctx, tg.EditMessageTextParams{ChatID: tg.ID(1001), MessageID: chosen.MessageID, Text: "x"})
	wantAPIError(t, err, 400, "Bad Request: message can't be edited")

	var tr []Entry
	do(t, "GET", fmt.Sprintf("%s/chats/1001/messages?token=%s", ctl, testToken), "", 200, &tr)
	last := tr[len(tr)-1]
	if last.Text != "Margherita, 9 € — 1 like" || last.EditDate == 0 || last.Sender != "user" || last.ViaBot == nil ||
		last.InlineMessageID != chosen.InlineMessageID || last.ReplyMarkup != nil {
		t.Fatalf("transcript entry = %+v", last)
	}
}

// TestAnswerInlineQueryValidation checks what answerInlineQuery refuses.
func TestAnswerInlineQueryValidation(t *testing.T) {
	e, _, c, _ := startBot(t)
	ask := func() string {
		t.Helper()
		q, err := e.SendInlineQuery(context.Background(), UserInlineQuery{Token: testToken, From: ann, Query: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return q.InlineQueryID
	}
	id := ask()
	tooMany := make([]map[string]any, 51)
	for i := range tooMany {
		tooMany[i] = map[string]any{"type": "article", "id": fmt.Sprint(i), "title": "t", "input_message_content": map[string]any{"message_text": "m"}}
	}
	text := map[string]any{"message_text": "hi"}
	cases := []struct {
		name    string
		results any
		extra   map[string]any
		want    string
	}{
		{"51 results", tooMany, nil, "Bad Request: RESULTS_TOO_MUCH"},
		{"duplicate ids", []any{
			map[string]any{"type": "article", "id": "1", "title": "a", "input_message_content": text},
			map[string]any{"type": "article", "id": "1", "title": "b", "input_message_content": text},
		}, nil, "Bad Request: RESULT_ID_DUPLICATE"},
		{"unknown type", []any{map[string]any{"type": "poll", "id": "1"}}, nil, "Bad Request: RESULT_TYPE_INVALID"},
		{"empty id", []any{map[string]any{"type": "article", "id": "", "title": "a", "input_message_content": text}}, nil, "Bad Request: RESULT_ID_INVALID"},
		{"id over 64 bytes", []any{map[string]any{"type": "article", "id": strings.Repeat("x", 65), "title": "a", "input_message_content": text}}, nil, "Bad Request: RESULT_ID_INVALID"},
		{"article without content", []any{map[string]any{"type": "article", "id": "1", "title": "a"}}, nil,
			"Bad Request: can't parse InlineQueryResult of type article: input_message_content is required"},
		{"photo without url or file_id", []any{map[string]any{"type": "photo", "id": "1"}}, nil,
			"Bad Request: can't parse InlineQueryResult of type photo: give photo_url or photo_file_id"},
		{"empty message text", []any{map[string]any{"type": "article", "id": "1", "title": "a", "input_message_content": map[string]any{"message_text": " "}}}, nil, "Bad Request: MESSAGE_EMPTY"},
		{"reply keyboard", []any{map[string]any{"type": "article", "id": "1", "title": "a", "input_message_content": text, "reply_markup": map[string]any{"keyboard": [][]string{{"a"}}}}}, nil,
			"Bad Request: reply markup of an inline result must be an inline keyboard"},
		{"bad callback data", []any{map[string]any{"type": "article", "id": "1", "title": "a", "input_message_content": text,
			"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "x", "callback_data": strings.Repeat("d", 65)}}}}}}, nil, "Bad Request: BUTTON_DATA_INVALID"},
		{"long next_offset", []any{}, map[string]any{"next_offset": strings.Repeat("o", 65)}, "Bad Request: NEXT_OFFSET_INVALID"},
		{"button with two actions", []any{}, map[string]any{"button": map[string]any{"text": "b", "start_parameter": "s", "web_app": map[string]any{"url": "https://x"}}}, "Bad Request: BUTTON_TYPE_INVALID"},
		{"bad start parameter", []any{}, map[string]any{"button": map[string]any{"text": "b", "start_parameter": "a b"}}, "Bad Request: START_PARAM_INVALID"},
		{"results not an array", map[string]any{}, nil, "Bad Request: can't parse results JSON array"},
	}
	for _, tc := range cases {
		params := map[string]any{"inline_query_id": id, "results": tc.results}
		for k, v := range tc.extra {
			params[k] = v
		}
		err := callMap(t, c, "answerInlineQuery", params, nil)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantAPIError(t, err, 400, tc.want)
	}
	// Every type the spec lists passes with its required members; the
	// refusals above left the query unanswered.
	all := []any{
		map[string]any{"type": "photo", "id": "p", "photo_file_id": "f"},
		map[string]any{"type": "gif", "id": "g", "gif_url": "https://x/g.gif", "thumbnail_url": "https://x/t.jpg"},
		map[string]any{"type": "mpeg4_gif", "id": "m", "mpeg4_file_id": "f"},
		map[string]any{"type": "video", "id": "v", "video_file_id": "f", "title": "v"},
		map[string]any{"type": "audio", "id": "au", "audio_file_id": "f"},
		map[string]any{"type": "voice", "id": "vo", "voice_file_id": "f", "title": "v"},
		map[string]any{"type": "document", "id": "d", "document_file_id": "f", "title": "d"},
		map[string]any{"type": "sticker", "id": "s", "sticker_file_id": "f"},
		map[string]any{"type": "location", "id": "l", "latitude": 1, "longitude": 2, "title": "l"},
		map[string]any{"type": "venue", "id": "ve", "latitude": 1, "longitude": 2, "title": "v", "address": "a"},
		map[string]any{"type": "contact", "id": "c", "phone_number": "1", "first_name": "c"},
		map[string]any{"type": "game", "id": "ga", "game_short_name": "g"},
		map[string]any{"type": "article", "id": "a", "title": "a", "input_message_content": text},
	}
	if len(all) != len(inlineResultKinds) {
		t.Fatalf("the test covers %d result types, the emulator knows %d", len(all), len(inlineResultKinds))
	}
	mustCall(t, c, "answerInlineQuery", map[string]any{"inline_query_id": id, "results": all}, nil)
	if ans, ok := e.InlineAnswer(testToken, id); !ok || len(ans.Results) != len(all) {
		t.Fatalf("answer = %+v, %v", ans, ok)
	}
	err := callMap(t, c, "answerInlineQuery", map[string]any{"inline_query_id": "unknown", "results": []any{}}, nil)
	wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
}

// TestInlineQueryExpires checks, on the bubble's clock, that an inline
// query not answered within InlineQueryExpiry can no longer be answered.
func TestInlineQueryExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, c := startBubble(t, Options{Limits: offLimits()})
		ctx := t.Context()
		q, err := e.SendInlineQuery(ctx, UserInlineQuery{Token: testToken, From: ann, Query: "late"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(InlineQueryExpiry + time.Second)
		_, err = c.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{InlineQueryID: q.InlineQueryID, Results: []tg.InlineQueryResult{}})
		wantAPIError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
		q, _ = e.SendInlineQuery(ctx, UserInlineQuery{Token: testToken, From: ann, Query: "on time"})
		time.Sleep(InlineQueryExpiry - time.Second)
		if _, err := c.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{InlineQueryID: q.InlineQueryID, Results: []tg.InlineQueryResult{}}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestInlineQueryInGroup chooses a result typed in a group: the message
// is posted there by the user, and allowed_updates leave out what the bot
// did not ask for.
func TestInlineQueryInGroup(t *testing.T) {
	e, _, c, ctx := startBot(t)
	group := tg.Chat{ID: -500, Type: "supergroup", Title: "Pizza club"}
	sayIn(t, e, ann, group, "hello")
	if _, err := c.GetUpdates(ctx, tg.GetUpdatesParams{AllowedUpdates: []string{"inline_query", "message"}}); err != nil {
		t.Fatal(err)
	}
	q, err := e.SendInlineQuery(ctx, UserInlineQuery{Token: testToken, From: ann, Query: "", Chat: group})
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, c, "answerInlineQuery", map[string]any{"inline_query_id": q.InlineQueryID, "results": []any{
		map[string]any{"type": "article", "id": "1", "title": "Bold", "input_message_content": map[string]any{"message_text": "<b>hi</b> all", "parse_mode": "HTML"}},
	}}, nil)
	ch, err := e.ChooseInlineResult(ctx, InlineChoice{Token: testToken, From: ann, InlineQueryID: q.InlineQueryID, ResultID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.ChatID != -500 || ch.ChosenUpdateID != 0 || ch.UpdateID == 0 {
		t.Fatalf("chosen = %+v (chosen_inline_result is not in allowed_updates)", ch)
	}
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: 2})
	if err != nil || len(ups) != 2 || ups[0].InlineQuery == nil || ups[0].InlineQuery.ChatType != "supergroup" ||
		ups[1].Message == nil || ups[1].Message.Text != "hi all" || ups[1].Message.Chat.ID != -500 || ups[1].Message.ViaBot == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
}
