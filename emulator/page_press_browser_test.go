package emulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/tg"
)

// runAnswerBot answers /start with a button and a press with a callback
// answer only: the message and its button stay as they are.
func runAnswerBot(ctx context.Context, c *tg.Client) error {
	return pollUpdates(ctx, c, func(u tg.Update) error {
		switch {
		case u.Message != nil:
			kb := &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Like", CallbackData: "like"}}}}
			_, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(u.Message.Chat.ID), Text: "A post", ReplyMarkup: kb})
			return err
		case u.CallbackQuery != nil:
			_, err := c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "Liked"})
			return err
		}
		return nil
	})
}

// heldPresses is a proxy in front of the emulator that holds the answer
// to each POST /control/callbacks until release is closed, so that the
// bot's callback answer reaches the page, over its event stream, before
// the page's own press request returns.
type heldPresses struct {
	proxy   *httputil.ReverseProxy
	arrived chan struct{}
	release chan struct{}
}

func (p *heldPresses) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/control/callbacks" {
		p.proxy.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	p.proxy.ServeHTTP(rec, r) // the press is made; its answer is held
	p.arrived <- struct{}{}
	select {
	case <-p.release:
	case <-r.Context().Done():
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// TestPageSpinnerStopsOnEarlyAnswer: a button whose callback answer
// arrives before the page's press request returns stops spinning at once
// when that request returns, instead of after the 15 s fallback.
func TestPageSpinnerStopsOnEarlyAnswer(t *testing.T) {
	srv := emutest.Start(t, emutest.NoLimits())
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	held := &heldPresses{proxy: httputil.NewSingleHostReverseProxy(target), arrived: make(chan struct{}, 1), release: make(chan struct{})}
	front := httptest.NewServer(held)
	defer front.Close()
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(held.release) }) }
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	bctx := emutest.Browser(t, ctx)
	const token = "777003:answer-only"
	client := pageBotClient(t, ctx, srv.URL, token)
	botCtx, stopBot := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := runAnswerBot(botCtx, client); err != nil {
			t.Errorf("test bot: %v", err)
		}
	})
	defer wg.Wait()
	defer stopBot()

	const (
		likeBtn = `#messages li.msg.bot button.inline-btn`
		pending = likeBtn + `.pending`
	)
	step := pageDriver{t, bctx}.step
	step("open the page as a new user", openAsNewUser(front.URL, "4343", "Lee")...)
	step("say hello",
		chromedp.SendKeys(chromedp.ID("text"), "hello"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(likeBtn)),
	)
	step("press the button", chromedp.Click(chromedp.CSS(likeBtn)))
	select {
	case <-held.arrived:
	case <-ctx.Done():
		t.Fatal("the page's press request never came")
	}
	// The answer is shown while the press request is still held.
	step("see the answer while the request is held",
		chromedp.WaitVisible(chromedp.ID("toast")),
		chromedp.WaitVisible(chromedp.CSS(pending)),
	)
	if got, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#toast"))); err != nil || got != "Liked" {
		t.Fatalf("toast = %q, %v; want Liked", got, err)
	}
	release()
	within, cancelWithin := context.WithTimeout(bctx, time.Second)
	defer cancelWithin()
	if err := chromedp.Do(within, chromedp.WaitNotPresent(chromedp.CSS(pending))); err != nil {
		t.Fatalf("the button still spins 1 s after its press request returned with the answer already shown: %v", err)
	}
}
