// Package deeplink makes and reads t.me links that start a bot: in a
// private chat (?start=), added to a group (?startgroup=) or a channel
// (?startchannel), or opening its Mini App (?startapp=).
//
// A start payload may hold only A–Z, a–z, 0–9, _ and - and at most 64
// characters (512 for startapp); Check tells whether a payload fits.
// Encode turns arbitrary bytes (up to 48) into such a payload with
// unpadded base64url, and Decode reverses it. When the user opens a start
// link Telegram sends the bot "/start <payload>"; Payload extracts it.
//
// See https://core.telegram.org/bots/features#deep-linking and
// https://core.telegram.org/api/links#bot-links for the link forms.
package deeplink
