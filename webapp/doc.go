// Package webapp validates the initData a Telegram Mini App (Web App)
// receives, so that its backend can trust who is calling.
//
// The Mini App's page reads Telegram.WebApp.initData (a URL query string)
// and sends it to the backend, often in an "Authorization: tma <initData>"
// header. Two signatures protect it:
//
//   - hash, an HMAC-SHA-256 keyed with a secret derived from the bot's
//     token: NewValidator(token).Validate checks it. Only the bot's owner
//     can check it. The token is not kept: the validator holds only the
//     derived secret.
//   - signature, an Ed25519 signature by Telegram over the bot's id and
//     the data: ValidateThirdParty checks it with Telegram's public key
//     (ProductionKey, or TestKey for the test environment), so a third
//     party that knows only the bot id can trust the data too.
//
// Both check auth_date against a maximum age (DefaultMaxAge unless set)
// and return a typed InitData. Every failure wraps one of ErrMalformed,
// ErrMissing, ErrSignature and ErrExpired, for errors.Is; no error
// contains the token, the secret or the received hash.
//
// See https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
// and https://core.telegram.org/bots/webapps#webappinitdata.
package webapp
