package herald

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// updateCtxKey is the context key under which a Context finds itself: a
// log line written with any context derived from a handler's Context
// names the update.
type updateCtxKey struct{}

// Value returns c itself for Herald's own key, else the value of the
// wrapped context.
func (c *Context) Value(key any) any {
	if _, ok := key.(updateCtxKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// LogHandler wraps h so that every line logged with an update's context
// (the handler's Context, or a context derived from it) carries the
// update's update_id and chat_id, and the trace_id and span_id of the
// span in the context (WithTracerProvider), unless the line has them
// already. The bot's own logger (Bot.Logger) is wrapped already; wrap
// loggers of your own with it.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(updateLogHandler); ok {
		return h
	}
	return updateLogHandler{h}
}

// updateLogHandler adds to every log line written with an update's
// context (the handler's Context, or one derived from it) the update's
// update_id and chat_id, and the trace_id and span_id of the span in the
// context, when the line does not carry them already. The bot's logger
// (Bot.Logger) goes through it.
type updateLogHandler struct{ h slog.Handler }

func (l updateLogHandler) Enabled(ctx context.Context, lv slog.Level) bool {
	return l.h.Enabled(ctx, lv)
}

func (l updateLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		return l.h.Handle(ctx, r)
	}
	c, _ := ctx.Value(updateCtxKey{}).(*Context)
	sc := trace.SpanContextFromContext(ctx)
	if c == nil && !sc.IsValid() {
		return l.h.Handle(ctx, r)
	}
	var has struct{ update, chat, trace bool }
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "update_id":
			has.update = true
		case "chat_id":
			has.chat = true
		case "trace_id":
			has.trace = true
		}
		return true
	})
	r = r.Clone()
	if c != nil && c.Update != nil {
		if !has.update {
			r.AddAttrs(slog.Int64("update_id", c.Update.UpdateID))
		}
		if chat := updateChat(c.Update, c.kind); chat != nil && !has.chat {
			r.AddAttrs(slog.Int64("chat_id", chat.ID))
		}
	}
	if sc.IsValid() && !has.trace {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return l.h.Handle(ctx, r)
}

func (l updateLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return updateLogHandler{l.h.WithAttrs(attrs)}
}

func (l updateLogHandler) WithGroup(name string) slog.Handler {
	return updateLogHandler{l.h.WithGroup(name)}
}
