package emulator

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/heraldbot/herald/tg"
)

// handlers is the table of modelled methods. Every other method of the
// spec answers 400 "not modelled".
func handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getUpdates":     getUpdates,
		"setWebhook":     setWebhook,
		"deleteWebhook":  deleteWebhook,
		"getWebhookInfo": getWebhookInfo,

		"getMe":               getMe,
		"logOut":              returnTrue,
		"close":               returnTrue,
		"setMyCommands":       setMyCommands,
		"getMyCommands":       getMyCommands,
		"deleteMyCommands":    deleteMyCommands,
		"sendMessage":         sendMessage,
		"forwardMessage":      forwardMessage,
		"forwardMessages":     forwardMessages,
		"copyMessage":         copyMessage,
		"copyMessages":        copyMessages,
		"sendChatAction":      sendChatAction,
		"sendPhoto":           sendPhoto,
		"sendDocument":        sendDocument,
		"sendMediaGroup":      sendMediaGroup,
		"getFile":             getFile,
		"answerCallbackQuery": answerCallbackQuery,
		"answerInlineQuery":   answerInlineQuery,

		"sendInvoice":            sendInvoice,
		"createInvoiceLink":      createInvoiceLink,
		"answerPreCheckoutQuery": answerPreCheckoutQuery,
		"refundStarPayment":      refundStarPayment,
		"getStarTransactions":    getStarTransactions,
		"getMyStarBalance":       getMyStarBalance,
		"setMessageReaction":     setMessageReaction,

		"editMessageText":        editMessageText,
		"editMessageCaption":     editMessageCaption,
		"editMessageReplyMarkup": editMessageReplyMarkup,
		"editMessageMedia":       editMessageMedia,
		"deleteMessage":          deleteMessage,
		"deleteMessages":         deleteMessages,

		"editEphemeralMessageText":        editEphemeralMessageText,
		"editEphemeralMessageCaption":     editEphemeralMessageCaption,
		"editEphemeralMessageReplyMarkup": editEphemeralMessageReplyMarkup,
		"editEphemeralMessageMedia":       editMessageMedia,
		"deleteEphemeralMessage":          deleteEphemeralMessage,

		"getChat":               getChat,
		"getChatMember":         getChatMember,
		"getChatMemberCount":    getChatMemberCount,
		"getChatAdministrators": getChatAdministrators,
		"pinChatMessage":        pinChatMessage,
		"unpinChatMessage":      unpinChatMessage,
		"unpinAllChatMessages":  unpinAllChatMessages,
		"createForumTopic":      createForumTopic,

		"getBusinessConnection": getBusinessConnection,
	}
}

func returnTrue(*call) (any, *apiError) { return true, nil }

// withChat runs f under the bot's lock on the chat chat_id names.
func (c *call) withChat(f func(ch *chat) (any, *apiError)) (any, *apiError) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	ch, aerr := c.chatLocked()
	if aerr != nil {
		return nil, aerr
	}
	return f(ch)
}

// target is where a new message goes: its chat, thread and reply, and
// the user who alone sees it when it is ephemeral.
type target struct {
	ch       *chat
	threadID int64
	replyTo  *message
	receiver *tg.User // receiver_user_id: the message is ephemeral
}

// targetLocked resolves chat_id, message_thread_id, the reply parameters
// and, for a method that takes it, receiver_user_id, and refuses chats
// whose user blocked the bot.
func (c *call) targetLocked() (*target, *apiError) {
	b, p := c.b, c.p
	ch, err := c.chatLocked()
	if err != nil {
		return nil, err
	}
	t := &target{ch: ch}
	if ch.info.Type == "private" && ch.business == nil && c.e.blockedBy(ch.info.ID, b.id) {
		return nil, errBlocked
	}
	if id := p.int("message_thread_id"); id != 0 && ch.info.Type != "private" {
		if ch.info.IsForum && ch.topics[id] == nil {
			return nil, errThreadNotFound
		}
		t.threadID = id
	}
	replyID, allowMissing := p.int("reply_to_message_id"), p.bool("allow_sending_without_reply")
	if p.has("receiver_user_id") && c.takes("receiver_user_id") {
		if ch.info.Type != "group" && ch.info.Type != "supergroup" {
			return nil, errEphemeralChat
		}
		u, ok := ch.members[p.int("receiver_user_id")]
		if !ok {
			return nil, errUserNotFound
		}
		t.receiver = &u
	}
	var rp struct {
		MessageID                int64 `json:"message_id"`
		EphemeralMessageID       int64 `json:"ephemeral_message_id"`
		AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
	}
	if ok, err := p.decode("reply_parameters", &rp); err != nil {
		return nil, badRequest("can't parse reply parameters JSON object")
	} else if ok {
		replyID, allowMissing = rp.MessageID, rp.AllowSendingWithoutReply
	}
	if rp.EphemeralMessageID != 0 {
		// Only an ephemeral message may answer one, and it is never sent
		// without it.
		if t.receiver == nil {
			return nil, errEphemeralReply
		}
		t.replyTo = ch.liveEphemeral(rp.EphemeralMessageID, t.receiver.ID)
		if t.replyTo == nil {
			return nil, errReplyNotFound
		}
		replyID = 0
	}
	if replyID != 0 {
		t.replyTo = ch.live(replyID)
		if t.replyTo == nil && !allowMissing {
			return nil, errReplyNotFound
		}
		if t.replyTo != nil && t.threadID == 0 {
			t.threadID = t.replyTo.m.MessageThreadID
		}
	}
	return t, nil
}

// limitLocked applies the rate limits to n new messages into ch. The
// methods that post new messages call it, and only those count.
func (c *call) limitLocked(ch *chat, n int) *apiError {
	if wait := c.b.lim.allow(c.e.Limits(), time.Now(), ch.info.ID, ch.isGroup(), n); wait > 0 {
		return tooManyRequests(wait)
	}
	return nil
}

// limitedTargetLocked resolves the target of n new messages and takes
// them from the rate limits.
func (c *call) limitedTargetLocked(n int) (*target, *apiError) {
	t, aerr := c.targetLocked()
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.limitLocked(t.ch, n); aerr != nil {
		return nil, aerr
	}
	return t, nil
}

// newBotMessageLocked allocates the bot's next message in t.
func (c *call) newBotMessageLocked(t *target) *message {
	ch := t.ch
	m := &tg.Message{Date: time.Now().Unix(), Chat: ch.info, MessageThreadID: t.threadID}
	if t.receiver != nil {
		// An ephemeral message has message_id 0 and an id of its own.
		m.EphemeralMessageID, m.ReceiverUser = ch.newEphemeralID(), t.receiver
	} else {
		m.MessageID = ch.newMessageID()
	}
	if bc := ch.business; bc != nil {
		// Sent on the business account's behalf, by the bot.
		owner, self := bc.info.User, c.b.me()
		m.From, m.SenderBusinessBot, m.BusinessConnectionID = &owner, &self, bc.info.ID
	} else {
		ch.setSender(m, c.b.me())
	}
	if t.threadID != 0 && ch.info.IsForum {
		m.IsTopicMessage = true
	}
	if t.replyTo != nil {
		m.ReplyToMessage = replySnapshot(t.replyTo.m)
	}
	return &message{m: m, fromBot: true}
}

// text reads the text parameter with its parse_mode and entities.
func (c *call) text() (string, []tg.MessageEntity, *apiError) {
	return c.formatted("text", "entities", 4096, errTextTooLong, true)
}

// caption reads the caption parameter with its parse_mode and entities.
func (c *call) caption() (string, []tg.MessageEntity, *apiError) {
	return c.formatted("caption", "caption_entities", 1024, errCaptionTooLong, false)
}

// formatted reads a text or caption parameter with its parse_mode and
// entities, checking the length limit (in UTF-16 code units, as
// Telegram counts).
func (c *call) formatted(name, entitiesName string, maxLen int, tooLong *apiError, required bool) (string, []tg.MessageEntity, *apiError) {
	p := c.p
	s := p.str(name)
	switch strings.ToLower(p.str("parse_mode")) {
	case "", "markdown", "markdownv2":
	case "html":
		s = stripHTML(s)
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if strings.TrimSpace(s) == "" {
		if required {
			return "", nil, errTextEmpty
		}
		return "", nil, nil
	}
	n := utf16Len(s)
	if n > maxLen {
		return "", nil, tooLong
	}
	var ents []tg.MessageEntity
	if _, err := p.decode(entitiesName, &ents); err != nil {
		return "", nil, errEntitiesParse
	}
	for _, en := range ents {
		if en.Offset < 0 || en.Length <= 0 || en.Offset+en.Length > int64(n) || en.Type == "" {
			return "", nil, errEntitiesParse
		}
		if aerr := checkEntity(en); aerr != nil {
			return "", nil, aerr
		}
	}
	return s, ents, nil
}

// entityTypes are the MessageEntity types of the Bot API, each with the
// field it cannot do without ("" for none).
var entityTypes = map[string]string{
	"mention": "", "hashtag": "", "cashtag": "", "bot_command": "", "url": "", "email": "",
	"phone_number": "", "bold": "", "italic": "", "underline": "", "strikethrough": "",
	"spoiler": "", "blockquote": "", "expandable_blockquote": "", "code": "", "pre": "",
	"text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id", "date_time": "unix_time",
}

// checkEntity refuses an entity of an unknown type, or without the field
// its type needs.
func checkEntity(en tg.MessageEntity) *apiError {
	need, ok := entityTypes[en.Type]
	if !ok {
		return badRequest("can't parse entities: unsupported entity type %q", en.Type)
	}
	missing := false
	switch need {
	case "url":
		missing = en.URL == ""
	case "user":
		missing = en.User == nil || en.User.ID <= 0
	case "custom_emoji_id":
		missing = en.CustomEmojiID == ""
	case "unix_time":
		missing = en.UnixTime <= 0
	}
	if missing {
		return badRequest("can't parse entities: a %s entity needs %s", en.Type, need)
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// stripHTML removes tags and decodes the entities Telegram's HTML mode
// knows, keeping the visible text.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if j := strings.IndexByte(s[i:], '>'); j >= 0 {
				i += j
				continue
			}
		case '&':
			rest := s[i:]
			replaced := false
			for _, kv := range [][2]string{{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", `"`}} {
				if strings.HasPrefix(rest, kv[0]) {
					out.WriteString(kv[1])
					i += len(kv[0]) - 1
					replaced = true
					break
				}
			}
			if replaced {
				continue
			}
			if r, n := numericEntity(rest); n > 0 {
				out.WriteRune(r)
				i += n - 1
				continue
			}
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// numericEntity decodes a numerical HTML entity (&#39; or &#x27;) at the
// start of s, which Telegram's HTML mode supports for every character. n
// is the entity's length, 0 when s does not start with a valid one.
func numericEntity(s string) (r rune, n int) {
	body, ok := strings.CutPrefix(s, "&#")
	if !ok {
		return 0, 0
	}
	end := strings.IndexByte(body, ';')
	if end <= 0 || end > 10 {
		return 0, 0
	}
	digits, base := body[:end], 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, 0
	}
	return rune(v), len("&#") + end + 1
}

// markup is a parsed reply_markup.
type markup struct {
	raw    jsontext.Value
	inline *tg.InlineKeyboardMarkup // nil unless an inline keyboard
}

var inlineActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// parseMarkup reads and validates reply_markup. ok is false when absent.
func (c *call) parseMarkup() (mk markup, ok bool, aerr *apiError) {
	s := c.p.str("reply_markup")
	if s == "" {
		return markup{}, false, nil
	}
	mk, aerr = parseMarkupJSON([]byte(s))
	return mk, aerr == nil, aerr
}

func parseMarkupJSON(data []byte) (markup, *apiError) {
	var top map[string]jsontext.Value
	if err := json.Unmarshal(data, &top); err != nil {
		return markup{}, errReplyMarkupParse
	}
	mk := markup{raw: jsontext.Value(slices.Clone(data))}
	_ = mk.raw.Compact()
	switch {
	case top["inline_keyboard"] != nil:
		var rows [][]map[string]jsontext.Value
		if err := json.Unmarshal(top["inline_keyboard"], &rows); err != nil {
			return markup{}, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
		}
		total := 0
		for _, row := range rows {
			for _, btn := range row {
				total++
				if aerr := checkInlineButton(btn); aerr != nil {
					return markup{}, aerr
				}
			}
		}
		if total > 100 {
			return markup{}, badRequest("reply markup is too long")
		}
		var ik tg.InlineKeyboardMarkup
		if err := json.Unmarshal(data, &ik); err != nil {
			return markup{}, errReplyMarkupParse
		}
		if ik.InlineKeyboard == nil {
			ik.InlineKeyboard = [][]tg.InlineKeyboardButton{}
		}
		mk.inline = &ik
	case top["keyboard"] != nil:
		var rows [][]jsontext.Value
		if err := json.Unmarshal(top["keyboard"], &rows); err != nil {
			return markup{}, errReplyMarkupParse
		}
		for _, row := range rows {
			for _, btn := range row {
				var text string
				if btn.Kind() == '"' {
					_ = json.Unmarshal(btn, &text)
				} else {
					var kb struct {
						Text string `json:"text"`
					}
					if json.Unmarshal(btn, &kb) != nil {
						return markup{}, errReplyMarkupParse
					}
					text = kb.Text
				}
				if text == "" {
					return markup{}, badRequest("keyboard button text is empty")
				}
			}
		}
	case string(top["remove_keyboard"]) == "true", string(top["force_reply"]) == "true":
	default:
		return markup{}, errReplyMarkupParse
	}
	return mk, nil
}

// checkInlineButton checks that an inline button has a text and exactly
// one action, and valid callback_data.
func checkInlineButton(btn map[string]jsontext.Value) *apiError {
	var text string
	if json.Unmarshal(btn["text"], &text) != nil || text == "" {
		return badRequest("can't parse inline keyboard button: Text must be non-empty")
	}
	actions, emptySwitches := 0, 0
	for _, a := range inlineActions {
		switch {
		case !isInlineAction(a, btn[a]):
		case (a == "switch_inline_query" || a == "switch_inline_query_current_chat") && string(btn[a]) == `""`:
			emptySwitches++
		default:
			actions++
		}
	}
	// An empty switch query is a button of its own (it inserts just the
	// bot's username), but beside another action it is not counted:
	// telebot sends "switch_inline_query_current_chat":"" on every button.
	if actions == 0 {
		actions = emptySwitches
	}
	if actions == 0 {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if actions > 1 {
		return errButtonTypeInvalid
	}
	if raw := btn["callback_data"]; raw != nil {
		var d string
		if json.Unmarshal(raw, &d) != nil || len(d) < 1 || len(d) > 64 {
			return errButtonDataInvalid
		}
	}
	return nil
}

// isInlineAction reports whether the member a of an inline button asks
// for an action. Members that cannot be one are not counted, as Telegram
// does not count them: a null, "pay": false, and a copy_text without a
// text (go-telegram/bot sends "copy_text":{"text":""} on every button).
func isInlineAction(a string, raw jsontext.Value) bool {
	if raw == nil || string(raw) == "null" {
		return false
	}
	switch a {
	case "pay":
		return string(raw) != "false"
	case "copy_text":
		var ct struct {
			Text string `json:"text"`
		}
		return json.Unmarshal(raw, &ct) != nil || ct.Text != ""
	}
	return true
}

func intsParam(c *call, name string) ([]int64, *apiError) {
	var ids []int64
	if _, err := c.p.decode(name, &ids); err != nil {
		return nil, badRequest("can't parse %s JSON array", name)
	}
	if len(ids) < 1 || len(ids) > 100 {
		return nil, badRequest("too many or too few message identifiers: between 1 and 100 are allowed")
	}
	return ids, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
