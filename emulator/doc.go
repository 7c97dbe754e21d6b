// Package emulator is a stateful fake Telegram Bot API server for tests,
// demos and benchmarks: Telegram without Telegram.
//
// An Emulator keeps a small in-memory world per bot (users, private
// chats, groups, supergroups with forum topics, channels, messages,
// files, callback queries, commands) and answers the Bot API over HTTP
// at /bot<token>/<method> with Telegram's envelopes, status codes and
// error descriptions. Its request handling is its own: it validates
// every request against the Bot API spec (required parameters and their
// types, from tg.Methods) whatever the encoding (query string, form,
// JSON or multipart), so it catches client bugs that a mock would not.
//
// It enforces Telegram's rate limits by default (see Limits), delivers
// updates by getUpdates long polling or by webhook with retries, and is
// driven by a control API: SendMessage and PressButton play the users,
// SendInlineQuery and ChooseInlineResult their inline mode, PayInvoice
// their payments in Telegram Stars; Transcript, Subscribe, InlineAnswer,
// Payment and Stats observe. ModelledMethods lists the Bot API methods it
// models. The same operations are served
// over HTTP under /control/ (see docs/EMULATOR.md), including a
// Server-Sent Events stream of transcript changes.
//
// Time is the wall clock's. Run in a testing/synctest bubble and reached
// through emutest.NewInProcess (a socket would not block durably), the
// emulator's limits, callback- and inline-query expiry, the pre-checkout
// deadline, long-poll timeouts and webhook retries run on the bubble's
// fake clock: exact, and no test waits for
// them:
//
//	synctest.Test(t, func(t *testing.T) {
//		emu := emulator.New(emulator.Options{})
//		in := emutest.NewInProcess(emu.Handler())
//		t.Cleanup(func() { _ = in.Close(); _ = emu.Close() })
//		bot, _ := tg.New(token, tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(in.Client()))
//		// … send 4 messages to one chat: the 4th gets 429 retry after 1 …
//		time.Sleep(time.Second) // the bubble's second
//	})
//
// Methods that the emulator does not model answer 400 with a description
// saying so. Webhooks are delivered only to loopback addresses, and
// remote file URLs are refused: the emulator never uses the network.
package emulator
