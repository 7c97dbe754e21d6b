// Package format builds formatted Telegram messages.
//
// Two ways to format text exist in the Bot API: a parse_mode (HTML or
// MarkdownV2) with markup in the text, or plain text plus a list of
// tg.MessageEntity. This package supports both:
//
//   - EscapeHTML, EscapeMarkdownV2, EscapeMarkdownV2Code and
//     EscapeMarkdownV2URL escape user-provided text for a parse_mode,
//     following Telegram's rules for each place (text, code and pre
//     blocks, link URLs).
//   - Build (or a Builder) turns Parts (Text, Bold, Italic, Code, Pre,
//     Link, Mention, CustomEmoji, Blockquote, …, nested as Telegram
//     allows) into a Message: the text and its entities, with offsets and
//     lengths counted in UTF-16 code units as Telegram counts them. No
//     escaping is needed: the text is sent as is.
//   - Message.Split cuts a message longer than Telegram's 4096-unit limit
//     into messages that fit, keeping every entity.
//
// # Splitting
//
// Split cuts at the last line break of the window, else at the last
// space, else at the limit; never inside a surrogate pair (an emoji
// outside the Basic Multilingual Plane is two units) and never inside an
// entity whose text is its meaning (custom_emoji, and the entity types
// Telegram detects itself: mention, hashtag, cashtag, bot_command, url,
// email, phone_number, date_time), the cut moves before such an entity. A
// formatting entity that crosses the cut (bold, a text link, a pre block,
// a blockquote, …) is split in two: the part before the cut ends the first
// message and the rest starts the next, with the same type, URL, user,
// language or emoji id. The chunks' texts joined give the original text.
package format
