// Command form is one form and nothing else: /signup asks three questions,
// shows a summary with Confirm and Edit, and thanks the user. Progress is
// kept in a SQLite file, so the form resumes where it was after a restart.
//
//	go run ./cmd/herald emulator &
//	HERALD_API_URL=http://127.0.0.1:8081 BOT_TOKEN=1234:test go run ./examples/form
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
		Summary(func(s Signup) string { return fmt.Sprintf("%s, %d, %q", s.Name, s.Age, s.Email) }).
		OnDone(func(c *herald.Context, s Signup) error {
			_, err := c.Reply("Welcome aboard, " + s.Name + "!")
			return err
		})
}

// newBot builds the bot. Where its state lives is main's choice, given
// with the options (herald.WithBackend); tests add the emulator's.
func newBot(token string, opts ...herald.Option) (*herald.Bot, error) {
	bot, err := herald.New(token, opts...)
	if err != nil {
		return nil, err
	}
	f := signupForm()
	f.Register(bot.Router())
	bot.Router().Command("signup", f.Start)
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
