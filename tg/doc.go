//go:generate go run ../internal/botapigen -spec ../../shared/botapi/api-10.2.json -out .

// Package tg is a client for the Telegram Bot API (version 10.2, the
// BotAPIVersion constant).
//
// The types, parameter structs and one method per Bot API method on
// *Client are generated into the *_gen.go files from the published API
// description; the rest of the package is the hand-written runtime they
// use: the Client and its Caller chain, the ChatID, InputFile and
// MessageOrBool unions, and typed errors.
//
// Every call, generated or made through Client.Call, runs through a chain
// of Middleware ending in an HTTP Caller, so rate limiting, retries,
// metrics, logging and test doubles are all Caller wrappers. Parameters
// are sent as JSON, or streamed as multipart/form-data when they contain
// an InputFile upload; the "result" of the answer is decoded directly into
// the method's result type.
//
// A failed call returns an *Error when Telegram answered (see IsCode,
// IsTooManyRequests, IsMigrated, IsForbidden) and a *NetworkError when it
// could not be reached; context cancellation is visible through errors.Is.
//
// The bot token is never exported and never appears in errors or in the
// output of fmt on a Client: it is removed from net/http's URLs and from
// any error text the package produces.
package tg
