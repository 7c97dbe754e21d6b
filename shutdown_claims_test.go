package herald_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/source"
)

// TestShutdownReleasesQueuedClaims: in webhook mode updates are claimed
// in the shared store before they are queued. Two updates of one chat
// arrive at once; the first blocks, the second waits behind it; the bot
// is stopped with a short shutdown timeout. Both POSTs are refused (503),
// and both claims are free again at once (the queued update was dropped
// by the scheduler and released through OnDrop), so another instance can
// take them without waiting for a lease.
func TestShutdownReleasesQueuedClaims(t *testing.T) {
	w := newWorld(t)
	const token = "7600:drop"
	store := memory.New(memory.Options{})
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := w.newBot(t, token, herald.WithDedup(store), herald.WithShutdownTimeout(300*time.Millisecond), herald.WithErrorReply(""),
		herald.WithWebhook(herald.WebhookConfig{Listener: ln, SecretToken: "s3cret"}))
	started := make(chan struct{}, 2)
	b.Router().Message(func(c *herald.Context) error {
		started <- struct{}{}
		<-c.Done()
		return c.Err()
	})
	stop := emutest.Run(t, b)
	codes := make(chan int, 2)
	for id := int64(1); id <= 2; id++ {
		body := messageJSON(t, id, user(9), "hi")
		go func() {
			req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(source.SecretHeader, "s3cret")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	<-started
	emutest.Until(t, 5*time.Second, "the second update to be queued", func() bool { return b.Stats().Queued == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if c := <-codes; c == http.StatusOK {
			t.Errorf("an unfinished update was answered %d", c)
		}
	}
	for id := int64(1); id <= 2; id++ {
		name := "update:7600:" + string(rune('0'+id))
		st, err := store.Claim(context.Background(), name, "another-instance", time.Minute)
		if err != nil || st != backend.Claimed {
			t.Errorf("claim of update %d after the shutdown: %v, %v; want it free", id, st, err)
		}
	}
}
