package emulator_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// pageBotToken is the test bot of TestPageChat (page_test.go has its own).
const pageBotToken = "777001:page-test_secret"

// pageBotClient returns a client of the bot of token at baseURL, after a
// getMe, so that the bot exists before the page loads.
func pageBotClient(t *testing.T, ctx context.Context, baseURL, token string) *tg.Client {
	t.Helper()
	c, err := tg.New(token, tg.WithBaseURL(baseURL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetMe(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// openAsNewUser opens the page at baseURL, which offers the new-user form
// while the emulator knows no user, and creates the user id with a first
// name; the page then opens the private chat with the only bot.
func openAsNewUser(baseURL, id, first string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(baseURL + "/"),
		chromedp.WaitVisible(chromedp.ID("user-form")),
		chromedp.SetValue(chromedp.ID("user-id"), id),
		chromedp.SetValue(chromedp.ID("user-first"), first),
		chromedp.Click(chromedp.ID("user-use")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	}
}

// nextUpdate long-polls the bot of c from offset and returns the one
// update waiting (the test fails unless there is exactly one); allowed,
// when given, becomes the bot's allowed_updates.
func nextUpdate(t *testing.T, ctx context.Context, c *tg.Client, offset int64, allowed ...string) tg.Update {
	t.Helper()
	ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset, Timeout: 20, AllowedUpdates: allowed})
	if err != nil || len(ups) != 1 {
		t.Fatalf("getUpdates = %+v, %v; want one update", ups, err)
	}
	return ups[0]
}

// startPage starts an emulator, a headless browser and a client of the
// bot of token (which exists before the page loads) for a page test of at
// most 40 s; it returns them with the test's context.
func startPage(t *testing.T, token string) (srv *emutest.Server, ctx, bctx context.Context, c *tg.Client) {
	t.Helper()
	srv = emutest.Start(t, emutest.NoLimits())
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	bctx = emutest.Browser(t, ctx)
	return srv, ctx, bctx, pageBotClient(t, ctx, srv.URL, token)
}

// runPageBot is a small bot on Herald's own client: /start answers with a
// button, pressing it answers the callback and edits the message.
func runPageBot(ctx context.Context, c *tg.Client) error {
	return pollUpdates(ctx, c, func(u tg.Update) error {
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			kb := &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{
				{{Text: "Press me", CallbackData: "pressed"}},
			}}
			name := "there"
			if u.Message.From != nil {
				name = u.Message.From.FirstName
			}
			_, err := c.SendMessage(ctx, tg.SendMessageParams{
				ChatID: tg.ID(u.Message.Chat.ID), Text: "Hello, " + name + "! <b>Not HTML</b>", ReplyMarkup: kb,
			})
			return err
		case u.CallbackQuery != nil:
			cq := u.CallbackQuery
			m, ok := cq.Message.(*tg.Message)
			if !ok {
				return errors.New("callback query without its message")
			}
			if _, err := c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Done!"}); err != nil {
				return err
			}
			_, err := c.EditMessageText(ctx, tg.EditMessageTextParams{
				ChatID: tg.ID(m.Chat.ID), MessageID: m.MessageID, Text: "You pressed it, " + cq.From.FirstName + ".",
			})
			return err
		}
		return nil
	})
}

// TestPageChat drives the page in headless Chromium: create a user, send
// /start to a test bot, see its reply, press its button, see the edit.
// Set HERALD_PAGE_SCREENSHOT=/path/file.png to keep a screenshot.
func TestPageChat(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits()) // listens on 127.0.0.1
	e := srv.Emu

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bctx := emutest.Browser(t, ctx, chromedp.WindowSize(1200, 800))

	client := pageBotClient(t, ctx, srv.URL, pageBotToken)
	botCtx, stopBot := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := runPageBot(botCtx, client); err != nil {
			t.Errorf("test bot: %v", err)
		}
	})
	defer wg.Wait()
	defer stopBot()

	// Script errors on the page fail the test.
	var (
		jsMu     sync.Mutex
		jsErrors []string
	)
	if err := chromedp.Listen(bctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
				msg += " " + ex.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			msg = "console.error"
			for _, a := range ev.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		jsMu.Lock()
		jsErrors = append(jsErrors, msg)
		jsMu.Unlock()
	}); err != nil {
		t.Fatalf("starting the browser: %v", err)
	}
	defer func() {
		jsMu.Lock()
		defer jsMu.Unlock()
		for _, m := range jsErrors {
			t.Errorf("page script error: %s", m)
		}
	}()

	const (
		botMsg    = `#messages li.msg.bot[data-id="2"]`
		botText   = chromedp.CSS(botMsg + ` .text`)
		userText  = chromedp.CSS(`#messages li.msg.me[data-id="1"] .text`)
		pressBtn  = chromedp.CSS(botMsg + ` button.inline-btn`)
		editedTag = chromedp.CSS(botMsg + ` .edited`)
	)
	d := pageDriver{t, bctx}
	step, eval := d.step, d.eval
	text := func(sel chromedp.CSS) string { t.Helper(); return d.text(string(sel)) }

	step("open the page and create a user",
		chromedp.Navigate(srv.URL+"/"),
		// No users yet: the page offers the new-user form.
		chromedp.WaitVisible(chromedp.ID("user-form")),
		chromedp.SetValue(chromedp.ID("user-id"), "4242"),
		chromedp.SetValue(chromedp.ID("user-first"), "Tess"),
		chromedp.SetValue(chromedp.ID("user-username"), "tess"),
		chromedp.Click(chromedp.ID("user-use")),
		// The only bot is picked and the private chat is the default:
		// the page subscribes to its events.
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	step("send /start",
		chromedp.SendKeys(chromedp.ID("text"), "/start"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(userText),
		chromedp.WaitVisible(pressBtn),
	)
	if got := text(userText); got != "/start" {
		t.Errorf("user message = %q, want /start", got)
	}
	if got := text(botText); got != "Hello, Tess! <b>Not HTML</b>" {
		t.Errorf("bot reply = %q, want the text shown as is", got)
	}
	step("press the button", chromedp.Click(pressBtn), chromedp.WaitVisible(editedTag))
	edited := text(botText)
	if edited != "You pressed it, Tess." {
		t.Errorf("edited message = %q", edited)
	}
	step("see the callback answer", chromedp.WaitVisible(chromedp.ID("toast")))
	if got := text(chromedp.CSS("#toast")); got != "Done!" {
		t.Errorf("callback answer shown = %q, want Done!", got)
	}
	if n := eval(`document.querySelectorAll('#messages li.msg').length`); n != 2 {
		t.Errorf("%d messages in the chat, want 2 (the edit must replace the message in place)", n)
	}
	if n := eval(`document.querySelectorAll('#messages button.inline-btn').length`); n != 0 {
		t.Errorf("%d inline buttons left after an edit without reply_markup, want 0", n)
	}

	if path := os.Getenv("HERALD_PAGE_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The transcript agrees with what the page shows.
	tr, err := e.Transcript(pageBotToken, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || tr[1].Text != edited || tr[1].EditDate == 0 {
		t.Errorf("transcript = %+v", tr)
	}
}
