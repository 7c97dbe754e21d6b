//go:generate go run ../internal/botapigen -spec ../../shared/botapi/api-10.2.json -out .

// Package tg is a client for the Telegram Bot API (version 10.2, the
// BotAPIVersion constant).
//
// # The client
//
// New makes a Client from the bot's token; each Bot API method is a
// method of *Client named after it (sendMessage is SendMessage) that
// takes a context and a <Method>Params struct and returns the typed
// result:
//
//	c, err := tg.New(os.Getenv("BOT_TOKEN")) // tg.WithBaseURL(url): the emulator or a local Bot API server
//	if err != nil {
//		return err
//	}
//	msg, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(chatID), Text: "Order #42 confirmed"})
//	if retry, ok := tg.IsTooManyRequests(err); ok {
//		// Telegram asks to wait retry before the next message
//	} else if err != nil {
//		return err
//	}
//	log.Printf("sent message %d", msg.MessageID)
//
// A failed call returns an *Error when Telegram answered (IsCode,
// IsTooManyRequests, IsMigrated, IsForbidden, IsUnauthorized and
// IsConflict test it) and a *NetworkError when it could not be reached;
// context cancellation is visible through errors.Is. Chats are given as
// ID(n) or Username("@name"), files as FileID, FileURL or FileUpload
// (streamed as multipart/form-data), keyboards as one of the ReplyMarkup
// types.
//
// Every call, generated or made through Client.Call, runs through a chain
// of Middleware (WithMiddleware) ending in an HTTP Caller, so rate
// limiting (package limit), retries, metrics, logging and test doubles
// are all Caller wrappers. A bare Client keeps no rate limit of its own;
// herald.New builds one that does. The "result" of each answer is decoded
// directly into the method's result type.
//
// The bot token is never exported and never appears in errors or in the
// output of fmt on a Client: it is removed from net/http's URLs and from
// any error text the package produces.
//
// # Generated code
//
// The types (Update, Message, …), the parameter structs and the methods
// of *Client are generated into the *_gen.go files from the published API
// description, with a link to each one's documentation on
// core.telegram.org; the rest of the package is the hand-written runtime
// they use: the Client and its Caller chain, the ChatID, InputFile and
// MessageOrBool unions, and the errors. Abstract types (ChatMember,
// MessageOrigin, …) are interfaces whose variants are pointers, so a type
// switch reads case *ChatMemberOwner.
package tg
