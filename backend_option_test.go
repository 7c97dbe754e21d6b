package herald

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/limit"
)

// TestWithBackendWiresEveryPart checks that one option hands every part of
// the bot the engine's store, and that explicit options replace one part
// each, whatever their order.
func TestWithBackendWiresEveryPart(t *testing.T) {
	engine := memory.New(memory.Options{})
	t.Cleanup(func() { _ = engine.Close() })
	botID := int64(123456) // testToken's

	b, err := New(testToken, WithBackend(engine))
	if err != nil {
		t.Fatal(err)
	}
	if b.fsmStorage != engine.State() {
		t.Error("FSM state is not the engine's")
	}
	if b.coord.claims != engine.Claims() || b.coord.once != engine.Claims() {
		t.Error("update claims or Once are not the engine's")
	}
	if b.coord.locker != engine.Locker() || b.coord.lockTTL != DefaultLockLease {
		t.Errorf("locker %v ttl %v, want the engine's with DefaultLockLease", b.coord.locker, b.coord.lockTTL)
	}
	if b.outbound.limits.Store != engine.Limits(botID) {
		t.Error("the limiter's store is not the engine's for this bot")
	}
	if b.Broadcasts() != engine.Broadcasts() || b.Backend() != backend.Backend(engine) {
		t.Error("Broadcasts or Backend do not return the engine's")
	}

	other := memory.New(memory.Options{})
	t.Cleanup(func() { _ = other.Close() })
	otherLimits := memory.NewLimitStore()
	for _, order := range []string{"backend first", "backend last"} {
		t.Run(order, func(t *testing.T) {
			overrides := []Option{
				WithFSM(other, FSMConfig{}),
				WithDedup(other),
				WithLocker(nil, 0),
				WithLimits(limit.Config{Store: otherLimits}),
			}
			opts := append([]Option{WithBackend(engine)}, overrides...)
			if order == "backend last" {
				opts = append(overrides, WithBackend(engine))
			}
			b, err := New(testToken, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if b.fsmStorage != other || b.coord.claims != other || b.coord.once != other {
				t.Error("WithFSM / WithDedup did not replace the engine's state and claims")
			}
			if b.coord.locker != nil {
				t.Error("WithLocker(nil, 0) left chat locks on")
			}
			if b.outbound.limits.Store != otherLimits {
				t.Error("WithLimits' store did not replace the engine's")
			}
		})
	}

	t.Run("FSM config only", func(t *testing.T) {
		b, err := New(testToken, WithFSM(nil, FSMConfig{MaxRetries: 7}), WithBackend(engine))
		if err != nil {
			t.Fatal(err)
		}
		if b.fsmStorage != engine.State() || b.fsmConfig.MaxRetries != 7 {
			t.Error("WithFSM(nil, cfg) did not keep the engine's state with cfg")
		}
		if _, err := New(testToken, WithFSM(nil, FSMConfig{})); err == nil || !strings.Contains(err.Error(), "WithBackend") {
			t.Errorf("WithFSM(nil) without a backend: err = %v", err)
		}
	})
	if _, err := New(testToken, WithBackend(nil)); err == nil {
		t.Error("WithBackend(nil) accepted")
	}

	t.Run("no backend", func(t *testing.T) {
		b, err := New(testToken)
		if err != nil {
			t.Fatal(err)
		}
		if b.fsmStorage != nil || b.coord.locker != nil || b.Broadcasts() != nil || b.Backend() != nil {
			t.Error("a bot without WithBackend has stores")
		}
		if _, ok := b.coord.claims.(*localClaims); !ok {
			t.Errorf("claims = %T, want the in-process default", b.coord.claims)
		}
	})
}
