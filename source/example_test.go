package source_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// echoSink handles each update at once: it prints the text and acks,
// asking (in webhook inline mode) for an echo to be sent back.
type echoSink struct{ handled chan int64 }

func (s echoSink) Submit(_ context.Context, u *tg.Update, ack source.Ack) error {
	return s.TrySubmit(u, ack)
}

func (s echoSink) TrySubmit(u *tg.Update, ack source.Ack) error {
	fmt.Println("got:", u.Message.Text)
	ack(&source.Reply{Method: "sendMessage", Params: tg.SendMessageParams{
		ChatID: tg.ID(u.Message.Chat.ID), Text: "echo: " + u.Message.Text,
	}}, nil)
	s.handled <- u.UpdateID
	return nil
}

// Long polling against the Herald emulator: the offset moves past an
// update only once its Ack was called.
func ExamplePoller() {
	emu := emulator.New(emulator.Options{FirstUpdateID: 1}) // update ids from 1, for the output below
	defer emu.Close()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()

	const token = "123456:EXAMPLE-token"
	c, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, text := range []string{"hello", "world"} {
		_, _ = emu.SendMessage(context.Background(), emulator.UserMessage{
			Token: token, From: tg.User{ID: 7, FirstName: "Ann"}, Text: text,
		})
	}

	p := source.NewPoller(c, source.PollerConfig{Logger: slog.New(slog.DiscardHandler)})
	sink := echoSink{handled: make(chan int64, 2)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, sink) }()
	<-sink.handled
	<-sink.handled
	cancel() // Run confirms the offset, then returns
	fmt.Println("run:", <-done, "next offset:", p.Offset())
	// Output:
	// got: hello
	// got: world
	// run: <nil> next offset: 3
}

// A webhook in inline mode answers Telegram after the handler acked, with
// the handler's Reply as the body.
func ExampleWebhook() {
	hook := source.NewWebhook(echoSink{handled: make(chan int64, 1)}, source.WebhookConfig{
		SecretToken: "my-secret",
		Logger:      slog.New(slog.DiscardHandler),
	})
	// In a program: source.Serve(ctx, ":8443", hook, &source.TLSFiles{...}),
	// or mux.Handle("/telegram", hook). Here Telegram's POST is simulated.
	req := httptest.NewRequest("POST", "/telegram", strings.NewReader(
		`{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":42,"type":"private"},"text":"hi"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(source.SecretHeader, "my-secret")
	w := httptest.NewRecorder()
	hook.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// got: hi
	// 200 {"method":"sendMessage","chat_id":42,"text":"echo: hi"}
}
