package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/heraldbot/herald/tg"
)

// Load describes scripted traffic: Users users each send
// MessagesPerUser messages to one bot, then press PressesPerUser inline
// buttons, at an overall Rate. Users act in parallel; each user's actions
// happen in order.
type Load struct {
	// Token is the bot's token.
	Token string
	// Users is the number of users (at most 1,000,000).
	Users int
	// MessagesPerUser is the number of messages each user sends.
	MessagesPerUser int
	// PressesPerUser is the number of button presses each user makes
	// after its messages, each on the newest bot message in the user's
	// chat that has a callback button (its first such button). A press
	// with no button to press is counted as skipped.
	PressesPerUser int
	// Rate is the overall number of actions per second; 0 means as fast
	// as possible.
	Rate float64
	// MaxDuration bounds the run (default and maximum 10 minutes).
	MaxDuration time.Duration
	// FirstUserID is the id of the first user; the others follow
	// (default 1,000,000).
	FirstUserID int64
	// Text returns the text of user u's i-th message (both from 0); the
	// default is "/start" for the first message and "message <i>" after.
	Text func(u, i int) string
	// Concurrency is the number of users acting at once (default 64).
	Concurrency int
}

// LoadResult counts what a load run did.
type LoadResult struct {
	Messages int           `json:"messages"`
	Presses  int           `json:"presses"`
	Skipped  int           `json:"skipped"`
	Failed   int           `json:"failed"`
	Elapsed  time.Duration `json:"elapsed"`
	// FirstError is the first failure, if any.
	FirstError string `json:"first_error,omitzero"`
}

const (
	maxLoadActions  = 10_000_000
	maxLoadDuration = 10 * time.Minute
)

func (l *Load) check() error {
	switch {
	case l.Users <= 0 || l.Users > 1_000_000:
		return errors.New("emulator: load: Users must be between 1 and 1,000,000")
	case l.MessagesPerUser < 0 || l.PressesPerUser < 0:
		return errors.New("emulator: load: negative counts")
	case int64(l.Users)*int64(l.MessagesPerUser+l.PressesPerUser) > maxLoadActions:
		return fmt.Errorf("emulator: load: more than %d actions", maxLoadActions)
	case l.Rate < 0:
		return errors.New("emulator: load: negative rate")
	}
	if l.MaxDuration <= 0 || l.MaxDuration > maxLoadDuration {
		l.MaxDuration = maxLoadDuration
	}
	if l.FirstUserID <= 0 {
		l.FirstUserID = 1_000_000
	}
	if l.Text == nil {
		l.Text = func(_, i int) string {
			if i == 0 {
				return "/start"
			}
			return "message " + strconv.Itoa(i)
		}
	}
	if l.Concurrency <= 0 {
		l.Concurrency = 64
	}
	l.Concurrency = min(l.Concurrency, l.Users)
	return nil
}

// loadDriver performs load actions in process or over HTTP.
type loadDriver interface {
	send(ctx context.Context, m UserMessage) error
	// button returns the newest callback button in a chat.
	button(ctx context.Context, token string, chatID int64) (msgID int64, data string, ok bool, err error)
	press(ctx context.Context, p ButtonPress) error
}

// RunLoad runs l against this emulator in process.
func (e *Emulator) RunLoad(ctx context.Context, l Load) (LoadResult, error) {
	return runLoad(ctx, l, localDriver{e})
}

// RunLoadHTTP runs l against an emulator's control API at baseURL, which
// must be a loopback address (127.0.0.1, ::1 or localhost).
func RunLoadHTTP(ctx context.Context, baseURL string, l Load) (LoadResult, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return LoadResult{}, fmt.Errorf("emulator: load: invalid base URL %q", baseURL)
	}
	if host := u.Hostname(); !isLoopbackHost(host) {
		return LoadResult{}, fmt.Errorf("emulator: load: only loopback emulators may be loaded, not %q", host)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	return runLoad(ctx, l, &httpDriver{base: strings.TrimRight(baseURL, "/"), hc: hc})
}

func runLoad(ctx context.Context, l Load, d loadDriver) (LoadResult, error) {
	if err := l.check(); err != nil {
		return LoadResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, l.MaxDuration)
	defer cancel()
	var (
		res     LoadResult
		mu      sync.Mutex
		slot    atomic.Int64
		start   = time.Now()
		users   = make(chan int)
		wg      sync.WaitGroup
		failure = func(err error) {
			mu.Lock()
			res.Failed++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
			mu.Unlock()
		}
	)
	// pace waits for the next action's turn under Rate.
	pace := func() bool {
		if l.Rate > 0 {
			at := start.Add(time.Duration(float64(slot.Add(1)-1) / l.Rate * float64(time.Second)))
			if d := time.Until(at); d > 0 {
				t := time.NewTimer(d)
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
					return false
				}
			}
		}
		return ctx.Err() == nil
	}
	for range l.Concurrency {
		wg.Go(func() {
			for u := range users {
				from := tg.User{ID: l.FirstUserID + int64(u), FirstName: "User " + strconv.Itoa(u)}
				for i := range l.MessagesPerUser {
					if !pace() {
						return
					}
					if err := d.send(ctx, UserMessage{Token: l.Token, From: from, Text: l.Text(u, i)}); err != nil {
						failure(err)
						continue
					}
					mu.Lock()
					res.Messages++
					mu.Unlock()
				}
				for range l.PressesPerUser {
					if !pace() {
						return
					}
					msgID, data, ok, err := d.button(ctx, l.Token, from.ID)
					if err == nil && ok {
						err = d.press(ctx, ButtonPress{Token: l.Token, From: from, ChatID: from.ID, MessageID: msgID, Data: data})
					}
					if err != nil {
						failure(err)
						continue
					}
					mu.Lock()
					if ok {
						res.Presses++
					} else {
						res.Skipped++
					}
					mu.Unlock()
				}
			}
		})
	}
feed:
	for u := range l.Users {
		select {
		case users <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(users)
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
		return res, fmt.Errorf("emulator: load: stopped after MaxDuration %v", l.MaxDuration)
	} else if err != nil {
		return res, err
	}
	return res, nil
}

type localDriver struct{ e *Emulator }

func (d localDriver) send(ctx context.Context, m UserMessage) error {
	_, err := d.e.SendMessage(ctx, m)
	return err
}

func (d localDriver) press(ctx context.Context, p ButtonPress) error {
	_, err := d.e.PressButton(ctx, p)
	return err
}

func (d localDriver) button(_ context.Context, token string, chatID int64) (int64, string, bool, error) {
	b, aerr := d.e.knownBot(token)
	if aerr != nil {
		return 0, "", false, controlErr(aerr)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.chats[chatID]
	if ch == nil {
		return 0, "", false, nil
	}
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		m := ch.msgs[i]
		if m.deleted || !m.fromBot {
			continue
		}
		if data, ok := firstCallback(m.m.ReplyMarkup); ok {
			return m.m.MessageID, data, true, nil
		}
	}
	return 0, "", false, nil
}

func firstCallback(mk *tg.InlineKeyboardMarkup) (string, bool) {
	for d := range callbackData(mk) {
		return d, true
	}
	return "", false
}

type httpDriver struct {
	base string
	hc   *http.Client
}

func (d *httpDriver) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var ce Error
		if json.Unmarshal(data, &ce) == nil && ce.Description != "" {
			ce.Code = resp.StatusCode
			return &ce
		}
		return fmt.Errorf("emulator: load: %s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func (d *httpDriver) send(ctx context.Context, m UserMessage) error {
	return d.do(ctx, http.MethodPost, "/control/messages", m, nil)
}

func (d *httpDriver) press(ctx context.Context, p ButtonPress) error {
	return d.do(ctx, http.MethodPost, "/control/callbacks", p, nil)
}

func (d *httpDriver) button(ctx context.Context, token string, chatID int64) (int64, string, bool, error) {
	var tr []Entry
	path := "/control/chats/" + strconv.FormatInt(chatID, 10) + "/messages?token=" + url.QueryEscape(token)
	if err := d.do(ctx, http.MethodGet, path, nil, &tr); err != nil {
		return 0, "", false, err
	}
	for i := len(tr) - 1; i >= 0; i-- {
		en := tr[i]
		if en.Deleted || en.Sender != "bot" || len(en.ReplyMarkup) == 0 {
			continue
		}
		var mk tg.InlineKeyboardMarkup
		if json.Unmarshal(en.ReplyMarkup, &mk) != nil {
			continue
		}
		if data, ok := firstCallback(&mk); ok {
			return en.MessageID, data, true, nil
		}
	}
	return 0, "", false, nil
}
