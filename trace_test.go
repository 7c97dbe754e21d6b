package herald_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// logLines returns the JSON log lines written to b so far.
func logLines(t *testing.T, b *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(b.tail(1<<20)), "\n") {
		if l == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// spanNamed returns the ended spans called name.
func spanNamed(spans tracetest.SpanStubs, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// attr returns the value of attribute key of s, as a string ("" if none).
func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

// TestTraceOfAnUpdate: with a tracer provider, a /start handled through
// the SQLite journal makes one trace: the receiver's span, then the
// update's (its id, kind, chat and handler as attributes), then the chat
// lock, the state write and the sendMessage as its children; a log line
// the handler writes carries the update, the chat and the trace.
func TestTraceOfAnUpdate(t *testing.T) {
	w := newWorld(t)
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "bot.db"), sqlite.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	var logs syncBuffer
	const token = "7401:trace"
	b := w.newBot(t, token, herald.WithBackend(store), herald.WithTracerProvider(tp),
		herald.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	b.Router().Command("start", func(c *herald.Context) error {
		if err := c.FSM().SetState(c, "started"); err != nil {
			return err
		}
		c.Bot().Logger().InfoContext(c, "greeting")
		_, err := c.Reply("hi")
		return err
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()

	sent, err := w.Emu.SendMessage(t.Context(), emulator.UserMessage{Token: token, From: tg.User{ID: 42, FirstName: "Ann"}, Text: "/start"})
	if err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 10*time.Second, "the update's span to end", func() bool {
		return len(spanNamed(exp.GetSpans(), "herald.update message")) == 1
	})
	spans := exp.GetSpans()
	recv, upd := spanNamed(spans, "herald.receive"), spanNamed(spans, "herald.update message")[0]
	if len(recv) != 1 {
		t.Fatalf("%d herald.receive spans, want 1", len(recv))
	}
	trace := upd.SpanContext.TraceID()
	if recv[0].SpanContext.TraceID() != trace || upd.Parent.SpanID() != recv[0].SpanContext.SpanID() {
		t.Errorf("the update's span (trace %s, parent %s) does not continue the receiver's (trace %s, span %s)",
			trace, upd.Parent.SpanID(), recv[0].SpanContext.TraceID(), recv[0].SpanContext.SpanID())
	}
	want := map[string]string{"herald.update_id": fmt.Sprint(sent.UpdateID), "herald.kind": "message", "herald.chat_id": "42", "herald.handler": "root//start"}
	for k, v := range want {
		if got := attr(upd, k); got != v {
			t.Errorf("update span attribute %s = %q, want %q", k, got, v)
		}
	}
	for _, name := range []string{"herald.lock", "herald.fsm.set", "sendMessage"} {
		s := spanNamed(spans, name)
		if len(s) != 1 {
			t.Errorf("%d %s spans, want 1", len(s), name)
			continue
		}
		if s[0].SpanContext.TraceID() != trace || s[0].Parent.SpanID() != upd.SpanContext.SpanID() {
			t.Errorf("span %s is not a child of the update's span", name)
		}
	}
	if n := len(spanNamed(spans, "getUpdates")); n != 0 {
		t.Errorf("%d getUpdates spans: long polls should not be traced", n)
	}
	var greeting map[string]any
	for _, l := range logLines(t, &logs) {
		if l["msg"] == "greeting" {
			greeting = l
		}
	}
	switch {
	case greeting == nil:
		t.Fatal("the handler's log line is missing")
	case greeting["update_id"] != float64(sent.UpdateID) || fmt.Sprint(greeting["chat_id"]) != "42" || greeting["trace_id"] != trace.String():
		t.Errorf("log line %v: want update_id %d, chat_id 42, trace_id %s", greeting, sent.UpdateID, trace)
	}
}

// TestTraceWithoutJournal: without a journal the update's span is the
// root of its trace, and a failing handler's error is recorded on it.
func TestTraceWithoutJournal(t *testing.T) {
	w := newWorld(t)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	const token = "7402:trace"
	b := w.newBot(t, token, herald.WithTracerProvider(tp), herald.WithErrorReply("oops"))
	b.Router().Message(func(c *herald.Context) error { return fmt.Errorf("broken on purpose") })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if _, err := w.Emu.SendMessage(t.Context(), emulator.UserMessage{Token: token, From: tg.User{ID: 43, FirstName: "Bo"}, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 10*time.Second, "the update's span to end", func() bool {
		return len(spanNamed(exp.GetSpans(), "herald.update message")) == 1
	})
	spans := exp.GetSpans()
	upd := spanNamed(spans, "herald.update message")[0]
	if upd.Parent.IsValid() {
		t.Errorf("the update's span has a parent %s, want a root span", upd.Parent.SpanID())
	}
	if upd.Status.Code.String() != "Error" || !strings.Contains(upd.Status.Description, "broken on purpose") {
		t.Errorf("update span status = %v %q, want the handler's error", upd.Status.Code, upd.Status.Description)
	}
	if !strings.HasSuffix(attr(upd, "herald.handler"), "TestTraceWithoutJournal.func1") {
		t.Errorf("herald.handler = %q, want the handler function's name", attr(upd, "herald.handler"))
	}
	// The error reply is a Bot API call of the update too.
	if s := spanNamed(spans, "sendMessage"); len(s) != 1 || s[0].Parent.SpanID() != upd.SpanContext.SpanID() {
		t.Errorf("want one sendMessage span under the update's, got %d", len(s))
	}
}

// spanLine is one span as a bot process writes it (fileExporter).
type spanLine struct {
	Process string            `json:"process"`
	Name    string            `json:"name"`
	Trace   string            `json:"trace"`
	Span    string            `json:"span"`
	Parent  string            `json:"parent"`
	Attrs   map[string]string `json:"attrs"`
}

// fileExporter writes each ended span as a JSON line to a file, at once,
// so that a process killed or stopped leaves every span it ended.
type fileExporter struct {
	mu      sync.Mutex
	f       *os.File
	process string
}

func (e *fileExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range spans {
		l := spanLine{Process: e.process, Name: s.Name(), Trace: s.SpanContext().TraceID().String(),
			Span: s.SpanContext().SpanID().String(), Attrs: map[string]string{}}
		if s.Parent().IsValid() {
			l.Parent = s.Parent().SpanID().String()
		}
		for _, a := range s.Attributes() {
			l.Attrs[string(a.Key)] = a.Value.Emit()
		}
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		if _, err := e.f.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func (e *fileExporter) Shutdown(context.Context) error { return e.f.Close() }

// fileTracer returns a tracer provider writing spans to path.
func fileTracer(t *testing.T, path, process string) *sdktrace.TracerProvider {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(&fileExporter{f: f, process: process}))
}

// readSpans reads the span lines the processes wrote to path.
func readSpans(t *testing.T, path string) []spanLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []spanLine
	for l := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var s spanLine
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("span line %q: %v", l, err)
		}
		out = append(out, s)
	}
	return out
}

// TestTraceAcrossProcesses: a receiver process appends updates to the
// SQLite journal and a worker process handles them; each update's trace
// starts in the receiver and continues in the worker, through the
// journal entry's Meta, down to the sendMessage.
func TestTraceAcrossProcesses(t *testing.T) {
	r := newJournalRun(t, "7403:trace")
	spans := filepath.Join(t.TempDir(), "spans.jsonl")
	recv := r.start("g1", herald.EnvRole+"="+string(herald.RoleReceiver), envJournalTrace+"="+spans)
	work := r.start("g2", herald.EnvRole+"="+string(herald.RoleWorker), envJournalTrace+"="+spans)
	msgs := r.w.queueMessages(t, r.token, 500, 2, 3)
	emutest.Until(t, 60*time.Second, "every message answered", func() bool {
		n := 0
		for chat := range msgs {
			n += len(r.w.botTexts(t, r.token, chat))
		}
		return n >= 6
	})
	recv.stop(15 * time.Second)
	work.stop(15 * time.Second)
	var receives, updates, sends []spanLine
	for _, s := range readSpans(t, spans) {
		switch {
		case s.Name == "herald.receive":
			receives = append(receives, s)
		case s.Name == "herald.update message":
			updates = append(updates, s)
		case s.Name == "sendMessage":
			sends = append(sends, s)
		}
	}
	byID := map[string]spanLine{}
	for _, s := range receives {
		if s.Process != "g1" {
			t.Errorf("a herald.receive span from process %s, want the receiver g1", s.Process)
		}
		byID[s.Span] = s
	}
	if len(updates) != 6 || len(sends) != 6 {
		t.Fatalf("%d update spans and %d sendMessage spans, want 6 of each", len(updates), len(sends))
	}
	for _, u := range updates {
		parent, ok := byID[u.Parent]
		switch {
		case u.Process != "g2":
			t.Errorf("update span in process %s, want the worker g2", u.Process)
		case !ok || parent.Trace != u.Trace:
			t.Errorf("update %s: its span's parent %s is not a receiver span of its trace", u.Attrs["herald.update_id"], u.Parent)
		case parent.Attrs["herald.update_id"] != u.Attrs["herald.update_id"]:
			t.Errorf("update %s continues the receive span of update %s", u.Attrs["herald.update_id"], parent.Attrs["herald.update_id"])
		}
	}
	children := map[string]int{}
	for _, s := range sends {
		children[s.Parent]++
	}
	for _, u := range updates {
		if children[u.Span] != 1 {
			t.Errorf("update %s: %d sendMessage spans under it, want 1", u.Attrs["herald.update_id"], children[u.Span])
		}
	}
}
