package herald_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
)

// logCounter is a slog.Handler counting records by message.
type logCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCounter) WithGroup(string) slog.Handler            { return l }
func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[r.Level.String()+" "+r.Message]++
	return nil
}

// count returns how many records' level and message start with prefix.
func (l *logCounter) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for m, c := range l.n {
		if strings.HasPrefix(m, prefix) {
			n += c
		}
	}
	return n
}

// TestRedisOutageLosesNothing: a polling bot keeps conversation state,
// update claims and chat locks in a Redis that dies for 3 s under load
// and comes back empty. Every one of 800 messages is answered (the bot
// retries instead of confirming what it could not handle), each chat's
// first answers are in the order of its messages, the bot recovers by
// itself, and the outage is logged once rather than once per update.
func TestRedisOutageLosesNothing(t *testing.T) {
	o := newOutageRedis(t, 78)
	port, stopRedis, store := o.port, o.stop, o.store

	w := newWorld(t)
	const token = "78:outage"
	const chats, perChat = 40, 20
	const total = chats * perChat
	logs := &logCounter{n: map[string]int{}}
	b := w.newBot(t, token, herald.WithLogger(slog.New(logs)), herald.WithErrorReply(""),
		herald.WithFSM(store, herald.FSMConfig{}), herald.WithDedup(store), herald.WithLocker(store, 0))
	b.Router().Message(func(c *herald.Context) error {
		if err := fsm.Update(c, c.FSM(), func(s *fsm.State, n *int) error { *n++; return nil }); err != nil {
			return err
		}
		_, err := c.Reply("ack " + c.Text())
		return err
	})
	stopBot := emutest.Run(t, b)

	// 100 messages a second; Redis dies after 2 s and is back 3 s later.
	ctx := context.Background()
	sendErr := make(chan error, 1)
	go func() {
		defer close(sendErr)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := range perChat {
			for c := range chats {
				<-tick.C
				if _, err := w.Emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: user(int64(6000 + c)), Text: fmt.Sprintf("c%02d-m%02d", c, i)}); err != nil {
					sendErr <- err
					return
				}
			}
		}
	}()
	time.Sleep(2 * time.Second)
	stopRedis()
	down := time.Now()
	time.Sleep(3 * time.Second)
	ownRedis(t, port)
	up := time.Now()
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	emutest.Until(t, 60*time.Second, "every update to be handled and confirmed after Redis came back", func() bool {
		st, err := w.Emu.Stats(token)
		return err == nil && st.UpdatesConfirmed == total && st.UpdatesPending == 0
	})
	recovered := time.Since(up)
	if err := stopBot(); err != nil {
		t.Fatal(err)
	}

	lost, dups := 0, 0
	for c := range chats {
		texts := w.botTexts(t, token, int64(6000+c))
		next := 0
		for _, text := range texts {
			switch want := fmt.Sprintf("ack c%02d-m%02d", c, next); {
			case text == want:
				next++
			case answeredBefore(text, next, c):
				dups++ // answered again (Redis lost the record of it)
			default:
				t.Fatalf("chat %d: answer %q where %q was due: order broken; answers %v", 6000+c, text, want, texts)
			}
		}
		lost += perChat - next
	}
	st, _ := w.Emu.Stats(token)
	t.Logf("%d messages, Redis down %v: all handled and confirmed %v after it came back; lost %d, answered twice %d; logged %d outage error(s), %d recovery(ies); sendMessage calls %d",
		total, up.Sub(down).Round(time.Millisecond), recovered.Round(time.Millisecond), lost, dups,
		logs.count("ERROR infrastructure failing"), logs.count("INFO infrastructure recovered"), st.Requests["sendMessage"])
	if lost != 0 {
		t.Errorf("%d messages lost", lost)
	}
	if n := logs.count("ERROR infrastructure failing"); n < 1 || n > 3 {
		t.Errorf("the outage was logged %d times at error level, want once (a few at most)", n)
	}
	if logs.count("INFO infrastructure recovered") < 1 {
		t.Error("the recovery was not logged")
	}
	if n := logs.count("ERROR handler failed"); n != 0 {
		t.Errorf("%d updates went through the error path: an outage must be retried, not reported as the handler's failure", n)
	}
}

// answeredBefore reports whether answer repeats one of chat c's first
// next messages.
func answeredBefore(answer string, next, c int) bool {
	for i := range next {
		if answer == fmt.Sprintf("ack c%02d-m%02d", c, i) {
			return true
		}
	}
	return false
}
