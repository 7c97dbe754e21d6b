package emulator

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// sentLog records the "sent" events OnEvent sees, by chat.
type sentLog struct {
	mu     sync.Mutex
	tokens map[string]int
	byChat map[int64][]Entry
	bot    int           // replies of the bot seen so far
	want   int           // replies after which done is closed
	done   chan struct{} // closed once want replies were seen
}

func newSentLog(want int) *sentLog {
	return &sentLog{tokens: make(map[string]int), byChat: make(map[int64][]Entry), want: want, done: make(chan struct{})}
}

func (l *sentLog) onEvent(token string, ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens[token]++
	if ev.Type != "sent" {
		return
	}
	l.byChat[ev.ChatID] = append(l.byChat[ev.ChatID], *ev.Message)
	if ev.Message.Sender == "bot" {
		if l.bot++; l.bot == l.want {
			close(l.done)
		}
	}
}

// replyBot long-polls as a bot and answers every text message with
// "re: " and the text, one update at a time, until ctx ends.
func replyBot(ctx context.Context, c *tg.Client) error {
	var offset int64
	for ctx.Err() == nil {
		ups, err := c.GetUpdates(ctx, tg.GetUpdatesParams{Offset: offset, Timeout: 1})
		if err != nil {
			return err
		}
		for _, u := range ups {
			offset = u.UpdateID + 1
			if m := u.Message; m != nil {
				if _, err := c.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(m.Chat.ID), Text: "re: " + m.Text}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// TestOnEvent runs 5,000 messages through RunLoad to a bot that answers
// each, and checks OnEvent saw every message, the bot's replies as the
// users', exactly once and in the transcript's order, though nothing
// read them meanwhile: a subscriber would have been dropped.
func TestOnEvent(t *testing.T) {
	const users, perUser = 50, 100
	rec := newSentLog(users * perUser)
	e, url := startEmu(t, Options{Limits: offLimits(), OnEvent: rec.onEvent})
	ctx := testkit.Context(t)
	c := newClient(t, url, testToken)
	if _, err := e.AddBot(testToken); err != nil {
		t.Fatal(err)
	}
	lagging, _, err := e.Subscribe(testToken, 0) // never read
	if err != nil {
		t.Fatal(err)
	}

	botCtx, stop := context.WithCancel(ctx)
	botErr := make(chan error, 1)
	go func() { botErr <- replyBot(botCtx, c) }()
	res, err := e.RunLoad(ctx, Load{Token: testToken, Users: users, MessagesPerUser: perUser, FirstUserID: 100})
	if err != nil || res.Messages != users*perUser || res.Failed != 0 {
		t.Fatalf("load = %+v, %v", res, err)
	}
	select {
	case <-rec.done:
	case <-time.After(time.Minute):
		rec.mu.Lock()
		defer rec.mu.Unlock()
		t.Fatalf("the bot's replies seen: %d of %d", rec.bot, rec.want)
	}
	stop()
	if err := <-botErr; err != nil && botCtx.Err() == nil {
		t.Fatalf("bot: %v", err)
	}

	for range lagging { // dropped: closed after its buffer filled up
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.tokens) != 1 || rec.tokens[testToken] == 0 {
		t.Fatalf("tokens passed to OnEvent: %v", rec.tokens)
	}
	if len(rec.byChat) != users {
		t.Fatalf("events in %d chats, want %d", len(rec.byChat), users)
	}
	for chatID, seen := range rec.byChat {
		tr, err := e.Transcript(testToken, chatID)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 2*perUser || len(tr) != len(seen) {
			t.Fatalf("chat %d: %d events, %d in the transcript, want %d", chatID, len(seen), len(tr), 2*perUser)
		}
		var userTexts, botTexts []string
		for i, en := range seen {
			if en.MessageID != tr[i].MessageID || en.Sender != tr[i].Sender || en.Text != tr[i].Text {
				t.Fatalf("chat %d: event %d is message %d %s %q, the transcript has %d %s %q",
					chatID, i, en.MessageID, en.Sender, en.Text, tr[i].MessageID, tr[i].Sender, tr[i].Text)
			}
			if en.Sender == "bot" {
				botTexts = append(botTexts, en.Text)
			} else {
				userTexts = append(userTexts, en.Text)
			}
		}
		if len(userTexts) != perUser || len(botTexts) != perUser {
			t.Fatalf("chat %d: %d user messages and %d replies, want %d of each", chatID, len(userTexts), len(botTexts), perUser)
		}
		for i := range perUser {
			want := "message " + strconv.Itoa(i)
			if i == 0 {
				want = "/start"
			}
			if userTexts[i] != want || botTexts[i] != "re: "+want {
				t.Fatalf("chat %d: message %d is %q, reply %q; want %q", chatID, i, userTexts[i], botTexts[i], want)
			}
		}
	}
}
