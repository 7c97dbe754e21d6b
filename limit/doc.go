// Package limit keeps a bot's outbound Bot API calls within Telegram's
// rate limits, for one process or (with a shared store, such as the SQLite
// or Redis engine's) for several, and retries calls that
// failed on the way without sending a message twice.
//
// A Limiter is a tg.Middleware: every counted call first takes one message
// (or one per item) from three GCRA buckets at once — the bot's global
// budget (25/s evenly spaced by default), its chat's (one every 1.1 s,
// bursts of 2) and, for groups, supergroups and channels, the group's
// (18/min) — all or nothing. The defaults are Telegram's limits less a
// safety margin (docs/LIMITS.md). If any of them is short, nothing is
// taken and the call waits for the longest of their waits, then tries
// again; the wait ends early when the caller's context does. A call whose
// own chat is busy waits on its own, outside the queue for the global
// budget, so one busy chat never delays another chat's messages. Callers
// of one Limiter queue for the global budget by priority (WithPriority:
// Interactive, the default, before Bulk), then by arrival.
//
// A 429 answer to a call that names a chat (chat_id) pauses the calls into
// that chat — in every process sharing the Store — for its retry_after;
// only a 429 to a call without a chat (an inline edit, a getter) pauses
// every counted call of the bot. Then the refused call is repeated (up to
// Config.MaxRetries times). Calls with allow_paid_broadcast use a budget
// of 1000/s instead of the global one when Config.PaidBroadcast is set.
//
// herald.New installs a Limiter and Retry by default (herald.WithLimits,
// WithoutLimiter, WithRetry, WithoutRetry change that). On a bare
// tg.Client, put Retry first, so that every repeated attempt passes
// through the Limiter and is counted again:
//
//	lim := limit.New(limit.Config{})
//	bot, err := tg.New(token, tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), lim.Middleware()))
//
// # Which calls count
//
// The chat is the chat_id of the parameters: tg.TargetOf, generated from
// the Bot API spec, reads it from the generated parameter structs without
// reflection; parameters of other shapes (a map, a struct of the caller's
// own) are read from their JSON encoding. A negative id or an @username is
// a group; usernames are compared without case, and a chat named both by
// id and by @username has two sets of buckets. The methods that count are
// those that send or change messages in a chat, as tg.MessageMethods
// derives them from the spec; DefaultMethods returns the table;
// Config.Methods replaces it.
//
//	method                                              counts
//	sendMessage, sendPhoto, sendLivePhoto, sendAudio,   once
//	sendDocument, sendVideo, sendAnimation, sendVoice,
//	sendVideoNote, sendPaidMedia, sendLocation,
//	sendVenue, sendContact, sendPoll, sendChecklist,
//	sendDice, sendSticker, sendInvoice, sendGame,
//	sendRichMessage, forwardMessage, copyMessage
//	sendMediaGroup                                      once per medium
//	forwardMessages, copyMessages                       once per message id
//	editMessageText, editMessageCaption,                once (inline messages,
//	editMessageMedia, editMessageLiveLocation,          which have no chat,
//	stopMessageLiveLocation, editMessageChecklist,      against the global
//	editMessageReplyMarkup, stopPoll                    budget only)
//	editEphemeralMessageText, …Caption, …Media,         once
//	…ReplyMarkup
//	everything else: getUpdates, get…, answer…,         not counted, never waits
//	sendChatAction, sendMessageDraft, delete…, set…,
//	pin…, chat administration
//
// A cost above a bucket's burst (an album of 10 into a chat with a burst
// of 2) is let through when that bucket is idle, and then holds it for its
// whole cost.
//
// # Retries
//
// Retry is a separate middleware, placed before the Limiter's (outside
// it), so that a repeated attempt waits for its turn again. It repeats
// 5xx answers and network errors with exponential back-off and jitter,
// within RetryConfig.MaxAttempts and MaxElapsed, as far as that is safe:
//
//	failure                                         repeated for
//	connection could not be opened (refused, DNS)   every method: the request never left
//	5xx answer; reset, EOF or timeout after sending idempotent methods only (IsIdempotent:
//	                                                get…, set…, deleteWebhook, deleteMyCommands):
//	                                                a send may already have been delivered
//	429                                             no: the Limiter pauses and repeats it
//	4xx, context ended, bad arguments               no
//	upload from a reader that is not an io.Seeker   no: the first attempt consumed it
//
// # Stores
//
// The buckets and pauses live in a backend.LimitStore (Config.Store). The
// default, memory.NewLimitStore of package backend/memory, keeps those of
// one process; those of idle chats are forgotten. Every engine has one
// per bot (backend.Backend.Limits): herald.WithBackend hands the bot its
// engine's. A store shared by several processes decides each Take
// atomically on one clock: backend/sqlite in one write transaction on the
// machine's clock, backend/redis in one Lua script on the Redis server's.
// Priorities order the callers of one Limiter; between processes, callers
// compete on equal terms.
package limit
