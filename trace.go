package herald

import (
	"context"
	"errors"
	"math/bits"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// tracerName names Herald's tracer (the instrumentation scope).
const tracerName = "github.com/heraldbot/herald"

// Span attributes Herald sets.
const (
	AttrUpdateID = attribute.Key("herald.update_id") // the update's id
	AttrKind     = attribute.Key("herald.kind")      // the update's kind
	AttrChatID   = attribute.Key("herald.chat_id")   // the update's chat, when it has one
	AttrHandler  = attribute.Key("herald.handler")   // Context.Route of the handler that took it
	AttrMethod   = attribute.Key("telegram.method")  // a Bot API call's method
	AttrAPICode  = attribute.Key("telegram.error_code")
)

// WithTracerProvider turns OpenTelemetry traces on: every update gets a
// span (its id, kind, chat and handler as attributes), with child spans
// for the chat lock, each conversation-state read and write, and each Bot
// API call but getUpdates (a call's span covers the limiter's wait and
// the retries). With a
// journal the trace continues from the receiver, which records a span as
// it appends the update, to the worker that handles it, across processes
// (W3C trace context in the entry's Meta). A nil tp means the global
// provider (otel.GetTracerProvider). Without this option nothing is
// traced and an update pays one nil check. Package tracing builds a
// provider from the standard OTEL_* environment variables.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(b *Bot) error {
		if tp == nil {
			tp = otel.GetTracerProvider()
		}
		b.tracer = tp.Tracer(tracerName)
		for i, name := range kindNames {
			b.updateSpans[i] = "herald.update " + name
		}
		return nil
	}
}

// traceContext is the propagation format of spans across the journal.
var traceContext propagation.TraceContext

// startUpdate starts the span of update u. Its attributes are built
// only when the span records (not for a no-op tracer).
func (b *Bot) startUpdate(ctx context.Context, u *tg.Update) (context.Context, trace.Span) {
	kind := KindOf(u)
	ctx, span := b.tracer.Start(ctx, b.updateSpans[bits.TrailingZeros32(uint32(kind))], trace.WithSpanKind(trace.SpanKindConsumer))
	if span.IsRecording() {
		if chat := updateChat(u, kind); chat != nil {
			span.SetAttributes(AttrUpdateID.Int64(u.UpdateID), AttrKind.String(kind.String()), AttrChatID.Int64(chat.ID))
		} else {
			span.SetAttributes(AttrUpdateID.Int64(u.UpdateID), AttrKind.String(kind.String()))
		}
	}
	return ctx, span
}

// endUpdate ends the span of an update handled by handler with err.
func endUpdate(span trace.Span, handler string, err error) {
	if handler != "" && span.IsRecording() {
		span.SetAttributes(AttrHandler.String(handler))
	}
	endSpan(span, err)
}

// endSpan records err, if any, and ends span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// tracedCalls is a tg.Middleware giving each Bot API call a span. It is
// the outermost middleware, so the span covers the limiter's wait and the
// retries.
func (b *Bot) tracedCalls(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		if method == "getUpdates" {
			// A long poll is not part of an update's work; traced, it
			// would add a trace of its own every few seconds.
			return next.Call(ctx, method, params, result)
		}
		ctx, span := b.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(AttrMethod.String(method)))
		err := next.Call(ctx, method, params, result)
		var apiErr *tg.Error
		if errors.As(err, &apiErr) {
			span.SetAttributes(AttrAPICode.Int(apiErr.Code))
			if apiErr.Code == http.StatusTooManyRequests {
				span.SetAttributes(attribute.Int64("telegram.retry_after_ms", apiErr.RetryAfter.Milliseconds()))
			}
		}
		endSpan(span, err)
		return err
	})
}

// tracedState gives each conversation-state operation a span.
type tracedState struct {
	backend.State
	tracer trace.Tracer
}

func (s tracedState) Get(ctx context.Context, key backend.Key) (backend.Record, error) {
	ctx, span := s.tracer.Start(ctx, "herald.fsm.get")
	rec, err := s.State.Get(ctx, key)
	if err == nil {
		span.SetAttributes(attribute.String("herald.fsm.state", rec.State), attribute.Int64("herald.fsm.version", rec.Version))
	}
	endSpan(span, err)
	return rec, err
}

func (s tracedState) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	ctx, span := s.tracer.Start(ctx, "herald.fsm.set", trace.WithAttributes(
		attribute.String("herald.fsm.state", rec.State), attribute.Int64("herald.fsm.version", expect)))
	v, err := s.State.CompareAndSet(ctx, key, expect, rec, ttl)
	if errors.Is(err, backend.ErrConflict) {
		// A lost race, retried by package fsm: not a failure.
		span.SetAttributes(attribute.Bool("herald.fsm.conflict", true))
		err = nil
	}
	endSpan(span, err)
	return v, err
}

func (s tracedState) Delete(ctx context.Context, key backend.Key) error {
	ctx, span := s.tracer.Start(ctx, "herald.fsm.delete")
	err := s.State.Delete(ctx, key)
	endSpan(span, err)
	return err
}

// traceReceived wraps a journal receiver's Inject: each appended update
// gets a short span, whose context travels in the entry's Meta.
func (b *Bot) traceReceived(inject func(context.Context, *tg.Update, map[string]string)) func(context.Context, *tg.Update, map[string]string) {
	return func(ctx context.Context, u *tg.Update, meta map[string]string) {
		ctx, span := b.tracer.Start(ctx, "herald.receive", trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(AttrUpdateID.Int64(u.UpdateID)))
		traceContext.Inject(ctx, propagation.MapCarrier(meta))
		if inject != nil {
			inject(ctx, u, meta)
		}
		span.End()
	}
}

// traceExtracted wraps a journal worker's Extract: the handler's context
// continues the trace the receiver started.
func traceExtracted(extract func(context.Context, map[string]string) context.Context) func(context.Context, map[string]string) context.Context {
	return func(ctx context.Context, meta map[string]string) context.Context {
		ctx = traceContext.Extract(ctx, propagation.MapCarrier(meta))
		if extract != nil {
			ctx = extract(ctx, meta)
		}
		return ctx
	}
}

// lockSpan starts the span of taking a chat lock.
func (b *Bot) lockSpan(ctx context.Context, key int64) (context.Context, trace.Span) {
	return b.tracer.Start(ctx, "herald.lock", trace.WithAttributes(attribute.String("herald.lock", "chat:"+strconv.FormatInt(key, 10))))
}
