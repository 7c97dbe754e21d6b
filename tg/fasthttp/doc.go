// Package fasthttp is an optional HTTP transport for package tg, built on
// github.com/valyala/fasthttp. Plug it in with
//
//	tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{}))
//
// (or herald.WithClientOptions with the same option). Each Bot API call
// then runs on the calling goroutine over a pooled keep-alive connection,
// without net/http's two goroutines per connection and the hand-offs
// between them: in Herald's echo benchmark that is about a fifth less CPU
// per call (docs/BENCHMARKS.md).
//
// The trade-offs, which are why it is not the default:
//
//   - HTTP/1.1 only; no HTTP/2.
//   - No proxy from HTTP_PROXY/HTTPS_PROXY: set Config.Dial to reach
//     Telegram through a proxy.
//   - fasthttp cannot abandon a request when its context ends. Calls run
//     until the context's deadline (or Config.Timeout when it has none);
//     only getUpdates, which long-polls, runs on a helper goroutine so
//     that cancelling its context returns at once.
//   - Redirects are never followed (the Bot API never redirects), as with
//     tg's default client.
package fasthttp
