// Package source receives Telegram updates, by long polling (Poller) or
// by webhook (Webhook, an http.Handler), and hands them to a Sink, which
// in Herald is the scheduler. It decides nothing about handler order.
//
// # Delivery: at-least-once
//
// Every update comes with an Ack that the sink calls exactly once, when
// the update has been handled (or failed and the failure was reported).
// A source confirms an update to Telegram only after its Ack, so an
// update whose handler had not finished when the process stopped is
// delivered again, never lost. Duplicates are possible (after a crash or
// an inline timeout) and are removed by update_id dedup where Herald has
// a dedup store.
//
// # Long polling: the low-water-mark offset
//
// getUpdates confirms every update below the offset it is sent, so the
// Poller sends the oldest update not yet acked (or one past the highest
// submitted when all are acked). Updates that Telegram returns again
// because the offset could not pass them are not submitted twice: the
// Poller remembers the highest update_id it submitted. A batch is
// submitted in update_id order; Sink.Submit blocking (a full scheduler)
// holds polling back. When Run's context is done, Run confirms the offset
// as far as acks allow with one getUpdates (limit 1, timeout 0) and
// returns; Commit repeats that after the sink drained.
//
// A sink that stores updates durably (an update journal, see package
// journal) implements BatchSink: the Poller then hands it each batch with
// one SubmitBatch call and confirms the whole batch as soon as the call
// returned, so every update is fetched once and none of the trade-offs
// below apply.
//
// The trade-offs of the low-water mark:
//
//   - While any update is in flight, getUpdates returns at once with the
//     in-flight updates instead of long-polling. To avoid a busy loop, a
//     poll that brings nothing new waits until an ack moves the offset, or
//     PollerConfig.RecheckInterval (500 ms) passes. So while a handler is
//     slow and no ack moves the offset, a new update can wait up to that
//     long to be fetched, and the in-flight updates are fetched again at
//     most twice a second.
//   - Each getUpdates returns again the updates still held above the
//     offset. So that polling does not fetch the same updates over and
//     over while handlers run, a poll whose answer repeated some waits,
//     up to PollerConfig.RefetchWait (20 ms), until the offset moved and
//     at most half a batch is held; the repeated updates are not decoded,
//     only their update_id is read. Under load each update is fetched
//     two to four times instead of once per ack that moved the offset
//     (40–50 times in TestPollerRefetchesLittle).
//   - Telegram returns at most Limit (100) updates from the offset. An
//     update whose handler never finishes therefore caps how far polling
//     can see: once the Limit updates starting at it have been fetched,
//     nothing newer is until it is acked (the Poller logs a warning).
//     Bound handlers with a timeout that still acks, so that a stuck
//     handler cannot stall other chats beyond that window.
//
// Errors back off from PollerConfig.MinBackoff (1 s) to MaxBackoff (30 s)
// with jitter; a 429 waits its retry_after; a 409 Conflict (another
// process polls with the same token, or a webhook is set) is explained in
// the log and retried; a rejected token (401, 404) ends Run with an error.
//
// # Webhooks
//
// Webhook checks the method (POST, else 405), the secret token in
// constant time (else 401, nothing processed), the content type
// (application/json, else 415), the size (1 MiB, else 413) and the JSON
// (else 400). Two modes:
//
//   - Inline (default, at-least-once): the answer waits for the Ack, and
//     carries the Ack's Reply, if any, as {"method": ..., params...}, which
//     Telegram executes. If the Ack does not come within InlineTimeout
//     (25 s) the webhook answers 503, so Telegram delivers the update again
//     rather than have it confirmed unhandled; a slow handler may then see
//     it twice. When the sender gives up first (request context done), the
//     handler returns at once with a 503 (never the implicit 200, which a
//     sender still waiting behind a deadline middleware would take as a
//     confirmation); the late Ack is harmless.
//   - Background (at-most-once): the answer is 200 as soon as the sink
//     accepted the update; an update is lost if the process stops before
//     its handler ran. Replies are dropped.
//
// When the sink is full the request waits up to SubmitTimeout (1 s) for
// room, which also slows Telegram down since each waiting request holds
// one of its max_connections, then answers 503 with Retry-After
// (RetryAfter, 1 s); Telegram delivers the update again later.
//
// WebhookServer (and Serve) runs an http.Server with timeouts suited to
// Telegram, optional TLS, and graceful shutdown. SetWebhook, WebhookInfo
// and DeleteWebhook are thin helpers around the Bot API methods of the
// same names, for start-up and for operators' commands.
//
// # Logs
//
// Everything is logged with log/slog (PollerConfig.Logger,
// WebhookConfig.Logger, default slog.Default()). Logs never contain the
// bot token, URLs, secrets or update bodies.
package source
