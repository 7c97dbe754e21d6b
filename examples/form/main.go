// Command form is one form and nothing else: /start says what the bot
// does, /signup asks three questions (the e-mail may be skipped), shows a
// summary with Confirm and Edit, and thanks the user. Progress is kept in
// a SQLite file, so the form resumes where it was after a restart.
//
//	go run ./cmd/herald emulator &
//	HERALD_API_URL=http://127.0.0.1:8081 BOT_TOKEN=1234:test go run ./examples/form
//
// Environment:
//
//	BOT_TOKEN  the bot's token (required)
//	FORM_DB    the SQLite file that keeps each user's progress through the
//	           form (default form.db in the working directory; created
//	           when missing)
//	HERALD_*   receiving mode, webhook and API URL (herald.ConfigFromEnv)
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"regexp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/fsm/form"
)

// Signup is the form's typed result.
type Signup struct {
	Name  string
	Age   int
	Email string
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)

// signupForm declares the form: three fields, a summary, what to do at the end.
func signupForm() *form.Form[Signup] {
	return form.New[Signup]("signup").
		Text("name", "What's your name?", func(s *Signup, v string) error { s.Name = v; return nil }).
		Field("age", "How old are you?", form.Into(form.Int(13, 120), func(s *Signup, v int) error { s.Age = v; return nil })).
		Field("email", "Your e-mail? (you can skip this)", form.Into(form.Regexp(emailRE, "That doesn't look like an e-mail address."),
			func(s *Signup, v string) error { s.Email = v; return nil }), form.Optional()).
		Summary(summary).
		OnDone(func(c *herald.Context, s Signup) error {
			_, err := c.Reply("Welcome aboard, " + s.Name + "!")
			return err
		})
}

// summary is the text shown before Confirm; a skipped e-mail reads as
// such rather than as an empty value.
func summary(s Signup) string {
	email := s.Email
	if email == "" {
		email = "(skipped)"
	}
	return fmt.Sprintf("Please check your answers:\nName: %s\nAge: %d\nE-mail: %s", s.Name, s.Age, email)
}

// startText answers /start.
const startText = "Hi! I ask three short questions to sign you up. Send /signup to begin; /cancel stops at any time."

// newBot builds the bot. Where its state lives is main's choice, given
// with the options (herald.WithBackend); tests add the emulator's.
func newBot(token string, opts ...herald.Option) (*herald.Bot, error) {
	bot, err := herald.New(token, opts...)
	if err != nil {
		return nil, err
	}
	f := signupForm()
	r := bot.Router()
	f.Register(r)
	r.Command("start", func(c *herald.Context) error {
		_, err := c.Reply(startText)
		return err
	})
	r.Command("signup", f.Start)
	return bot, nil
}

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// run opens the state file (FORM_DB, default form.db) and runs the bot
// until SIGINT or SIGTERM. It returns, rather than exits, so that the
// store is closed on every path.
func run(ctx context.Context) error {
	path := os.Getenv("FORM_DB")
	if path == "" {
		path = "form.db"
	}
	store, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	bot, err := newBot(os.Getenv("BOT_TOKEN"), herald.WithBackend(store), herald.ConfigFromEnv())
	if err != nil {
		return err
	}
	return bot.RunWithSignals(ctx)
}
