package herald_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/fsm"
)

// TestWithBackendEndToEnd runs a bot whose only storage option is
// WithBackend against the emulator, on each embedded engine: its
// conversation state, Once marks and broadcasts land in the engine.
func TestWithBackendEndToEnd(t *testing.T) {
	for _, name := range []string{"memory", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			var engine backend.Backend
			switch name {
			case "memory":
				engine = memory.New(memory.Options{})
			case "sqlite":
				s, err := sqlite.Open(context.Background(), t.TempDir()+"/bot.db", sqlite.Options{})
				if err != nil {
					t.Fatal(err)
				}
				engine = s
			}
			t.Cleanup(func() { _ = engine.Close() })

			w := newWorld(t)
			token := "555001:backend-" + name
			b := w.newBot(t, token, herald.WithBackend(engine))
			b.Router().Command("count", func(c *herald.Context) error {
				n, err := bump(c)
				if err != nil {
					return err
				}
				ran, err := c.Once("greet", time.Hour, func() error { _, err := c.Reply("first time"); return err })
				if err != nil {
					return err
				}
				_, err = c.Reply(fmt.Sprintf("count %d (greeted now: %v)", n, ran))
				return err
			})
			stop := emutest.Run(t, b)
			chat := w.Chat(t, token, user(71))
			chat.SendWait("/count", "count 1 (greeted now: true)")
			chat.SendWait("/count", "count 2 (greeted now: false)")
			if err := stop(); err != nil {
				t.Fatal(err)
			}

			// The state is in the engine, where a second bot on it finds it.
			b2 := w.newBot(t, token, herald.WithBackend(engine))
			b2.Router().Command("count", func(c *herald.Context) error {
				n, err := bump(c)
				if err != nil {
					return err
				}
				_, err = c.Reply(fmt.Sprintf("again %d", n))
				return err
			})
			emutest.Run(t, b2)
			chat.SendWait("/count", "again 3")

			// Broadcasts go to the engine's store.
			c, err := b2.Broadcasts().Create(context.Background(), broadcast.Campaign{Message: broadcast.Message{Text: "news"}}, []int64{71, 72}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, err := engine.Broadcasts().Campaign(context.Background(), c.ID)
			if err != nil || got.Total != 2 {
				t.Fatalf("campaign in the engine: %+v, %v", got, err)
			}
		})
	}
}

// bump adds one to the conversation's counter and returns it.
func bump(c *herald.Context) (int, error) {
	var n int
	err := fsm.Update(c, c.FSM(), func(_ *fsm.State, v *int) error {
		*v++
		n = *v
		return nil
	})
	return n, err
}
