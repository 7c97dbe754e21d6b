package middleware

import (
	"log/slog"
	"time"

	"github.com/heraldbot/herald"
)

// Logging logs one line per update after it was handled: id, kind, chat,
// user, duration and error, at Info level on success and Warn on error
// (never the message's text), and the handler that took it (Context.Route).
// A nil logger means the bot's logger, whose lines also carry the trace
// (herald.LogHandler).
func Logging(l *slog.Logger) herald.Handler {
	return func(c *herald.Context) error {
		start := time.Now()
		err := c.Next()
		log := l
		if log == nil {
			log = c.Bot().Logger()
		}
		level := slog.LevelInfo
		if err != nil {
			level = slog.LevelWarn
		}
		if !log.Enabled(c, level) {
			return err
		}
		attrs := append(make([]slog.Attr, 0, 7), // room for all: one allocation
			slog.Int64("update_id", c.Update.UpdateID),
			slog.String("kind", c.Kind().String()),
			slog.Duration("took", time.Since(start)),
		)
		if chat := c.Chat(); chat != nil {
			attrs = append(attrs, slog.Int64("chat_id", chat.ID))
		}
		if u := c.Sender(); u != nil {
			attrs = append(attrs, slog.Int64("user_id", u.ID))
		}
		if r := c.Route(); r != "" {
			attrs = append(attrs, slog.String("handler", r))
		}
		if err != nil {
			attrs = append(attrs, slog.Any("err", err))
		}
		log.LogAttrs(c, level, "update", attrs...)
		return err
	}
}
